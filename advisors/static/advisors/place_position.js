/* The place's form: a marker to move where the place really is. The latitude and
   longitude fields stay the source of truth (and the keyboard's way): moving the marker
   fills them, typing in them moves the marker. Without Leaflet the fields work alone. */
(function () {
  "use strict";

  function parse(input) {
    var value = parseFloat(String(input.value).replace(",", ".").replace(/\s/g, ""));
    return isFinite(value) ? value : null;
  }

  function start() {
    var element = document.getElementById("place-position-map");
    var latitude = document.querySelector("[data-position-latitude]");
    var longitude = document.querySelector("[data-position-longitude]");
    if (!element || !latitude || !longitude || !window.L) return;
    var lat = parseFloat(element.getAttribute("data-lat"));
    var lon = parseFloat(element.getAttribute("data-lon"));
    if (!isFinite(lat) || !isFinite(lon)) return; // located after the first save
    var L = window.L;
    element.hidden = false;
    var hint = document.getElementById("place-position-hint");
    if (hint) hint.hidden = false;
    var map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
    element.setAttribute("role", "region");
    element.setAttribute("aria-label", "Carte de la position du lieu");
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" title="Bibliothèque de cartes interactives">Leaflet</a>');
    var tiles = element.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: "© contributeurs OpenStreetMap" }).addTo(map);
    } else {
      // No tiles (development, tests): the départements' outlines, the only landmarks,
      // at a scale that keeps a border in view.
      element.setAttribute("data-base-layer", "outlines");
      map.setMaxZoom(12);
      map.attributionControl.addAttribution("Contours : Natural Earth, @svg-maps");
      var outlines = element.getAttribute("data-outlines");
      if (outlines && window.fetch) {
        fetch(outlines, { headers: { Accept: "application/geo+json, application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (shapes) {
            L.geoJSON(shapes, {
              interactive: false,
              style: { className: "directory-outline", color: "#6a6af4", weight: 1,
                       fillColor: "#f5f5fe", fillOpacity: 1 }
            }).addTo(map).bringToBack();
          })
          .catch(function () { /* the marker and the fields remain */ });
      }
    }
    var marker = L.marker([lat, lon], {
      draggable: true, title: "Position du lieu", alt: "Position du lieu",
      icon: L.divIcon({ className: "place-position-marker", iconSize: [22, 22] })
    }).addTo(map);
    map.setView([lat, lon], !tiles ? 9 : element.hasAttribute("data-approximate") ? 13 : 17);

    function placed(point) {
      latitude.value = point.lat.toFixed(6);
      longitude.value = point.lng.toFixed(6);
      if (hint) hint.textContent = "Repère déplacé : enregistrez le lieu pour garder cette position.";
    }
    marker.on("dragend", function () { placed(marker.getLatLng()); });
    map.on("click", function (event) { marker.setLatLng(event.latlng); placed(event.latlng); });
    function typed() {
      var a = parse(latitude), b = parse(longitude);
      if (a === null || b === null || Math.abs(a) > 90 || Math.abs(b) > 180) return;
      marker.setLatLng([a, b]);
      map.panTo([a, b]);
    }
    latitude.addEventListener("change", typed);
    longitude.addEventListener("change", typed);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
