// hazardloop pages: "is it one of these?" and me-too on the report page,
// follow and me-too on the plaza, adding information and answering on the
// reporter's page, asking on the staff page, subscriptions and
// unsubscribing. It uses app.js's helpers (window.hl); no rule lives here.
"use strict";
(function () {
  var hl = window.hl;
  if (!hl) return;
  function $(id) { return document.getElementById(id); }
  function show(el) { if (el) el.hidden = false; }

  // Report page: open reports of the same category nearby.
  var check = $("nearby-check");
  if (check) check.addEventListener("click", function () {
    var lat = $("latitude").value, lng = $("longitude").value, list = $("nearby-list");
    $("nearby-error").textContent = "";
    if (!lat || !lng) { $("nearby-error").textContent = document.body.dataset.lang === "en" ? "Locate first" : "请先定位"; return; }
    var q = "category=" + encodeURIComponent($("category").value) + "&lat=" + lat + "&lng=" + lng + "&coord_system=wgs84";
    hl.api("GET", "/api/v1/nearby?" + q).then(function (r) {
      list.textContent = "";
      $("nearby-title").hidden = r.items.length === 0;
      $("nearby-none").hidden = r.items.length > 0;
      r.items.forEach(function (it) {
        var li = document.createElement("li"); li.className = "card nearby-item"; li.dataset.ref = it.ref;
        var a = document.createElement("a"); a.href = "/plaza/" + it.ref; a.className = "ref"; a.textContent = it.ref;
        var d = document.createElement("span"); d.className = "desc"; d.textContent = it.description + " · " + it.address;
        var b = document.createElement("button"); b.type = "button"; b.className = "metoo"; b.textContent = list.dataset.metoo;
        b.addEventListener("click", function () {
          hl.api("POST", "/api/v1/plaza/" + encodeURIComponent(it.ref) + "/metoo").then(function () { show($("metoo-done")); },
            function (e) { $("nearby-error").textContent = e.message; });
        });
        li.append(a, d, b); list.append(li);
      });
    }, function (e) { $("nearby-error").textContent = e.message; });
  });

  // Plaza item: me too and follow.
  var bar = $("follow-bar");
  if (bar) {
    var ref = encodeURIComponent(bar.dataset.ref), err = $("follow-error");
    var fail = function (e) {
      if (e.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname); return; }
      err.textContent = e.message;
    };
    var mt = $("metoo");
    if (mt) mt.addEventListener("click", function () {
      hl.api("POST", "/api/v1/plaza/" + ref + "/metoo").then(function (r) {
        $("metoo-count").textContent = r.me_too; mt.disabled = true; $("follow").textContent = $("follow").dataset.following;
      }, fail);
    });
    $("follow").addEventListener("click", function () {
      var b = this;
      hl.api("POST", "/api/v1/plaza/" + ref + "/follow").then(function () { b.textContent = b.dataset.following; b.disabled = true; }, fail);
    });
  }

  // The reporter's page: add information, answer questions.
  var mine = $("my-report");
  var info = $("info-form");
  if (mine && info) info.addEventListener("submit", function (ev) {
    ev.preventDefault(); hl.clearErrors(info);
    var files = $("info-photos").files;
    var bad = files.length ? hl.checkPhotos(files, 0) : "";
    if (bad) { hl.showError(info, { field: "photos", message: bad }); return; }
    hl.upload(files).then(function (keys) {
      return hl.api("POST", "/api/v1/reports/" + mine.dataset.id + "/info", { note: $("info-note").value, photos: keys });
    }).then(function () { show($("info-done")); setTimeout(function () { location.reload(); }, 800); },
      function (e) { hl.showError(info, e); });
  });
  if (mine) document.querySelectorAll("form.answer-form").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault(); hl.clearErrors(f);
      hl.api("POST", "/api/v1/reports/" + mine.dataset.id + "/answers", { question: Number(f.dataset.question), answer: f.answer.value })
        .then(function () { show(f.querySelector(".success")); f.querySelector("button").disabled = true; }, function (e) { hl.showError(f, e); });
    });
  });

  // Staff: ask the reporter.
  var ask = $("ask-form");
  if (ask) ask.addEventListener("submit", function (ev) {
    ev.preventDefault(); hl.clearErrors(ask);
    hl.api("POST", "/api/v1/reports/" + ask.dataset.id + "/questions", { question: ask.question.value })
      .then(function () { location.reload(); }, function (e) { hl.showError(ask, e); });
  });

  // Subscriptions.
  document.querySelectorAll("button.unfollow").forEach(function (b) {
    b.addEventListener("click", function () {
      hl.api("DELETE", "/api/v1/plaza/" + encodeURIComponent(b.dataset.unfollow) + "/follow").then(function () { b.closest("li").remove(); },
        function (e) { b.parentNode.querySelector(".error").textContent = e.message; });
    });
  });
  document.querySelectorAll("button.unwatch").forEach(function (b) {
    b.addEventListener("click", function () {
      hl.api("DELETE", "/api/v1/me/areas/" + b.dataset.unwatch).then(function () { b.closest("li").remove(); },
        function (e) { b.parentNode.querySelector(".error").textContent = e.message; });
    });
  });
  var here = $("area-here");
  if (here) here.addEventListener("click", function () {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (p) {
      $("area-lat").value = p.coords.latitude; $("area-lng").value = p.coords.longitude;
      $("area-status").textContent = p.coords.latitude.toFixed(4) + ", " + p.coords.longitude.toFixed(4);
    });
  });
  var area = $("area-form");
  if (area) area.addEventListener("submit", function (ev) {
    ev.preventDefault(); hl.clearErrors(area);
    var body = { category: area.category.value };
    if (area.lat.value) {
      body.center = { lat: Number(area.lat.value), lng: Number(area.lng.value), system: "WGS84" };
      body.radius_meters = Number(area.radius.value);
    } else body.district = area.district.value;
    hl.api("POST", "/api/v1/me/areas", body).then(function () { location.reload(); }, function (e) { hl.showError(area, e); });
  });

  // Unsubscribe: one click, no login.
  var unsub = $("unsub-form");
  if (unsub) unsub.addEventListener("submit", function (ev) {
    ev.preventDefault(); hl.clearErrors(unsub);
    hl.api("POST", "/api/v1/unsubscribe", { token: unsub.dataset.token })
      .then(function () { show($("unsub-done")); $("unsub-confirm").disabled = true; }, function (e) { hl.showError(unsub, e); });
  });
})();
