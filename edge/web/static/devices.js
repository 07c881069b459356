// Device states (up, down, probing), last success, errors and latency, kept current.
// Values arrive on the live stream (live.js); states are not readings, so this
// asks /api/devices every few seconds while the page is visible.
(function () {
  "use strict";
  var live = window.KakashiLive;
  if (!live || !window.fetch) { return; }
  var PERIOD_MS = 5000;
  function slot(name, id) { return document.querySelectorAll("[" + name + '="' + CSS.escape(id) + '"]'); }
  function set(nodes, build) {
    Array.prototype.forEach.call(nodes, function (node) {
      var next = build();
      var now = node.className.replace(/\s*\bflash\b/, "");
      var cls = next.className === undefined ? now : next.className;
      if (node.innerHTML !== next.innerHTML || now !== cls) {
        node.className = cls; node.innerHTML = next.innerHTML; live.flash(node);
      }
    });
  }
  function esc(s) { var d = document.createElement("div"); d.textContent = s; return d.innerHTML; }
  function update(d) {
    var state = d.enabled ? d.state : "disabled";
    set(slot("data-dev-state", d.id), function () {
      return { className: "badge b-" + state, innerHTML: esc(live.text("state." + state, state)) };
    });
    set(slot("data-dev-latency", d.id), function () {
      return { innerHTML: d.latency_ms === null ? "\u2014" : Math.round(d.latency_ms) + " ms" };
    });
    set(slot("data-dev-errors", d.id), function () {
      var parts = Object.keys(d.errors).filter(function (k) { return d.errors[k]; }).map(function (k) {
        return '<span class="badge b-warn">' + esc(k) + " " + d.errors[k] + "</span> ";
      });
      return { innerHTML: parts.length ? parts.join("") : '<span class="muted">' + esc(live.text("devices.no_errors", "none")) + "</span>" };
    });
    Array.prototype.forEach.call(slot("data-dev-success", d.id), function (node) {
      if (d.last_success_ts === null) { return; }
      var t = node.querySelector("time");
      if (!t) { t = document.createElement("time"); t.setAttribute("data-ago", ""); node.textContent = ""; node.appendChild(t); }
      t.dataset.ts = d.last_success_ts;
      t.textContent = live.ago(d.last_success_ts);
    });
  }
  function tick() {
    if (document.hidden) { return; }
    fetch("/api/devices", { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (res) { return res.ok ? res.json() : []; })
      .then(function (list) { (Array.isArray(list) ? list : list.devices || []).forEach(update); })
      .catch(function () { /* the live indicator already says the gateway is unreachable */ });
  }
  window.setInterval(tick, PERIOD_MS);
})();
