/* /conseillers/integrer/: the "Copier le code" button (shown only where it can work). */
(function () {
  "use strict";
  function start() {
    var button = document.getElementById("embed-copy");
    var field = document.getElementById("embed-snippet");
    var status = document.getElementById("embed-copy-status");
    if (!button || !field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      function done() { status.textContent = "Code copié."; }
      function fallback() {
        field.focus();
        field.select();
        try {
          if (document.execCommand("copy")) { done(); return; }
        } catch (error) { /* below */ }
        status.textContent = "Le code est sélectionné : copiez-le avec Ctrl+C.";
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
