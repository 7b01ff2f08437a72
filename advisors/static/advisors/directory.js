/* The public directory (/conseillers/), progressive enhancement only: without it the form,
   the select of matching communes and the list work alone.
   1. Commune suggestions from /territoires/communes/ in a <datalist>; choosing one sets the
      hidden INSEE code so the server need not guess.
   2. A Leaflet map of the listed service points (tiles only if the site has a tile URL). */
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

  function dot(L, className) {
    return L.divIcon({ className: "directory-marker " + className, iconSize: [16, 16] });
  }

  function showMap() {
    var element = document.getElementById("directory-map");
    var source = document.getElementById("directory-map-data");
    if (!element || !source || !window.L) return;
    var data = JSON.parse(source.textContent);
    if (!data.markers.length) return;
    var L = window.L;
    element.hidden = false;
    var hint = document.getElementById("directory-map-hint");
    if (hint) hint.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false, keyboard: true, zoomControl: false });
    // The map takes the focus (arrow keys move it): a named region, its controls in French.
    element.setAttribute("role", "region");
    element.setAttribute("aria-label", "Carte des lieux listés");
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" title="Bibliothèque de cartes interactives">Leaflet</a>');
    if (data.tiles) {
      L.tileLayer(data.tiles, {
        maxZoom: 19,
        attribution: "© contributeurs OpenStreetMap"
      }).addTo(map);
    }
    var bounds = [];
    if (data.origin) {
      L.marker(data.origin, {
        icon: dot(L, "directory-marker--origin"), keyboard: false, interactive: false
      }).addTo(map);
      bounds.push(data.origin);
    }
    data.markers.forEach(function (point) {
      var position = [point.lat, point.lon];
      var title = point.name + (point.distance ? ", " + point.distance : "") +
        (point.open ? ", ouvert maintenant" : "");
      var marker = L.marker(position, {
        icon: dot(L, point.open ? "directory-marker--open" : ""), title: title, alt: title
      }).addTo(map);
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      var popup = document.createElement("div");
      popup.appendChild(link);
      if (point.distance) popup.appendChild(document.createTextNode(" " + point.distance));
      marker.bindPopup(popup);
      bounds.push(position);
    });
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 });
  }

  function start() {
    suggestCommunes();
    showMap();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
