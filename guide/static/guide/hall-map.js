// Progressive enhancement: draw the hall on a Leaflet map when a tile server is configured.
// Without tiles (offline, blocked) the coordinates and the map-app links stay on the page.
(function () {
  "use strict";
  function init() {
    var el = document.getElementById("hall-map");
    if (!el || !window.L || !el.dataset.tiles) { return; }
    var lat = parseFloat(el.dataset.lat), lng = parseFloat(el.dataset.lng);
    if (isNaN(lat) || isNaN(lng)) { return; }
    var fallback = el.querySelector(".map__fallback");
    var canvas = document.createElement("div");
    canvas.className = "map__canvas";
    el.insertBefore(canvas, fallback);
    var map = window.L.map(canvas, { scrollWheelZoom: false }).setView([lat, lng], 16);
    var layer = window.L.tileLayer(el.dataset.tiles, {
      maxZoom: 18,
      subdomains: el.dataset.subdomains || "abc",
      attribution: el.dataset.attribution || ""
    });
    layer.on("tileerror", function () { el.classList.add("map--tiles-failed"); });
    layer.addTo(map);
    window.L.marker([lat, lng], { title: el.dataset.name, alt: el.dataset.name }).addTo(map);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
