/* The map of the public directory (/conseillers/ and the embedded /conseillers/carte-integree/),
   an enhancement of the list, which stays the page's content and works without it.
   - Base layer: the tile server of the settings (IGN "Plan IGN" in production) or, without
     one (development, tests, no network), the project's own outlines of the départements.
   - Markers numbered like the list, clustered where they crowd (leaflet.markercluster).
   - List and map in sync: focusing or hovering a result highlights its marker; activating a
     marker (click, or Enter once focused) highlights its result and scrolls it into view.
   Data: #directory-map-data (markers, origin, tiles) and #directory-map-config (tiles,
   attribution, outlines' address). */
(function () {
  "use strict";

  function read(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function numberIcon(L, number, open, active) {
    return L.divIcon({
      className: "directory-marker" + (open ? " directory-marker--open" : "") +
        (active ? " directory-marker--active" : ""),
      html: "<span>" + number + "</span>",
      iconSize: [26, 26],
      iconAnchor: [13, 13],
      popupAnchor: [0, -12]
    });
  }

  function pointId(url) {
    var match = /\/conseillers\/(\d+)\//.exec(url || "");
    return match ? match[1] : null;
  }

  function baseLayer(L, map, config, data) {
    var tiles = (data && data.tiles) || (config && config.tiles);
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 19,
        attribution: (config && config.attribution) || ""
      }).addTo(map);
      map.getContainer().setAttribute("data-base-layer", "tiles");
      return;
    }
    map.getContainer().setAttribute("data-base-layer", "outlines");
    if (!config || !config.outlines || !window.fetch) return;
    fetch(config.outlines, { headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (outlines) {
        // One canvas for the hundred-odd outlines (not one SVG path each): far less
        // layout and painting on the main thread. Not interactive, so nothing is lost.
        var layer = L.geoJSON(outlines, {
          interactive: false,
          renderer: L.canvas({ padding: 0.2 }),
          style: { color: "#6a6af4", weight: 1, fillColor: "#f5f5fe", fillOpacity: 1 }
        }).addTo(map);
        layer.bringToBack();
        map.getContainer().setAttribute(
          "data-outlines", String(layer.getLayers().length));
      })
      .catch(function () { /* the markers and the list remain */ });
  }

  function showMap() {
    var element = document.getElementById("directory-map");
    var data = read("directory-map-data");
    var config = read("directory-map-config") || {};
    if (!element || !data || !window.L) return;
    if (!data.markers.length) return;
    var L = window.L;
    element.hidden = false;
    document.querySelectorAll("[data-directory-map-extra]").forEach(function (node) {
      node.hidden = false;
    });
    var map = L.map(element, {
      scrollWheelZoom: false, keyboard: true, zoomControl: false, zoomSnap: 0.5,
      minZoom: 2, maxZoom: (data.tiles || config.tiles) ? 18 : 11
    });
    // Without tiles the outlines are the only landmarks: never zoom in past a
    // département's scale, so its border stays around the markers.
    var tiled = Boolean(data.tiles || config.tiles);
    // The map takes the focus (arrow keys move it): a named region, its controls in French.
    element.setAttribute("role", "region");
    element.setAttribute("aria-label", "Carte des lieux listés");
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" title="Bibliothèque de cartes interactives">Leaflet</a>');
    if (!tiled) {
      map.attributionControl.addAttribution("Contours : Natural Earth, @svg-maps");
    }
    baseLayer(L, map, config, data);

    var group = L.markerClusterGroup ? L.markerClusterGroup({
      maxClusterRadius: tiled ? 28 : 20,  // only markers that would overlap
      showCoverageOnHover: false, spiderfyOnMaxZoom: true,
      iconCreateFunction: function (cluster) {
        var count = cluster.getChildCount();
        // "+3" in a square: never mistaken for the place numbered 3.
        return L.divIcon({
          className: "directory-cluster", html: "<span>+" + count + "</span>",
          iconSize: [34, 28]
        });
      }
    }) : L.featureGroup();
    var bounds = [];
    if (data.origin) {
      L.marker(data.origin, {
        icon: L.divIcon({ className: "directory-marker directory-marker--origin",
                          iconSize: [16, 16] }),
        keyboard: false, interactive: false, zIndexOffset: -1000
      }).addTo(map);
      bounds.push(data.origin);
    }
    var items = {};
    var numbers = {};  // the list's numbering (a place without a position has no marker)
    document.querySelectorAll("[data-directory-point]").forEach(function (item, index) {
      items[item.getAttribute("data-directory-point")] = item;
      numbers[item.getAttribute("data-directory-point")] = index + 1;
    });
    var markers = {};
    var active = null;

    function highlight(id, scroll) {
      if (active && markers[active]) {
        var previous = markers[active];
        previous.setIcon(numberIcon(L, previous.number, previous.open, false));
        previous.setZIndexOffset(0);
      }
      Object.keys(items).forEach(function (key) {
        items[key].classList.toggle("directory-result--active", key === id);
      });
      active = id;
      var marker = markers[id];
      if (!marker) return;
      marker.setIcon(numberIcon(L, marker.number, marker.open, true));
      marker.setZIndexOffset(1000);
      if (scroll && items[id]) {
        items[id].scrollIntoView({ block: "nearest", behavior: "smooth" });
      }
    }

    data.markers.forEach(function (point, index) {
      var id = point.id ? String(point.id) : pointId(point.url);
      var position = [point.lat, point.lon];
      var number = numbers[id] || index + 1;
      var title = number + ". " + point.name + (point.distance ? ", " + point.distance : "") +
        (point.open ? ", ouvert maintenant" : "");
      var marker = L.marker(position, {
        icon: numberIcon(L, number, point.open, false), title: title, alt: title,
        keyboard: true, riseOnHover: true
      });
      marker.number = number;
      marker.open = point.open;
      var link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      if (config.linkTarget) link.target = config.linkTarget;
      var popup = document.createElement("div");
      popup.appendChild(link);
      if (point.distance) popup.appendChild(document.createTextNode(" " + point.distance));
      marker.bindPopup(popup);
      // Opened by a click or, once focused, by Enter (Leaflet opens popups on keypress).
      marker.on("click popupopen", function () { highlight(id, true); });
      group.addLayer(marker);
      markers[id] = marker;
      bounds.push(position);
    });
    group.addTo(map);

    // Keyboard order follows the list's numbers (1, 2, 3…), whatever order the clusters
    // put the icons in: the marker pane's icons are sorted after each redraw.
    function orderIcons() {
      var pane = map.getPane("markerPane");
      Object.keys(markers).forEach(function (key) {
        var icon = markers[key].getElement && markers[key].getElement();
        if (icon) icon.setAttribute("data-order", markers[key].number);
      });
      var icons = Array.prototype.slice.call(pane.children);
      var sorted = icons.map(function (icon, position) {
        var order = parseInt(icon.getAttribute("data-order"), 10);
        return { icon: icon, order: isFinite(order) ? order : 100000 + position };
      }).sort(function (a, b) { return a.order - b.order; });
      if (sorted.every(function (entry, n) { return entry.icon === icons[n]; })) return;
      var focused = pane.contains(document.activeElement) ? document.activeElement : null;
      sorted.forEach(function (entry) { pane.appendChild(entry.icon); });
      if (focused) focused.focus({ preventScroll: true });  // moving a node drops its focus
    }
    var ordering = null;
    function orderSoon() {
      if (ordering) window.clearTimeout(ordering);
      ordering = window.setTimeout(orderIcons, 0);
    }
    map.on("zoomend moveend layeradd", orderSoon);
    if (group.on) group.on("animationend spiderfied unspiderfied", orderSoon);

    Object.keys(items).forEach(function (id) {
      var item = items[id];
      function show() {
        if (!markers[id]) return;
        highlight(id, false);
        if (group.getVisibleParent && group.getVisibleParent(markers[id]) !== markers[id]) {
          group.zoomToShowLayer(markers[id]);
        }
      }
      item.addEventListener("focusin", show);
      item.addEventListener("mouseenter", show);
    });

    // Without tiles, the outlines are the only landmarks: keep a département's border near.
    // (zoom 10: some 40 km across, a town's places still apart, a border usually in view).
    var fitOptions = { padding: [28, 28], maxZoom: tiled ? 14 : 10 };
    var areas = config.areas || [];
    function areaOf(position) {
      for (var n = 0; n < areas.length; n++) {
        if (L.latLngBounds(areas[n].bounds).pad(0.2).contains(position)) return n;
      }
      return -1;
    }
    // Metropolitan France and the overseas départements are oceans apart: the map opens on
    // the part holding the searched commune (else the most places); buttons under it go to
    // the others, like the insets of a printed map.
    var byArea = {};
    bounds.forEach(function (position) {
      var n = areaOf(position);
      (byArea[n] = byArea[n] || []).push(position);
    });
    var shown = data.origin ? areaOf(data.origin) : Object.keys(byArea).sort(function (a, b) {
      return byArea[b].length - byArea[a].length;
    })[0];
    map.fitBounds(byArea[shown] || bounds, fitOptions);
    if (areas.length) {
      var list = document.createElement("ul");
      list.className = "directory-areas fr-btns-group fr-btns-group--inline fr-btns-group--sm";
      list.setAttribute("aria-label", "Afficher sur la carte");
      areas.forEach(function (area, n) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        var count = (byArea[n] || []).length - (data.origin && areaOf(data.origin) === n ? 1 : 0);
        button.type = "button";
        button.className = "fr-btn fr-btn--tertiary fr-btn--sm";
        button.textContent = area.name + (count > 0 ? " (" + count + ")" : "");
        button.addEventListener("click", function () {
          map.fitBounds(byArea[n] && count > 0 ? byArea[n] : area.bounds, fitOptions);
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      element.parentNode.insertBefore(list, element.nextSibling);
    }
  }

  // The list is the page's content: the map is built only when its box nears the viewport
  // (at once beside the list on a wide screen, after some scrolling on a phone, where it
  // comes under the list), so Leaflet's work never delays the list's first paint or input.
  // Without IntersectionObserver: once the page has loaded and the browser is idle. The
  // embedded map (no data-map-lazy) is built at once.
  var started = false;
  function start() {
    if (started) return;
    started = true;
    showMap();
  }
  function schedule() {
    var element = document.getElementById("directory-map");
    var box = element && element.parentNode;
    if (!box) return;
    if (!element.hasAttribute("data-map-lazy")) {  // the embedded map is the page itself
      start();
      return;
    }
    if (window.IntersectionObserver) {
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          start();
        }
      }, { rootMargin: "400px 0px" });
      observer.observe(box);
      return;
    }
    var idle = window.requestIdleCallback || function (callback) {
      return window.setTimeout(callback, 200);
    };
    if (document.readyState === "complete") {
      idle(start);
    } else {
      window.addEventListener("load", function () { idle(start); });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", schedule);
  } else {
    schedule();
  }
})();
