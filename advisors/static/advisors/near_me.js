/* "Autour de moi" on the directory (/conseillers/): with the visitor's permission, the
   browser's position (rounded to about 100 m) is sent with the search as lat/lon, for this
   answer only; the platform stores it nowhere. Refused or unavailable, the commune field
   takes the focus. */
(function () {
  "use strict";

  function start() {
    var button = document.querySelector("[data-near-me]");
    var form = document.getElementById("directory-form");
    if (!button || !form || !navigator.geolocation) return;
    var lat = form.querySelector("[data-near-me-lat]");
    var lon = form.querySelector("[data-near-me-lon]");
    var status = form.querySelector("[data-near-me-status]");
    var commune = form.querySelector("[data-directory-commune]");
    button.hidden = false;
    // A commune typed again wins over a position used before.
    if (commune) {
      commune.addEventListener("input", function () {
        lat.disabled = lon.disabled = true;
      });
    }
    button.addEventListener("click", function () {
      status.textContent = "Recherche de votre position…";
      navigator.geolocation.getCurrentPosition(function (position) {
        lat.value = position.coords.latitude.toFixed(3);
        lon.value = position.coords.longitude.toFixed(3);
        lat.disabled = lon.disabled = false;
        if (commune) commune.value = "";
        var code = form.querySelector("[data-directory-insee]");
        if (code) code.value = "";
        status.textContent = "Position trouvée : recherche des lieux autour de vous.";
        form.submit();
      }, function () {
        lat.disabled = lon.disabled = true;
        status.textContent = "Votre position n'est pas disponible (refusée ou introuvable) : " +
          "indiquez votre commune ou votre code postal.";
        if (commune) commune.focus();
      }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
