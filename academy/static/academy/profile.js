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
    input.setAttribute("list", list.id);
    var timer;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var level = levels[role.value] || "commune";
      var q = input.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(function () {
        fetch("/territoires/collectivites/?level=" + level + "&q=" + encodeURIComponent(q))
          .then(function (r) { return r.json(); })
          .then(function (data) {
            list.innerHTML = "";
            data.results.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.label;
              list.appendChild(option);
            });
          });
      }, 150);
    });
  });
})();
