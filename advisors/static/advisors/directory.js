/* The public directory (/conseillers/), progressive enhancement only: without it the form,
   the select of matching communes and the list work alone.
   1. Commune suggestions from /territoires/communes/ in a <datalist>; choosing one sets the
      hidden INSEE code so the server need not guess.
   The map of the listed service points is directory_map.js. */
(function () {
  "use strict";

  function suggestCommunes() {
    var input = document.querySelector("[data-directory-commune]");
    var code = document.querySelector("[data-directory-insee]");
    if (!input || !window.fetch) return;
    var list = document.createElement("datalist");
    list.id = input.id + "-options";
    input.parentNode.appendChild(list);
    input.setAttribute("list", list.id);
    var codes = {};
    var timer;
    var typed = input.value;
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (code) code.value = codes[q] || (q === typed ? code.value : "");
      clearTimeout(timer);
      if (q.length < 2 || codes[q]) return;
      timer = setTimeout(function () {
        fetch("/territoires/communes/?limit=10&q=" + encodeURIComponent(q), {
          headers: { Accept: "application/json" }
        })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            list.textContent = "";
            data.results.forEach(function (item) {
              codes[item.label] = item.insee_code;
              var option = document.createElement("option");
              option.value = item.label;
              if (item.postal_codes && item.postal_codes.length) {
                option.label = item.label + " — " + item.postal_codes.join(", ");
              }
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are optional */ });
      }, 150);
    });
  }

  function start() {
    suggestCommunes();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
