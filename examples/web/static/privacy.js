// The console's reveal-contact form: the reason is sent to the API, which
// logs the access before it answers with the contact.
(function () {
  "use strict";
  var form = document.getElementById("reveal-contact");
  if (!form) return;
  var en = document.body.dataset.lang === "en";
  function token() {
    var m = document.cookie.match(/(?:^|; )hl_token=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    form.querySelectorAll("[data-error-for]").forEach(function (el) { el.textContent = ""; });
    var btn = document.getElementById("reveal-submit");
    var out = document.getElementById("contact-shown");
    btn.disabled = true;
    fetch("/api/v1/reports/" + encodeURIComponent(form.dataset.id) + "/contact", {
      method: "POST",
      headers: { "Accept": "application/json", "Content-Type": "application/json", "Authorization": "Bearer " + token() },
      body: JSON.stringify({ reason: form.reason.value })
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) throw (data && data.error) || { message: String(res.status) };
        return data;
      });
    }).then(function (c) {
      out.textContent = (en ? "Contact: " : "联系方式：") + [c.name, c.phone].filter(Boolean).join(" ");
      form.reason.disabled = true;
    }, function (e) {
      var slot = form.querySelector('[data-error-for="' + (e.field || "") + '"]') || form.querySelector('[data-error-for=""]');
      slot.textContent = e.message || (en ? "Failed" : "失败");
      btn.disabled = false;
    });
  });
})();
