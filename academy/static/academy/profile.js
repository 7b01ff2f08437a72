/* Elected official's profile, progressive enhancement: suggest local authorities of the level
   matching the chosen role (levels from the #mandate-levels JSON block). */
(function () {
  var data = document.getElementById("mandate-levels");
  if (!data) return;
  var levels = JSON.parse(data.textContent);
  document.querySelectorAll("[data-mandate]").forEach(function (fieldset) {
    var role = fieldset.querySelector("[data-role-select]");
    var input = fieldset.querySelector("[data-authority-input]");
    if (!role || !input) return;
    var list = document.getElementById(input.id + "-options");
    window.anctSuggestions(input, list, function (q) {
      return "/territoires/collectivites/?level=" + (levels[role.value] || "commune")
        + "&q=" + encodeURIComponent(q);
    });
  });
})();
