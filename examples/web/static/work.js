// hazardloop regulators' pages: starting an inspection, filling it item by
// item on a phone, spot checks. Each item's result goes to the server as
// soon as it is given (POST /api/v1/inspections/{id}/results); what could
// not be sent yet waits in localStorage and is sent when the network is
// back, so a reload or a dropped connection loses nothing. No rule lives
// here: whatever the API refuses is shown next to its item.
"use strict";
(function () {
  var hl = window.hazardloop;
  if (!hl) return;
  var api = hl.api, msg = hl.msg;

  function dateTime(d) { return d ? d + "T00:00:00Z" : undefined; }

  // Starting an inspection or a self-check from a unit's page.
  var start = document.getElementById("start-form");
  if (start) start.addEventListener("submit", function (ev) {
    ev.preventDefault(); hl.clearErrors(start);
    var body = { kind: start.dataset.kind, unit_id: start.dataset.unit, checklist: start.checklist.value };
    if (start.inspectors) {
      body.inspectors = [start.dataset.me];
      start.inspectors.value.split(/[\s,，]+/).forEach(function (s) { if (s) body.inspectors.push(s); });
    }
    api("POST", "/api/v1/inspections", body).then(function (v) { location.href = "/work/inspections/" + v.id; },
      function (e) { hl.showError(start, e); });
  });

  // An inspection filled item by item.
  var page = document.getElementById("inspection");
  if (page && page.dataset.status === "open") fill(page);

  function fill(page) {
    var id = page.dataset.id, version = parseInt(page.dataset.version, 10);
    var qkey = "hl_insp:" + id, pkey = "hl_insp_photos:" + id, fkey = "hl_insp_finish:" + id;
    var status = document.getElementById("sync-status");
    var items = {};
    page.querySelectorAll("li.item").forEach(function (li) { items[li.dataset.item] = li; });
    function load(k, d) { try { return JSON.parse(localStorage.getItem(k)) || d; } catch (e) { return d; } }
    function save(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch (e) { /* full: the server keeps what was sent */ } }
    var queue = load(qkey, []), photos = load(pkey, {}), busy = false, timer = null;

    function progress() {
      var n = 0;
      Object.keys(items).forEach(function (k) { if (items[k].dataset.outcome) n++; });
      document.getElementById("progress-count").textContent = n;
      status.textContent = queue.length ? msg("待发送 " + queue.length + " 项", queue.length + " waiting to be sent") : msg("已保存", "Saved");
      status.dataset.pending = queue.length;
    }
    function show(li, outcome) {
      li.dataset.outcome = outcome || "";
      li.querySelectorAll("button.outcome").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.outcome === outcome)); });
    }
    function enqueue(op) {
      queue = queue.filter(function (q) { return !(q.type === op.type && q.item === op.item); });
      queue.push(op); save(qkey, queue); progress(); flush();
    }
    function resultOf(li) {
      return { type: "result", item: li.dataset.item, outcome: li.dataset.outcome, note: li.querySelector(".note").value, photos: photos[li.dataset.item] || [] };
    }
    function send(op) {
      if (op.type === "trained") return api("PUT", "/api/v1/inspections/" + id + "/trained", { expected_version: version, count: op.count, topic: op.topic });
      return api("POST", "/api/v1/inspections/" + id + "/results", { expected_version: version, item: op.item, outcome: op.outcome, note: op.note, photos: op.photos });
    }
    function offline() { return typeof navigator.onLine === "boolean" && !navigator.onLine; }
    function retryLater() { clearTimeout(timer); timer = setTimeout(flush, 3000); }
    // flush sends the queue in order. A stale version reloads the
    // inspection's version and tries again; a refusal drops the op and
    // shows why; a network failure keeps it for later.
    function flush() {
      if (busy || !queue.length) return Promise.resolve();
      if (offline()) { progress(); retryLater(); return Promise.resolve(); }
      busy = true;
      var op = queue[0];
      return send(op).then(function (v) {
        version = v.version; queue.shift(); save(qkey, queue);
        if (op.item && items[op.item]) items[op.item].querySelector(".error").textContent = "";
      }, function (e) {
        if (e.status === 409 && e.field === "expected_version") {
          return api("GET", "/api/v1/inspections/" + id).then(function (v) { version = v.version; });
        }
        if (e.status) { // refused: say why, next to the item
          queue.shift(); save(qkey, queue);
          var slot = op.item && items[op.item] ? items[op.item].querySelector(".error") : document.getElementById("finish-error");
          slot.textContent = e.message + (e.fields ? " " + e.fields.map(function (f) { return f.message; }).join(" ") : "");
          if (op.item && items[op.item]) show(items[op.item], "");
          return;
        }
        retryLater(); throw e;
      }).then(function () { busy = false; progress(); return flush(); }, function () { busy = false; progress(); });
    }
    window.addEventListener("online", flush);

    Object.keys(items).forEach(function (code) {
      var li = items[code];
      li.querySelectorAll("button.outcome").forEach(function (b) {
        b.addEventListener("click", function () { show(li, b.dataset.outcome); enqueue(resultOf(li)); });
      });
      li.querySelector(".note").addEventListener("change", function () { if (li.dataset.outcome) enqueue(resultOf(li)); });
      var input = li.querySelector("input.photo");
      input.addEventListener("change", function () {
        var err = li.querySelector(".error");
        err.textContent = hl.checkPhotos(input.files, 1);
        if (err.textContent) return;
        var thumb = document.createElement("img");
        thumb.src = URL.createObjectURL(input.files[0]); thumb.width = thumb.height = 48; thumb.alt = "";
        li.querySelector(".thumbs").appendChild(thumb);
        hl.upload(input.files).then(function (keys) {
          photos[code] = (photos[code] || []).concat(keys); save(pkey, photos);
          li.dataset.photos = photos[code].length;
          if (li.dataset.outcome) enqueue(resultOf(li));
        }, function (e) {
          thumb.remove();
          err.textContent = (e && e.message) || msg("照片未上传，请联网后重新拍照", "The photo was not sent: take it again when online");
        });
      });
    });
    // What waits in the queue shows as given.
    queue.forEach(function (op) { if (op.type === "result" && items[op.item]) { show(items[op.item], op.outcome); items[op.item].querySelector(".note").value = op.note || ""; } });
    Object.keys(items).forEach(function (code) { var li = items[code]; if (li.dataset.outcome && !queue.some(function (q) { return q.item === code; })) show(li, li.dataset.outcome); });

    var trained = document.getElementById("trained-form");
    trained.addEventListener("submit", function (ev) {
      ev.preventDefault(); hl.clearErrors(trained);
      enqueue({ type: "trained", count: parseInt(trained.count.value || "0", 10), topic: trained.topic.value });
    });

    var finish = document.getElementById("finish"), ferr = document.getElementById("finish-error");
    finish.addEventListener("click", function () {
      ferr.textContent = ""; finish.disabled = true;
      flush().then(function () {
        if (queue.length) throw { message: msg("仍有未发送的结果，请联网后再完成", "Some results are not sent yet: finish when online") };
        // One key per inspection, kept across reloads: finishing twice is
        // finishing once.
        var key = localStorage.getItem(fkey) || hl.uuid();
        localStorage.setItem(fkey, key);
        return api("POST", "/api/v1/inspections/" + id + "/finish", { expected_version: version }, { "Idempotency-Key": key });
      }).then(function () {
        [qkey, pkey, fkey].forEach(function (k) { localStorage.removeItem(k); });
        location.reload();
      }, function (e) {
        ferr.textContent = (e && e.message) || String(e);
        if (e && e.fields) e.fields.forEach(function (f) { ferr.textContent += " " + f.field + ": " + f.message; });
        finish.disabled = false;
      });
    });
    progress(); flush();
  }

  // Spot checks: draw, then verify each drawn hazard.
  var draw = document.getElementById("draw-form");
  if (draw) draw.addEventListener("submit", function (ev) {
    ev.preventDefault(); hl.clearErrors(draw);
    var body = { department: draw.department.value, industry: draw.industry.value.trim(), since: dateTime(draw.since.value),
      until: dateTime(draw.until.value), size: parseInt(draw.size.value || "0", 10), seed: parseInt(draw.seed.value || "0", 10) };
    api("POST", "/api/v1/spot-checks", body).then(function (sc) { location.href = "/work/spot-checks/" + sc.id; },
      function (e) { hl.showError(draw, e); });
  });
  var spot = document.getElementById("spot-check");
  if (spot) spot.querySelectorAll("button.verify").forEach(function (b) {
    b.addEventListener("click", function () {
      var li = b.closest("li");
      b.disabled = true;
      api("POST", "/api/v1/spot-checks/" + spot.dataset.id + "/verify", { expected_version: parseInt(spot.dataset.version, 10),
        hazard_id: li.dataset.hazard, passed: b.dataset.passed === "true", note: li.querySelector(".spot-note").value })
        .then(function () { location.reload(); }, function (e) { li.querySelector(".error").textContent = e.message; b.disabled = false; });
    });
  });
})();
