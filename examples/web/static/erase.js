// The deletion of one's account on /mine/data: the confirming word goes to
// the API, which decides; its answer (or its refusal) is shown here. On
// success the token is dropped: it no longer works anyway.
(function () {
  "use strict";
  var form = document.getElementById("erase-form");
  if (!form) return;
  var hl = window.hazardloop;
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    hl.clearErrors(form);
    if (!document.getElementById("erase-understand").checked) {
      hl.showError(form, { field: "understand", message: hl.msg("请勾选确认", "Tick to confirm") });
      return;
    }
    var btn = document.getElementById("erase-submit");
    btn.disabled = true;
    hl.api("POST", "/api/v1/me/erase", { confirm: form.confirm.value }).then(function (r) {
      hl.setToken("");
      form.hidden = true;
      var dl = document.getElementById("my-data-download");
      if (dl) dl.parentNode.hidden = true; // nothing left to download
      document.getElementById("erase-pseudonym").textContent = r.pseudonym;
      document.getElementById("erase-later").hidden = !!r.done;
      document.getElementById("erase-result").hidden = false;
      var pending = document.getElementById("erase-pending");
      if (pending) pending.hidden = true;
    }, function (err) {
      hl.showError(form, err);
      btn.disabled = false;
    });
  });
})();
