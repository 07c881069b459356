// Live values without reloading: one EventSource on /api/stream per page.
// Server-sent events rather than a websocket: plain HTTP, and the browser
// reconnects by itself after patchy farm Wi-Fi (the server asks for 3 s).
// The page is complete without this script; it only changes text in place.
//
// Markup it updates (any page may use it):
//   data-live="device/point"     the value (data-digits to round)
//   data-live-q="device/point"   the quality badge
//   data-live-ts="device/point"  a <time> of the reading (shown as "2 min ago")
//   time[data-ago]               any time shown relative to now, refreshed
//   data-health="key"            a gateway health figure (see `healthText`)
// Other scripts subscribe with KakashiLive.on("readings" | "health" | "alerts", fn).
(function () {
  "use strict";
  if (window.KakashiLive) { return; } // loaded twice: one stream is enough
  var textEl = document.getElementById("kakashi-text");
  var T = textEl ? JSON.parse(textEl.textContent) : {};
  var lang = document.documentElement.lang || "en";
  var indicator = document.getElementById("live-indicator");
  var listeners = {};

  function tr(key, fallback) { return T[key] || fallback; }
  function emit(name, data) { (listeners[name] || []).forEach(function (fn) { fn(data); }); }
  function each(sel, fn) { Array.prototype.forEach.call(document.querySelectorAll(sel), fn); }
  function attr(name, key) { return "[" + name + '="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]'; }
  function flash(node) {
    node.classList.remove("flash");
    void node.offsetWidth; // restart the animation on every update
    node.classList.add("flash");
  }
  function fmtValue(v, digits) {
    if (v === null || v === undefined) { return "\u2014"; }
    if (typeof v === "number") {
      return digits !== undefined && digits !== "" ? v.toFixed(+digits) : String(Number(v.toPrecision(6)));
    }
    return String(v);
  }

  var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
  function ago(ts) {
    var s = Math.round(ts - Date.now() / 1000);
    if (!rtf) { return new Date(ts * 1000).toLocaleString(lang); }
    var a = Math.abs(s);
    if (a < 45) { return rtf.format(s, "second"); }
    if (a < 2700) { return rtf.format(Math.round(s / 60), "minute"); }
    if (a < 86400) { return rtf.format(Math.round(s / 3600), "hour"); }
    return rtf.format(Math.round(s / 86400), "day");
  }
  function refreshAgo() {
    each("time[data-ago]", function (t) {
      var ts = parseFloat(t.getAttribute("datetime-ts") || t.dataset.ts);
      if (!isNaN(ts)) { t.textContent = ago(ts); }
    });
  }

  function applyReading(r) {
    var key = r.device + "/" + r.point;
    each(attr("data-live", key), function (node) {
      var text = fmtValue(r.value, node.dataset.digits);
      if (node.textContent !== text) { node.textContent = text; flash(node); }
    });
    each(attr("data-live-q", key), function (node) {
      node.className = "q q-" + r.quality;
      node.textContent = tr("quality." + r.quality, r.quality);
    });
    each(attr("data-live-ts", key), function (node) {
      node.dataset.ts = r.ts;
      node.setAttribute("datetime", new Date(r.ts * 1000).toISOString());
      node.textContent = ago(r.ts);
    });
  }

  function bytes(n) {
    if (typeof n !== "number") { return "\u2014"; }
    var u = ["B", "KB", "MB", "GB", "TB"], i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(n < 10 ? 1 : 0) : n) + " " + u[i];
  }
  function duration(s) {
    if (typeof s !== "number") { return "\u2014"; }
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    return d ? d + tr("unit.day", "d") + " " + h + tr("unit.hour", "h") : h ? h + tr("unit.hour", "h") + " " + m + tr("unit.minute", "m") : m + tr("unit.minute", "m");
  }
  // How each health figure reads; the keys are those of the summary's `data-health` slots.
  function healthText(key, s) {
    switch (key) {
      case "uplink": return tr("uplink." + s.uplink, s.uplink);
      case "backlog": return s.outbox_backlog === null || s.outbox_backlog === undefined ? "\u2014" : String(s.outbox_backlog);
      case "disk": return bytes(s.disk_used_bytes) + (s.disk_budget_bytes ? " / " + bytes(s.disk_budget_bytes) : "");
      case "uptime": return duration(s.uptime_s);
      case "tasks": return s.tasks_ok + " / " + s.tasks_total;
    }
    return null;
  }
  function applyHealth(s) {
    if (!s) { return; }
    each("[data-health]", function (node) {
      var text = healthText(node.dataset.health, s);
      if (text !== null && node.textContent !== text) { node.textContent = text; flash(node); }
    });
    var badge = document.getElementById("health-badge");
    if (badge) {
      var level = s.tasks_ok < s.tasks_total || s.storage_open === false ? "bad"
        : (s.uplink !== "off" && s.uplink !== "connected") || s.disk_used_ratio >= 0.8 ? "warn" : "ok";
      badge.dataset.level = level;
      badge.textContent = tr("health." + level, level);
      badge.hidden = false;
    }
  }

  function setState(state) {
    if (!indicator) { return; }
    indicator.dataset.state = state;
    indicator.textContent = tr("live." + state, state);
    indicator.hidden = false;
  }

  window.KakashiLive = {
    on: function (name, fn) { (listeners[name] = listeners[name] || []).push(fn); },
    ago: ago, fmtValue: fmtValue, text: tr, flash: flash
  };

  refreshAgo();
  window.setInterval(refreshAgo, 30000);
  if (!window.EventSource) { return; }
  function connect() {
    var source = new EventSource("/api/stream");
    source.onopen = function () { setState("live"); };
    // The browser retries by itself while CONNECTING; CLOSED means it gave up (the
    // gateway answered an error, e.g. while restarting), so open a new one later.
    source.onerror = function () {
      setState("reconnecting");
      if (source.readyState === 2) { window.setTimeout(connect, 15000); }
    };
    source.addEventListener("readings", function (ev) {
      var list = JSON.parse(ev.data);
      list.forEach(applyReading);
      emit("readings", list);
    });
    source.addEventListener("health", function (ev) {
      var s = JSON.parse(ev.data);
      applyHealth(s.summary || s);
      emit("health", s);
    });
    source.addEventListener("alerts", function (ev) { emit("alerts", JSON.parse(ev.data)); });
    window.addEventListener("pagehide", function () { source.close(); });
  }
  connect();
})();
