/* The profile's map: Leaflet from the page's own folder, data from its own host, names
   set as text (never as HTML). Marks <html data-map-ready> when drawn (for the PDF). */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var cfgEl = document.getElementById("map-config");
  if (!el || !cfgEl || !window.L || !window.fetch) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var ready = function () { document.documentElement.setAttribute("data-map-ready", "1"); };
  var text = function (s) { var span = document.createElement("span"); span.textContent = s; return span; };
  fetch(cfg.data).then(function (r) { return r.json(); }).then(function (d) {
    el.textContent = "";
    var map = L.map(el, {attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25});
    if (d.water) {
      L.geoJSON(d.water, {interactive: false, style: {color: "#b3d4e6", weight: 0, fillColor: "#b3d4e6", fillOpacity: 1}}).addTo(map);
    }
    var select = document.getElementById("indicator");
    var near = cfg.neighbours || [];
    function style(f) {
      var p = f.properties;
      if (cfg.code) {
        var mine = p.code === cfg.code;
        return {color: mine ? "#0b4f8a" : "#777", weight: mine ? 3 : 1,
                fillColor: mine ? "#21918c" : (near.indexOf(p.code) >= 0 ? "#d9e7e6" : "#eeeeee"),
                fillOpacity: mine ? 0.75 : 0.7};
      }
      return {color: "#555", weight: 1, fillColor: p.fill[select.value], fillOpacity: 0.85};
    }
    var focus = [];
    var layer = L.geoJSON(d.districts, {
      style: style,
      onEachFeature: function (f, l) {
        var p = f.properties;
        if (!cfg.code || p.code === cfg.code || near.indexOf(p.code) >= 0) {
          if (cfg.code) { focus.push(l); }
          if (cfg.code && p.code !== cfg.code) {
            l.bindTooltip(text(p.name), {permanent: true, direction: "center", className: "map-label"});
          } else if (!cfg.code) {
            l.bindTooltip(text(p.name + ": " + p.value[select.value]), {sticky: true});
          }
        }
        if (p.code !== cfg.code) {
          l.on("click", function () { window.location.href = p.href; });
        }
      }
    }).addTo(map);
    var bounds = focus.length ? L.featureGroup(focus).getBounds() : layer.getBounds();
    map.fitBounds(bounds, {padding: [8, 8], animate: false});
    function legend() {
      var list = document.getElementById("legend");
      if (!list) { return; }
      document.getElementById("legend-title").textContent = d.title[select.value];
      list.textContent = "";
      d.legend[select.value].forEach(function (item) {
        var li = document.createElement("li");
        var sw = document.createElement("span");
        sw.className = "swatch"; sw.style.background = item[0];
        li.appendChild(sw); li.appendChild(text(item[1])); list.appendChild(li);
      });
      layer.eachLayer(function (l) {
        var p = l.feature.properties;
        l.setTooltipContent(text(p.name + ": " + p.value[select.value]));
      });
      layer.setStyle(style);
    }
    if (select && !cfg.code) { select.addEventListener("change", legend); legend(); }
    map.whenReady(function () { window.requestAnimationFrame(ready); });
  }).catch(function () { ready(); });
})();
