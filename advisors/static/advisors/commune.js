/* Progressive enhancement for forms: suggest communes (/territoires/communes/) under every
   [data-commune-input]; a textarea with [data-counter] shows how many characters are left. */
(function () {
  document.querySelectorAll("[data-commune-input]").forEach(function (input) {
    var list = document.createElement("datalist");
    list.id = input.id + "-options";
    input.parentNode.appendChild(list);
    window.anctSuggestions(input, list, function (q) {
      return "/territoires/communes/?limit=10&q=" + encodeURIComponent(q);
    });
  });
  document.querySelectorAll("textarea[data-counter]").forEach(function (area) {
    var max = parseInt(area.getAttribute("maxlength"), 10);
    if (!max) return;
    var hint = document.createElement("p");
    hint.className = "fr-hint-text fr-mt-1v";
    hint.id = area.id + "-counter";
    hint.setAttribute("aria-live", "polite");
    area.parentNode.insertBefore(hint, area.nextSibling);
    var describedBy = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + hint.id);
    function grouped(n) {  // "2 500", like the help texts (non-breaking space)
      return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    }
    function update() {
      var left = max - area.value.length;
      hint.textContent = grouped(left) + (left > 1 ? " caractères restants" : " caractère restant") + " sur " + grouped(max) + ".";
    }
    area.addEventListener("input", update);
    update();
  });
})();
