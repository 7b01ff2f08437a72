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
    }
    var marker = L.marker([lat, lon], {
      draggable: true, title: "Position du lieu", alt: "Position du lieu",
      icon: L.divIcon({ className: "place-position-marker", iconSize: [22, 22] })
    }).addTo(map);
    map.setView([lat, lon], element.hasAttribute("data-approximate") ? 13 : 17);

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
