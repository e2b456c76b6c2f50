// hazardloop maps: draws the map of a page over what the page already
// shows as HTML (the risk map's list, the plaza's reports, the report
// form's location fields), with Leaflet loaded from the URL the operator
// configures. Without Leaflet the page stays as it is.
"use strict";
(function () {
  var el = document.getElementById("map");
  if (!el) return;
  if (!window.L) {
    var missing = document.getElementById("map-missing");
    if (missing) missing.hidden = false;
    return;
  }
  var d = el.dataset, en = document.body.dataset.lang === "en";
  var system = d.system === "GCJ02" ? "GCJ02" : "WGS84";
  // Units closer than CELL pixels are drawn as one cluster below
  // CLUSTER_UNTIL; from that zoom on every unit has its marker.
  var CELL = 64, CLUSTER_UNTIL = Math.min(16, parseInt(d.maxZoom, 10));

  // GCJ-02 is WGS-84 shifted by the published offset (the same formula as
  // the Go package hazard); its inverse is found by iteration.
  function outOfChina(lat, lng) { return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  }
  function tLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  }
  function toGCJ(lat, lng) {
    if (outOfChina(lat, lng)) return [lat, lng];
    var a = 6378245.0, ee = 0.00669342162296594323;
    var dLat = tLat(lng - 105, lat - 35), dLng = tLng(lng - 105, lat - 35);
    var rad = lat / 180 * Math.PI, m = 1 - ee * Math.sin(rad) * Math.sin(rad), sm = Math.sqrt(m);
    dLat = (dLat * 180) / ((a * (1 - ee)) / (m * sm) * Math.PI);
    dLng = (dLng * 180) / (a / sm * Math.cos(rad) * Math.PI);
    return [lat + dLat, lng + dLng];
  }
  function toWGS(lat, lng) {
    var w = [lat, lng];
    for (var i = 0; i < 10; i++) {
      var g = toGCJ(w[0], w[1]), dl = g[0] - lat, dg = g[1] - lng;
      w = [w[0] - dl, w[1] - dg];
      if (Math.abs(dl) < 1e-9 && Math.abs(dg) < 1e-9) break;
    }
    return w;
  }
  // shown returns where a point of the given system is drawn on the tiles.
  function shown(lat, lng, from) {
    if (from === system) return L.latLng(lat, lng);
    var p = from === "GCJ02" ? toWGS(lat, lng) : toGCJ(lat, lng);
    return L.latLng(p[0], p[1]);
  }

  el.hidden = false;
  var map = L.map(el, { maxZoom: parseInt(d.maxZoom, 10) });
  window.hlMap = map; // for the browser test
  L.tileLayer(d.tiles, { subdomains: d.subdomains || "abc", maxZoom: parseInt(d.maxZoom, 10), attribution: escapeHTML(d.attribution) }).addTo(map);
  map.setView(shown(parseFloat(d.lat), parseFloat(d.lng), "WGS84"), parseInt(d.zoom, 10));

  function escapeHTML(s) {
    var div = document.createElement("div");
    div.textContent = s || "";
    return div.innerHTML;
  }
  function text(tag, cls, s) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = s;
    return e;
  }
  function token() {
    var m = document.cookie.match(/(?:^|; )hl_token=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // points are drawn one marker each, or as clusters when zoomed out.
  var layer = L.layerGroup().addTo(map), points = [];
  function draw() {
    layer.clearLayers();
    var z = map.getZoom(), cells = {}, keys = [];
    points.forEach(function (p) {
      var k = p.id;
      if (z < CLUSTER_UNTIL) {
        var px = map.project(p.at, z);
        k = Math.floor(px.x / CELL) + ":" + Math.floor(px.y / CELL);
      }
      if (!cells[k]) { cells[k] = []; keys.push(k); }
      cells[k].push(p);
    });
    keys.forEach(function (k) {
      var ps = cells[k];
      if (ps.length === 1) { layer.addLayer(ps[0].marker()); return; }
      var worst = ps.reduce(function (w, p) { return p.rank < w.rank ? p : w; });
      var bounds = L.latLngBounds(ps.map(function (p) { return p.at; }));
      var icon = L.divIcon({ className: "map-cluster grade-" + (worst.grade || "none"), html: text("span", "", String(ps.length)), iconSize: [36, 36] });
      var m = L.marker(bounds.getCenter(), { icon: icon, title: String(ps.length), keyboard: true });
      m.on("click", function () { map.fitBounds(bounds.pad(0.2), { maxZoom: CLUSTER_UNTIL }); });
      layer.addLayer(m);
    });
    el.dataset.drawn = String(z);
  }
  map.on("zoomend", draw);
  function show(ps) {
    points = ps;
    if (ps.length) map.fitBounds(L.latLngBounds(ps.map(function (p) { return p.at; })).pad(0.1), { maxZoom: CLUSTER_UNTIL });
    draw();
  }

  var RANK = { red: 0, orange: 1, yellow: 2, blue: 3 };
  if (d.mode === "units") {
    var h = { Accept: "application/geo+json" }, t = token();
    if (t) h.Authorization = "Bearer " + t;
    fetch(d.geojson, { headers: h }).then(function (res) {
      if (!res.ok) throw new Error(res.status + " " + res.statusText);
      return res.json();
    }).then(function (fc) {
      show(fc.features.map(function (f) {
        var c = f.geometry.coordinates, pr = f.properties;
        var p = { id: f.id, grade: pr.grade, rank: RANK[pr.grade], at: shown(c[1], c[0], "WGS84") };
        p.marker = function () {
          var pop = document.createElement("div");
          pop.appendChild(text("strong", "", pr.name));
          pop.appendChild(text("div", "", (en ? pr.grade : pr.grade_zh) + " · " + pr.industry + (pr.district ? " · " + pr.district : "")));
          return L.circleMarker(p.at, { radius: 8, color: "#222", weight: 1, fillColor: pr.colour, fillOpacity: 0.9, className: "unit-marker grade-" + pr.grade })
            .bindPopup(pop);
        };
        return p;
      }));
    }).catch(function (e) {
      var missing = document.getElementById("map-missing");
      if (missing) { missing.hidden = false; missing.title = e.message; }
    });
  } else if (d.mode === "items") {
    var items = [];
    document.querySelectorAll("li[data-lat]").forEach(function (li) {
      var p = { id: li.dataset.ref, rank: 0, at: shown(parseFloat(li.dataset.lat), parseFloat(li.dataset.lng), li.dataset.system === "GCJ02" ? "GCJ02" : "WGS84") };
      p.marker = function () {
        var a = document.createElement("a");
        a.href = "/plaza/" + encodeURIComponent(p.id);
        a.textContent = p.id;
        return L.circleMarker(p.at, { radius: 8, color: "#222", weight: 1, fillColor: "#b3261e", fillOpacity: 0.8, className: "item-marker" }).bindPopup(a);
      };
      items.push(p);
    });
    show(items);
  } else if (d.mode === "pick") {
    // The citizen places the hazard: a tap or a drag sets the form's
    // latitude and longitude, in the tiles' system.
    var form = document.getElementById("report-form"), hint = document.getElementById("map-hint");
    var status = document.getElementById("location-status"), pin = null;
    if (hint) hint.hidden = false;
    var pinIcon = L.divIcon({ className: "pick-marker", iconSize: [24, 24], iconAnchor: [12, 24] });
    var place = function (at) {
      if (!pin) {
        pin = L.marker(at, { icon: pinIcon, draggable: true, keyboard: true, title: en ? "Hazard location" : "隐患位置" }).addTo(map);
        pin.on("dragend", function () { set(pin.getLatLng()); });
      } else {
        pin.setLatLng(at);
      }
    };
    var set = function (at) {
      place(at);
      form.latitude.value = at.lat.toFixed(6);
      form.longitude.value = at.lng.toFixed(6);
      form.coord_system.value = system;
      status.textContent = at.lat.toFixed(5) + ", " + at.lng.toFixed(5) + " (" + system + ")";
    };
    map.on("click", function (e) { set(e.latlng); });
    show([]);
    document.addEventListener("hl:location", function () {
      var at = shown(parseFloat(form.latitude.value), parseFloat(form.longitude.value), form.coord_system.value);
      place(at);
      map.setView(at, Math.max(map.getZoom(), CLUSTER_UNTIL));
    });
  }
})();
