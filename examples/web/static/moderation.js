// hazardloop moderation and response template pages. No rule lives here:
// the API decides, and its refusals are shown next to their fields.
"use strict";
(function () {
  var hl = window.hazardloop;
  if (!hl) return;
  var api = hl.api, showError = hl.showError, clearErrors = hl.clearErrors;
  var en = document.body.dataset.lang === "en";
  var SCALE = 1000; // a region is in thousandths of the photo's sides

  // Moderating a report: one form, one button per action.
  var view = document.getElementById("mod-view");
  var form = document.getElementById("mod-form");
  function moderate(body, errSlot) {
    body.expected_version = Number(view.dataset.version);
    body.reason = form.reason.value;
    return api("POST", "/api/v1/reports/" + view.dataset.id + "/moderation", body)
      .then(function () { location.reload(); }, function (e) {
        if (errSlot) errSlot.textContent = e.message;
        showError(form, e);
      });
  }
  if (view && form) {
    form.querySelectorAll("[data-mod]").forEach(function (b) {
      b.addEventListener("click", function () {
        clearErrors(form);
        var body = { action: b.dataset.mod };
        if (b.dataset.mod === "edit") body.description = form.description.value;
        moderate(body);
      });
    });
  }

  // Redacting a photo: drag a rectangle on it, then choose the style.
  document.querySelectorAll("figure.redact").forEach(function (fig) {
    var area = fig.querySelector(".redact-area"), box = fig.querySelector(".redact-box");
    var img = area.querySelector("img"), btn = fig.querySelector("[data-redact]");
    var err = fig.querySelector(".error"), start = null, region = null;
    function point(ev) {
      var r = img.getBoundingClientRect();
      return { x: Math.min(Math.max(ev.clientX - r.left, 0), r.width), y: Math.min(Math.max(ev.clientY - r.top, 0), r.height), w: r.width, h: r.height };
    }
    area.addEventListener("pointerdown", function (ev) {
      ev.preventDefault();
      start = point(ev);
      area.setPointerCapture(ev.pointerId);
    });
    area.addEventListener("pointermove", function (ev) {
      if (!start) return;
      var p = point(ev);
      var x = Math.min(start.x, p.x), y = Math.min(start.y, p.y), w = Math.abs(p.x - start.x), h = Math.abs(p.y - start.y);
      box.hidden = false;
      box.style.left = x + "px"; box.style.top = y + "px"; box.style.width = w + "px"; box.style.height = h + "px";
      region = {
        x: Math.floor(x / p.w * SCALE), y: Math.floor(y / p.h * SCALE),
        w: Math.max(1, Math.round(w / p.w * SCALE)), h: Math.max(1, Math.round(h / p.h * SCALE))
      };
      region.w = Math.min(region.w, SCALE - region.x);
      region.h = Math.min(region.h, SCALE - region.y);
      btn.disabled = false;
    });
    area.addEventListener("pointerup", function () { start = null; });
    btn.addEventListener("click", function () {
      if (!region) return;
      clearErrors(form);
      err.textContent = "";
      api("POST", "/api/v1/reports/" + view.dataset.id + "/moderation/redact", {
        photo: fig.dataset.photo, region: region, style: fig.querySelector("select[name=style]").value,
        reason: form.reason.value, expected_version: Number(view.dataset.version)
      }).then(function () { location.reload(); }, function (e) { err.textContent = e.message; showError(form, e); });
    });
    fig.querySelectorAll("[data-photo-mod]").forEach(function (b) {
      b.addEventListener("click", function () {
        clearErrors(form);
        err.textContent = "";
        moderate({ action: b.dataset.photoMod, photo: fig.dataset.photo }, err);
      });
    });
  });

  // Picking a response template for an action: the note is filled in,
  // still editable before the action is sent.
  document.querySelectorAll("select.note-template").forEach(function (sel) {
    var note = sel.form && sel.form.note;
    api("GET", "/api/v1/reports/" + sel.dataset.report + "/notes?action=" + encodeURIComponent(sel.dataset.action)).then(function (res) {
      (res.items || []).forEach(function (n) {
        var o = document.createElement("option");
        o.value = (en && n.text_en) ? n.text_en : n.text_zh;
        o.textContent = n.title;
        sel.appendChild(o);
      });
      sel.dataset.loaded = String((res.items || []).length);
    }, function () { sel.dataset.loaded = "0"; });
    sel.addEventListener("change", function () { if (note && sel.value) note.value = sel.value; });
  });

  // Managing response templates.
  document.querySelectorAll("form.tpl-form").forEach(function (f) {
    f.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearErrors(f);
      var body = {};
      // Read by name: a control named "action" would shadow form.action.
      function val(k) { return f.querySelector('[name="' + k + '"]').value; }
      ["title", "action", "state", "category", "text_zh", "text_en"].forEach(function (k) { body[k] = val(k); });
      var req;
      if (f.dataset.id) {
        body.expected_version = Number(f.dataset.version);
        req = api("PUT", "/api/v1/reply-templates/" + encodeURIComponent(f.dataset.id), body);
      } else {
        body.id = val("id");
        req = api("POST", "/api/v1/reply-templates", body);
      }
      req.then(function () { location.reload(); }, function (e) { showError(f, e); });
    });
    var del = f.querySelector("[data-delete]");
    if (del) del.addEventListener("click", function () {
      api("DELETE", "/api/v1/reply-templates/" + encodeURIComponent(f.dataset.id) + "?expected_version=" + f.dataset.version)
        .then(function () { location.reload(); }, function (e) { showError(f, e); });
    });
  });
})();
