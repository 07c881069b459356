// Small SVG charts drawn from coordinates: a time series (line, with the
// hourly min-max band when the data is rolled up) and a forecast history
// (p50 line in its p10-p90 band). No library: the Pi serves every byte.
// Times are seconds since the epoch; ticks and tooltips use the site's zone.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var H = 190, M = { l: 44, r: 10, t: 10, b: 24 };
  var HOUR = 3600, DAY = 86400;
  var STEPS = [HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 3 * DAY, 7 * DAY, 10 * DAY, 14 * DAY, 30 * DAY];

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) { node.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function r1(x) { return Math.round(x * 10) / 10; }
  function fmtNum(v) {
    if (v === null || v === undefined || isNaN(v)) { return "\u2014"; }
    return String(Number(Number(v).toPrecision(4)));
  }
  function formatter(lang, tz, opts) {
    try { return new Intl.DateTimeFormat(lang, Object.assign({ timeZone: tz }, opts)); }
    catch (e) { return new Intl.DateTimeFormat(lang, opts); }
  }
  // The site zone's offset from UTC at time t (seconds), so ticks fall on local hours and midnights.
  function zoneOffset(t, tz) {
    var p = {};
    formatter("en-US", tz, { year: "numeric", month: "numeric", day: "numeric", hour: "numeric",
      minute: "numeric", second: "numeric", hourCycle: "h23" }).formatToParts(new Date(t * 1000))
      .forEach(function (x) { p[x.type] = x.value; });
    return (Date.UTC(+p.year, p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second) / 1000) - Math.floor(t);
  }
  function niceTicks(lo, hi, n) {
    var span = hi - lo || 1, raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * mag; }).filter(function (s) { return s >= raw; })[0];
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) { out.push(Number(v.toPrecision(10))); }
    return out;
  }

  // A frame: scales, axes and the tooltip wiring shared by both charts.
  function frame(box, x0, x1, y0, y1, o) {
    box.textContent = "";
    var W = Math.max(280, Math.round(box.clientWidth || 600));
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": o.label || "" }, box);
    if (y1 === y0) { y0 -= 1; y1 += 1; }
    var pad = (y1 - y0) * 0.08; y0 -= pad; y1 += pad;
    if (x1 === x0) { x0 -= HOUR; x1 += HOUR; }
    var f = {
      svg: svg, W: W,
      x: function (t) { return r1(M.l + (t - x0) / (x1 - x0) * (W - M.l - M.r)); },
      y: function (v) { return r1(H - M.b - (v - y0) / (y1 - y0) * (H - M.t - M.b)); },
      t: function (px) { return x0 + (px - M.l) / (W - M.l - M.r) * (x1 - x0); }
    };
    var axis = el("g", { "class": "axis" }, svg);
    niceTicks(y0, y1, 4).forEach(function (v) {
      el("line", { "class": "grid-line", x1: M.l, x2: W - M.r, y1: f.y(v), y2: f.y(v) }, axis);
      el("text", { x: M.l - 5, y: f.y(v) + 4, "text-anchor": "end" }, axis).textContent = fmtNum(v);
    });
    var span = x1 - x0, want = Math.max(3, Math.floor((W - M.l - M.r) / 64));
    var step = STEPS.filter(function (s) { return span / s <= want; })[0] || STEPS[STEPS.length - 1];
    var off = zoneOffset((x0 + x1) / 2, o.tz);
    var lab = formatter(o.lang, o.tz, step < DAY ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : { month: "numeric", day: "numeric" });
    for (var t = Math.ceil((x0 + off) / step) * step - off; t <= x1; t += step) {
      el("line", { x1: f.x(t), x2: f.x(t), y1: H - M.b, y2: H - M.b + 4 }, axis);
      el("text", { x: f.x(t), y: H - 6, "text-anchor": "middle" }, axis).textContent = lab.format(new Date(t * 1000));
    }
    el("line", { x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b }, axis);
    return f;
  }

  // Tap or hover shows the nearest point's value and time.
  function tooltip(box, f, pts, text) {
    if (!pts.length) { return; }
    var tip = document.createElement("div"); tip.className = "tip"; tip.hidden = true; box.appendChild(tip);
    var cur = el("line", { "class": "cursor", y1: M.t, y2: H - M.b, visibility: "hidden" }, f.svg);
    var dot = el("circle", { "class": "dot", r: 4, visibility: "hidden" }, f.svg);
    function show(ev) {
      var rect = f.svg.getBoundingClientRect(), px = (ev.clientX - rect.left) * f.W / rect.width, t = f.t(px);
      var best = pts[0];
      pts.forEach(function (p) { if (Math.abs(p.t - t) < Math.abs(best.t - t)) { best = p; } });
      var x = f.x(best.t), y = f.y(best.v);
      cur.setAttribute("x1", x); cur.setAttribute("x2", x); dot.setAttribute("cx", x); dot.setAttribute("cy", y);
      cur.setAttribute("visibility", "visible"); dot.setAttribute("visibility", "visible");
      tip.textContent = text(best); tip.hidden = false;
      var left = x * rect.width / f.W;
      tip.style.left = Math.max(0, Math.min(left - tip.offsetWidth / 2, rect.width - tip.offsetWidth)) + "px";
    }
    f.svg.addEventListener("pointerdown", show);
    f.svg.addEventListener("pointermove", show);
    f.svg.addEventListener("pointerleave", function (ev) {
      if (ev.pointerType === "mouse") { tip.hidden = true; cur.setAttribute("visibility", "hidden"); dot.setAttribute("visibility", "hidden"); }
    });
  }

  // Contiguous runs: a gap wider than `gap` seconds breaks the line rather than inventing data.
  function runs(pts, gap) {
    var out = [], cur = [];
    pts.forEach(function (p, i) {
      if (i && p.t - pts[i - 1].t > gap) { out.push(cur); cur = []; }
      cur.push(p);
    });
    if (cur.length) { out.push(cur); }
    return out;
  }
  function typicalGap(pts) {
    var d = [];
    for (var i = 1; i < pts.length; i++) { d.push(pts[i].t - pts[i - 1].t); }
    d.sort(function (a, b) { return a - b; });
    return d.length ? Math.max(d[Math.floor(d.length / 2)] * 3, 60) : HOUR;
  }
  function linePath(f, run, key) {
    return run.map(function (p, i) { return (i ? "L" : "M") + f.x(p.t) + " " + f.y(p[key]); }).join("");
  }
  function bandPath(f, run, lo, hi) {
    var top = run.map(function (p, i) { return (i ? "L" : "M") + f.x(p.t) + " " + f.y(p[hi]); }).join("");
    var back = run.slice().reverse().map(function (p) { return "L" + f.x(p.t) + " " + f.y(p[lo]); }).join("");
    return top + back + "Z";
  }

  // rows: raw [{ts, value, quality}] or hourly [{ts, mean, min, max}]; only numbers are drawn.
  function series(box, rows, o) {
    var hourly = o.resolution === "hour";
    var pts = [];
    rows.forEach(function (r) {
      var v = hourly ? r.mean : r.value;
      if (typeof v !== "number" || (!hourly && r.quality && r.quality !== "good")) { return; }
      pts.push({ t: hourly ? r.ts + HOUR / 2 : r.ts, v: v, lo: hourly ? r.min : v, hi: hourly ? r.max : v });
    });
    var ys = [];
    pts.forEach(function (p) { ys.push(p.lo, p.hi); });
    var f = frame(box, o.start, o.end, ys.length ? Math.min.apply(null, ys) : 0, ys.length ? Math.max.apply(null, ys) : 1, o);
    f.svg.setAttribute("data-points", pts.length);
    var parts = runs(pts, hourly ? 2.5 * HOUR : typicalGap(pts));
    if (hourly) { el("path", { "class": "band", d: parts.map(function (r) { return bandPath(f, r, "lo", "hi"); }).join("") }, f.svg); }
    el("path", { "class": "line", d: parts.map(function (r) { return linePath(f, r, "v"); }).join("") }, f.svg);
    var when = formatter(o.lang, o.tz, { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    tooltip(box, f, pts, function (p) {
      var range = hourly ? " (" + fmtNum(p.lo) + "\u2013" + fmtNum(p.hi) + ")" : "";
      return fmtNum(p.v) + " " + (o.unit || "") + range + " \u00b7 " + when.format(new Date(p.t * 1000));
    });
    return pts.length;
  }

  // rows: [{ts, p10, p50, p90}] oldest first; the newest band is outlined as the one that counts now.
  function forecast(box, rows, o) {
    var pts = rows.filter(function (r) { return typeof r.p50 === "number"; })
      .map(function (r) { return { t: r.ts, v: r.p50, lo: r.p10, hi: r.p90 }; });
    if (!pts.length) { return 0; }
    var ys = [];
    pts.forEach(function (p) { ys.push(p.lo, p.hi); });
    var first = pts[0].t, last = pts[pts.length - 1].t, pad = Math.max((last - first) * 0.04, HOUR);
    var f = frame(box, first - pad, last + pad, Math.min(0, Math.min.apply(null, ys)), Math.max.apply(null, ys), o);
    f.svg.setAttribute("data-points", pts.length);
    var parts = runs(pts, Math.max(typicalGap(pts), 2 * DAY));
    el("path", { "class": "fc-band", d: parts.map(function (r) { return bandPath(f, r, "lo", "hi"); }).join("") }, f.svg);
    el("path", { "class": "fc-line", d: parts.map(function (r) { return linePath(f, r, "v"); }).join("") }, f.svg);
    var p = pts[pts.length - 1];
    el("rect", { "class": "fc-latest", x: f.x(p.t) - 5, width: 10, y: f.y(p.hi), height: Math.max(1, f.y(p.lo) - f.y(p.hi)) }, f.svg);
    var when = formatter(o.lang, o.tz, { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    tooltip(box, f, pts, function (q) {
      return fmtNum(q.v) + " t/ha (" + fmtNum(q.lo) + "\u2013" + fmtNum(q.hi) + ") \u00b7 " + when.format(new Date(q.t * 1000));
    });
    return pts.length;
  }

  window.KakashiCharts = { series: series, forecast: forecast, fmtNum: fmtNum, formatter: formatter };
})();
