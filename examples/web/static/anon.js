// hazardloop pages: anonymous reports (device ID, claim code and its QR
// code), following, reopening, answering "is it fixed?" and binding with a
// claim code, and the signed-in reporter's reopening and "is it fixed?"
// answers. No rule lives here: whatever the
// API refuses is shown next to its field.
"use strict";
(function () {
  var en = document.body.dataset.lang === "en";

  // hlDevice returns this browser's random device ID, made once and kept:
  // the API limits and scopes anonymous reports by it.
  window.hlDevice = function () {
    var id = "";
    try { id = localStorage.getItem("hl_device") || ""; } catch (e) { id = ""; }
    if (id.length < 16) {
      var b = new Uint8Array(16);
      crypto.getRandomValues(b);
      id = Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
      try { localStorage.setItem("hl_device", id); } catch (e) { /* private mode: a new ID per page */ }
    }
    return id;
  };
  function token() {
    var m = document.cookie.match(/(?:^|; )hl_token=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function api(method, path, body) {
    var h = { "Accept": "application/json" };
    var t = token();
    if (t) h["Authorization"] = "Bearer " + t; else h["X-Device-ID"] = window.hlDevice();
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
  function showError(form, err) {
    var name = (err.field || "").replace(/\[\d+\]$/, "");
    var slot = form.querySelector('[data-error-for="' + name + '"]') || form.querySelector('[data-error-for=""]');
    if (slot) slot.textContent = err.message;
  }
  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
  }
  function uploadAll(files) {
    return Promise.all(Array.prototype.map.call(files || [], function (f) {
      var fd = new FormData();
      fd.append("file", f, f.name);
      return api("POST", "/api/v1/uploads", fd).then(function (r) { return r.key; });
    }));
  }

  // The claim code of an anonymous report, shown once with its QR code.
  document.addEventListener("hl:claim", function (ev) {
    var box = document.getElementById("claim-box");
    if (!box) return;
    var code = ev.detail.claim_code;
    document.getElementById("claim-code").textContent = code;
    box.hidden = false;
    var fd = new URLSearchParams();
    fd.set("code", code);
    fetch("/claim/qr", { method: "POST", body: fd }).then(function (res) {
      if (!res.ok) throw new Error(res.statusText);
      return res.blob();
    }).then(function (b) { document.getElementById("claim-qr").src = URL.createObjectURL(b); }, function () { /* the code is shown in text */ });
  });

  // Following, aftercare and binding with a claim code.
  var claimForm = document.getElementById("claim-form");
  if (claimForm) {
    var stateName = function (s) {
      var el = document.querySelector('#claim-states [data-state="' + s + '"]');
      return el ? el.textContent : s;
    };
    var current = "", version = 0;
    var aftercare = document.getElementById("claim-aftercare");
    var fixedBox = document.getElementById("claim-fixed");
    var done = document.getElementById("claim-aftercare-done");
    // show renders the report as the code shows it: its state, timeline,
    // binding and what the holder may do with the code (reopen, answer
    // "is it fixed?"), as the API says.
    var show = function (r) {
      version = r.version;
      document.getElementById("claim-result").hidden = false;
      document.getElementById("claim-ref").textContent = r.ref;
      var st = document.getElementById("claim-state");
      st.textContent = stateName(r.state); st.dataset.state = r.state;
      document.getElementById("claim-desc").textContent = r.description;
      var tl = document.getElementById("claim-timeline");
      tl.textContent = "";
      (r.timeline || []).forEach(function (e) {
        var li = document.createElement("li");
        li.textContent = new Date(e.time).toLocaleString(en ? "en" : "zh-CN") + " " + (e.to ? stateName(e.to) : (e.action || e.type)) + (e.note ? " · " + e.note : "");
        tl.appendChild(li);
      });
      document.getElementById("claim-bound").hidden = !r.bound;
      document.getElementById("claim-unbound").hidden = r.bound;
      var byWrap = document.getElementById("claim-by-wrap");
      byWrap.hidden = !r.claim_by;
      if (r.claim_by) document.getElementById("claim-by").textContent = new Date(r.claim_by).toLocaleDateString(en ? "en" : "zh-CN");
      var bind = document.getElementById("claim-bind");
      if (bind) bind.hidden = r.bound;
      var reopen = (r.actions || []).some(function (a) { return a.name === "reopen"; });
      fixedBox.hidden = !r.fixed_check;
      aftercare.hidden = !(reopen || r.fixed_check);
      aftercare.dataset.mode = r.fixed_check ? "no" : "reopen";
      var btn = document.getElementById("claim-reopen");
      btn.textContent = r.fixed_check ? btn.dataset.labelNo : btn.dataset.labelReopen;
      btn.disabled = false;
    };
    var follow = function () {
      clearErrors(claimForm);
      done.hidden = true;
      var code = claimForm.claim_code.value.trim();
      api("POST", "/api/v1/claims/follow", { claim_code: code }).then(function (r) {
        current = code;
        show(r);
      }, function (e) { document.getElementById("claim-result").hidden = true; showError(claimForm, e); });
    };
    var answered = function (r, key) {
      show(r);
      done.textContent = done.dataset[key];
      done.hidden = false;
    };
    // Reopening, or a "no" to "is it fixed?", with a reason and a photo
    // uploaded from this device (or the signed-in account).
    aftercare.addEventListener("submit", function (ev) {
      ev.preventDefault(); clearErrors(aftercare);
      var btn = document.getElementById("claim-reopen"); btn.disabled = true;
      uploadAll(aftercare.photos.files).then(function (keys) {
        var body = { claim_code: current, expected_version: version, note: aftercare.note.value, photos: keys };
        if (aftercare.dataset.mode === "no") {
          body.fixed = false;
          return api("POST", "/api/v1/claims/fixed", body);
        }
        return api("POST", "/api/v1/claims/reopen", body);
      }).then(function (r) { aftercare.reset(); answered(r, "reopened"); }, function (e) { showError(aftercare, e); btn.disabled = false; });
    });
    document.getElementById("claim-fixed-yes").addEventListener("click", function (ev) {
      var b = ev.currentTarget; b.disabled = true;
      clearErrors(aftercare);
      api("POST", "/api/v1/claims/fixed", { claim_code: current, expected_version: version, fixed: true })
        .then(function (r) { b.disabled = false; answered(r, "answered"); }, function (e) { b.disabled = false; showError(aftercare, e); aftercare.hidden = false; });
    });
    claimForm.addEventListener("submit", function (ev) { ev.preventDefault(); follow(); });
    var bind = document.getElementById("claim-bind");
    if (bind) bind.addEventListener("click", function () {
      bind.disabled = true;
      document.getElementById("claim-bind-error").textContent = "";
      api("POST", "/api/v1/claims/bind", { claim_code: current }).then(function () {
        document.getElementById("claim-bind-done").hidden = false;
        bind.hidden = true;
        document.getElementById("claim-bound").hidden = false;
        document.getElementById("claim-unbound").hidden = true;
      }, function (e) { document.getElementById("claim-bind-error").textContent = e.message; bind.disabled = false; });
    });
    if (location.hash.length > 1) {
      claimForm.claim_code.value = decodeURIComponent(location.hash.slice(1));
      history.replaceState(null, "", location.pathname); // the code leaves the address bar
      follow();
    }
  }

  // The reporter's "is it fixed?" answers and reopening.
  document.querySelectorAll("[data-report] .fixed-yes").forEach(function (b) {
    b.addEventListener("click", function () {
      var card = b.closest("[data-report]");
      b.disabled = true;
      api("POST", "/api/v1/reports/" + card.dataset.report + "/fixed", { expected_version: parseInt(card.dataset.version, 10), fixed: true })
        .then(function () { location.reload(); }, function (e) { b.disabled = false; card.querySelector("form .error[data-error-for='']").textContent = e.message; });
    });
  });
  document.querySelectorAll("[data-report] form.aftercare").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault(); clearErrors(f);
      var card = f.closest("[data-report]");
      var btn = f.querySelector("button[type=submit]"); btn.disabled = true;
      uploadAll(f.photos.files).then(function (keys) {
        var v = parseInt(card.dataset.version, 10);
        if (f.dataset.mode === "no") {
          return api("POST", "/api/v1/reports/" + card.dataset.report + "/fixed", { expected_version: v, fixed: false, note: f.note.value, photos: keys });
        }
        return api("POST", "/api/v1/reports/" + card.dataset.report + "/actions/reopen", { expected_version: v, note: f.note.value, photos: keys });
      }).then(function () { location.reload(); }, function (e) { showError(f, e); btn.disabled = false; });
    });
  });
})();
