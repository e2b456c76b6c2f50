// hazardloop pages: small, dependency-free helpers that call the JSON API.
// No rule lives here: whatever the API refuses is shown next to its field.
"use strict";
(function () {
  var MAX_PHOTOS = 9, MAX_PHOTO_BYTES = 10 << 20;
  var TYPES = ["image/jpeg", "image/png", "image/webp"];
  var en = document.body.dataset.lang === "en";
  function msg(zh, e) { return en ? e : zh; }

  function token() {
    var m = document.cookie.match(/(?:^|; )hl_token=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function setToken(t) {
    // Secure over HTTPS: the browser's own scheme, or the server's word
    // (data-secure, set when a trusted proxy says the client used HTTPS).
    var secure = location.protocol === "https:" || document.body.dataset.secure === "1";
    document.cookie = "hl_token=" + encodeURIComponent(t) + "; path=/; max-age=" + (t ? 86400 : 0) + "; samesite=strict" + (secure ? "; secure" : "");
  }

  // api calls the JSON API and resolves with the decoded body, or rejects
  // with the API's error object {code, message, field, fields}.
  function api(method, path, body, headers) {
    var h = Object.assign({ "Accept": "application/json" }, headers || {});
    var t = token();
    if (t) h["Authorization"] = "Bearer " + t;
    else if (window.hlDevice) h["X-Device-ID"] = window.hlDevice(); // an anonymous report (anon.js)
    var init = { method: method, headers: h };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { h["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (res) {
      return res.text().then(function (txt) {
        var data = null;
        try { data = txt ? JSON.parse(txt) : null; } catch (e) { data = null; }
        if (!res.ok) {
          var err = (data && data.error) || { code: "internal", message: res.status + " " + res.statusText };
          err.status = res.status;
          throw err;
        }
        return data;
      });
    });
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }
  // showError puts each field error next to its field, the rest at the form.
  function showError(form, err) {
    var list = (err.fields && err.fields.length) ? err.fields : [{ field: err.field || "", message: err.message }];
    list.forEach(function (f) {
      var name = (f.field || "").replace(/\[\d+\]$/, "").replace(/^location\./, "");
      var slot = form.querySelector('[data-error-for="' + name + '"]') || form.querySelector('[data-error-for=""]');
      if (slot) slot.textContent = (slot.textContent ? slot.textContent + " " : "") + f.message;
      var input = form.querySelector('[name="' + name + '"]');
      if (input) input.setAttribute("aria-invalid", "true");
    });
  }

  function checkPhotos(files, min) {
    if (files.length < min) return msg("请选择至少 " + min + " 张照片", "Choose at least " + min + " photo(s)");
    if (files.length > MAX_PHOTOS) return msg("最多 9 张照片", "At most 9 photos");
    for (var i = 0; i < files.length; i++) {
      if (TYPES.indexOf(files[i].type) < 0) return files[i].name + ": " + msg("仅支持 JPEG、PNG、WebP", "only JPEG, PNG or WebP");
      if (files[i].size > MAX_PHOTO_BYTES) return files[i].name + ": " + msg("超过 10 MB", "larger than 10 MB");
    }
    return "";
  }
  function upload(files) {
    return Promise.all(Array.prototype.map.call(files, function (f) {
      var fd = new FormData();
      fd.append("file", f, f.name);
      return api("POST", "/api/v1/uploads", fd).then(function (r) { return r.key; });
    }));
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  // The helpers other page scripts (work.js, moderation.js, follow.js) share.
  window.hazardloop = { api: api, upload: upload, uuid: uuid, msg: msg, clearErrors: clearErrors, showError: showError, checkPhotos: checkPhotos, setToken: setToken };

  // Log out.
  var logout = document.getElementById("logout");
  if (logout) logout.addEventListener("click", function () { setToken(""); location.href = "/"; });

  // Log in: one-time code, or a demo user.
  // safeNext is the server's rule (web.SafeNext): only a path of this site,
  // one leading "/", no control character, whitespace or backslash anywhere
  // (browsers drop tabs and line breaks and read "\\" as "/"), no escaped
  // "/" or "\\" at the start; anything else goes home.
  function safeNext(next) {
    if (typeof next !== "string" || next.length === 0 || next.length > 512) return "/";
    if (next.charAt(0) !== "/" || /^\/[\/\\]/.test(next)) return "/";
    if (/[\u0000-\u001f\u007f-\u009f\s\\\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufffd]/.test(next)) return "/";
    var dec;
    try { dec = decodeURIComponent(next); } catch (e) { return "/"; }
    if (/^\/[\/\\]/.test(dec)) return "/";
    var u;
    try { u = new URL(next, location.origin); } catch (e) { return "/"; }
    if (u.origin !== location.origin) return "/";
    return next;
  }
  function loggedIn(res, next) { setToken(res.token); location.href = safeNext(next); }
  var otp = document.getElementById("otp-form");
  if (otp) {
    document.getElementById("send-code").addEventListener("click", function () {
      clearErrors(otp);
      api("POST", "/api/v1/auth/code", { phone: otp.phone.value.trim() })
        .then(function () { otp.code.focus(); }, function (e) { showError(otp, e); });
    });
    otp.addEventListener("submit", function (ev) {
      ev.preventDefault(); clearErrors(otp);
      api("POST", "/api/v1/auth/login", { phone: otp.phone.value.trim(), code: otp.code.value.trim() })
        .then(function (r) { loggedIn(r, otp.dataset.next); }, function (e) { showError(otp, e); });
    });
  }
  document.querySelectorAll(".demo-login").forEach(function (b) {
    b.addEventListener("click", function () {
      api("POST", "/api/v1/demo/login", { user: b.dataset.user }).then(function (r) {
        var next = b.dataset.next;
        if (!next || next === "/") next = r.role === "reporter" || b.dataset.user.indexOf("citizen") === 0 ? "/mine" : "/console";
        loggedIn(r, next);
      });
    });
  });

  // The report form.
  var form = document.getElementById("report-form");
  if (form) {
    var key = uuid(); // one idempotency key per form: a retried submit is the same report
    var desc = form.description, counter = document.getElementById("description-count");
    desc.addEventListener("input", function () { counter.textContent = Array.from(desc.value).length + " / 1000"; });
    var photos = form.photos, previews = document.getElementById("previews");
    photos.addEventListener("change", function () {
      previews.textContent = "";
      var slot = document.getElementById("photos-error");
      slot.textContent = checkPhotos(photos.files, 1);
      Array.prototype.forEach.call(photos.files, function (f) {
        if (TYPES.indexOf(f.type) < 0) return;
        var img = document.createElement("img");
        img.alt = f.name; img.src = URL.createObjectURL(f);
        previews.appendChild(img);
      });
    });
    document.getElementById("locate").addEventListener("click", function () {
      var status = document.getElementById("location-status");
      if (!navigator.geolocation) { status.textContent = msg("浏览器不支持定位", "Location is not available"); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.latitude.value = pos.coords.latitude; form.longitude.value = pos.coords.longitude;
        if (form.coord_system) form.coord_system.value = "WGS84";
        document.dispatchEvent(new CustomEvent("hl:location"));
        status.textContent = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
      }, function (e) { status.textContent = e.message; });
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault(); clearErrors(form);
      var bad = checkPhotos(photos.files, 1);
      if (bad) { document.getElementById("photos-error").textContent = bad; return; }
      var btn = document.getElementById("submit-report"); btn.disabled = true;
      upload(photos.files).then(function (keys) {
        var body = {
          category: form.category.value,
          severity: form.querySelector('input[name="severity"]:checked').value,
          description: desc.value, address: form.address.value, unit: form.unit.value, photos: keys
        };
        if (form.latitude.value) {
          body.latitude = parseFloat(form.latitude.value); body.longitude = parseFloat(form.longitude.value);
          body.coord_system = form.coord_system ? form.coord_system.value : "WGS84";
        }
        return api("POST", "/api/v1/reports", body, { "Idempotency-Key": key });
      }).then(function (r) {
        form.hidden = true;
        document.getElementById("report-ref").textContent = r.ref;
        document.getElementById("report-success").hidden = false;
        if (r.claim_code) document.dispatchEvent(new CustomEvent("hl:claim", { detail: r }));
      }, function (e) { showError(form, e); }).then(function () { btn.disabled = false; });
    });
  }

  // Staff actions on a report.
  var report = document.getElementById("staff-report");
  document.querySelectorAll("form.action").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault(); clearErrors(f);
      var files = f.photos ? f.photos.files : [];
      if (f.photos) { var bad = checkPhotos(files, 1); if (bad) { f.querySelector('[data-error-for="photos"]').textContent = bad; return; } }
      var btn = f.querySelector("button[type=submit]"); btn.disabled = true;
      upload(files).then(function (keys) {
        var body = { expected_version: parseInt(report.dataset.version, 10), note: f.note.value, private_note: f.private_note.value };
        if (f.department) body.department = f.department.value;
        if (keys.length) body.photos = keys;
        return api("POST", "/api/v1/reports/" + report.dataset.id + "/actions/" + f.dataset.action, body);
      }).then(function () { location.reload(); }, function (e) { showError(f, e); btn.disabled = false; });
    });
  });

  // Rewards.
  document.querySelectorAll("button.claim").forEach(function (b) {
    b.addEventListener("click", function () {
      b.disabled = true;
      api("POST", "/api/v1/me/rewards/" + b.dataset.claim + "/claim").then(function () { location.reload(); },
        function (e) { b.parentNode.querySelector(".error").textContent = e.message; b.disabled = false; });
    });
  });

  // Real-name verification.
  var verify = document.getElementById("verify-form");
  if (verify) verify.addEventListener("submit", function (ev) {
    ev.preventDefault(); clearErrors(verify);
    api("POST", "/api/v1/me/verify", { name: verify.name.value.trim(), resident_id: verify.resident_id.value.trim() })
      .then(function () { location.reload(); }, function (e) { showError(verify, e); });
  });

  // Articles (admin).
  var article = document.getElementById("article-form");
  if (article) article.addEventListener("submit", function (ev) {
    ev.preventDefault(); clearErrors(article);
    api("POST", "/api/v1/articles", { title: article.title.value, kind: article.kind.value, body: article.body.value })
      .then(function () { location.reload(); }, function (e) { showError(article, e); });
  });
  document.querySelectorAll("button.publish").forEach(function (b) {
    b.addEventListener("click", function () {
      api("POST", "/api/v1/articles/" + b.dataset.publish + "/publish").then(function () { location.reload(); },
        function (e) { b.parentNode.querySelector(".error").textContent = e.message; });
    });
  });
  // The helpers other page scripts (follow.js) share.
  // follow.js names them window.hl; work.js and moderation.js window.hazardloop (above).
  window.hl = window.hazardloop;

})();
