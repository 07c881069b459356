// The field page's charts: drawn from the readings API for the range in the
// URL, redrawn in place when another range is picked (the URL follows, so a
// shared link shows the same view). Without this script the page still has
// each chart's summary and the tables.
(function () {
  "use strict";
  var C = window.KakashiCharts;
  var cfgEl = document.getElementById("field-config");
  if (!C || !cfgEl || !window.fetch) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var lang = document.documentElement.lang || "en";
  var T = JSON.parse((document.getElementById("kakashi-text") || { textContent: "{}" }).textContent);
  var SPANS = { "6h": 6 * 3600, "24h": 86400, "7d": 7 * 86400, "30d": 30 * 86400 };
  function tr(key, values) {
    var s = T[key] || key;
    for (var k in values || {}) { s = s.split("{" + k + "}").join(values[k]); }
    return s;
  }
  function fmt(v) { return C.fmtNum(v); }

  function summarise(data) {
    var n = 0, sum = 0, lo = null, hi = null;
    data.points.forEach(function (p) {
      var good = data.resolution === "raw" ? (p.quality === "good" && typeof p.value === "number") : p.n_good > 0;
      if (!good) { return; }
      var w = data.resolution === "raw" ? 1 : p.n_good, v = data.resolution === "raw" ? p.value : p.mean;
      var a = data.resolution === "raw" ? v : p.min, b = data.resolution === "raw" ? v : p.max;
      n += w; sum += v * w;
      if (a !== null && (lo === null || a < lo)) { lo = a; }
      if (b !== null && (hi === null || b > hi)) { hi = b; }
    });
    if (!n) { return tr("chart.no_data"); }
    return tr("chart.summary", { n: n, min: fmt(lo), mean: fmt(sum / n), max: fmt(hi), unit: data.unit }) +
      " \u00b7 " + tr(data.resolution === "hour" ? "chart.hourly" : "chart.raw");
  }

  // The range shown: a span ending now follows the clock (live), custom dates do not.
  var view = { key: null, start: 0, end: 0 };
  var LIVE_EVERY_MS = { raw: 10000, hour: 300000 };

  function drawAll(start, end) {
    view.start = start; view.end = end;
    Array.prototype.forEach.call(document.querySelectorAll(".chart[data-device]"), function (box) {
      drawOne(box, start, end);
    });
  }

  function drawOne(box, start, end) {
    var meta = box.parentNode.querySelector("[data-summary]");
    box.dataset.drawnAt = String(Date.now());
    var url = "/api/readings/" + encodeURIComponent(box.dataset.device) + "/" + encodeURIComponent(box.dataset.point) +
      "?resolution=auto&start=" + start + "&end=" + end;
    box.setAttribute("aria-busy", "true");
    fetch(url, { cache: "no-store" })
      .then(function (res) { return res.ok ? res.json() : Promise.reject(res.status); })
      .then(function (data) {
        C.series(box, data.points, { resolution: data.resolution, start: data.start, end: data.end,
          unit: data.unit, tz: cfg.tz, lang: lang, label: box.dataset.label });
        if (meta) { meta.textContent = summarise(data); }
        box.dataset.resolution = data.resolution;
      })
      .catch(function () { if (meta) { meta.textContent = tr("chart.failed"); } })
      .then(function () { box.removeAttribute("aria-busy"); });
  }

  // New readings from the live stream redraw their chart over the range slid to
  // now: every 10 s at most for raw readings, every 5 min for hourly ones (an
  // hour's summary barely moves). A fetch, not a local append: the server thins
  // and rolls up exactly as for the first draw.
  if (window.KakashiLive) {
    window.KakashiLive.on("readings", function (readings) {
      if (!view.key) { return; }
      var now = Date.now();
      (readings || []).forEach(function (r) {
        var box = document.querySelector('.chart[data-device="' + CSS.escape(r.device) + '"][data-point="' + CSS.escape(r.point) + '"]');
        if (!box || box.getAttribute("aria-busy")) { return; }
        var every = LIVE_EVERY_MS[box.dataset.resolution] || LIVE_EVERY_MS.hour;
        if (now - Number(box.dataset.drawnAt || 0) < every) { return; }
        var se = spanOf(view.key);
        drawOne(box, Math.floor(se[0]), Math.ceil(se[1]));
      });
    });
  }

  function spanOf(key) {
    var now = Date.now() / 1000;
    if (key === "season") { return [cfg.planted ? Math.min(cfg.planted, now - 3600) : now - 30 * 86400, now]; }
    return [now - SPANS[key], now];
  }

  var shown = document.getElementById("range-shown");
  var when = C.formatter(lang, cfg.tz, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  document.getElementById("ranges").addEventListener("click", function (ev) {
    var a = ev.target.closest("a[data-range]");
    if (!a || ev.metaKey || ev.ctrlKey || ev.shiftKey) { return; }
    ev.preventDefault();
    var se = spanOf(a.dataset.range);
    Array.prototype.forEach.call(this.querySelectorAll("a[data-range]"), function (x) {
      if (x === a) { x.setAttribute("aria-current", "true"); } else { x.removeAttribute("aria-current"); }
    });
    history.replaceState(null, "", a.getAttribute("href"));
    view.key = a.dataset.range;
    if (shown) { shown.textContent = when.format(new Date(se[0] * 1000)) + " \u2013 " + when.format(new Date(se[1] * 1000)); }
    drawAll(Math.floor(se[0]), Math.ceil(se[1]));
  });

  var current = document.querySelector('#ranges a[aria-current="true"]');
  view.key = current && (current.dataset.range in SPANS || current.dataset.range === "season") ? current.dataset.range : null;
  drawAll(Math.floor(cfg.start), Math.ceil(cfg.end));

  var fbox = document.getElementById("forecast-chart");
  if (fbox) {
    fetch("/api/fields/" + encodeURIComponent(cfg.field) + "/forecasts?start=" + Math.floor(cfg.forecastStart) + "&end=" + Math.ceil(cfg.forecastEnd), { cache: "no-store" })
      .then(function (res) { return res.ok ? res.json() : Promise.reject(res.status); })
      .then(function (data) { C.forecast(fbox, data.forecasts, { tz: cfg.tz, lang: lang, label: document.title }); })
      .catch(function () { /* the table below the chart stays */ });
  }
})();
