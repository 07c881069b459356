// Keeps the latest-readings table current without reloading the page.
// Polling (not a socket) because it survives patchy farm Wi-Fi with no
// reconnect logic: a failed fetch is just retried on the next tick.
(function () {
  "use strict";
  var table = document.getElementById("readings");
  var status = document.getElementById("live-status");
  if (!table || !window.fetch) { return; }
  var body = table.tBodies[0];
  var PERIOD_MS = 2000;

  function fmtValue(v) {
    if (v === null || v === undefined) { return "\u2014"; }
    if (typeof v === "number") { return String(Number(v.toPrecision(6))); }
    return String(v);
  }
  function fmtTs(ts) {
    return new Date(ts * 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  }
  function cell(row, text, cls) {
    var td = row.insertCell(-1);
    if (cls) { td.className = cls; }
    td.textContent = text;
    return td;
  }
  function render(readings) {
    var fresh = document.createElement("tbody");
    readings.forEach(function (r) {
      var row = fresh.insertRow(-1);
      row.dataset.key = r.device + "/" + r.point;
      cell(row, r.device); cell(row, r.point);
      cell(row, fmtValue(r.value), "num"); cell(row, r.unit);
      var q = document.createElement("span");
      q.className = "q q-" + r.quality; q.textContent = r.quality;
      row.insertCell(-1).appendChild(q);
      var t = document.createElement("time");
      t.dateTime = String(r.ts); t.textContent = fmtTs(r.ts);
      row.insertCell(-1).appendChild(t);
    });
    if (readings.length) { table.replaceChild(fresh, body); body = fresh; }
  }
  function tick() {
    fetch("/api/readings/latest", { cache: "no-store" })
      .then(function (res) {
        if (!res.ok) { throw new Error("HTTP " + res.status); }
        return res.json();
      })
      .then(function (readings) {
        render(readings);
        status.textContent = "Live \u00b7 updated " + new Date().toLocaleTimeString();
        status.classList.remove("stale");
      })
      .catch(function () {
        status.textContent = "Gateway not reachable \u00b7 showing the last values received";
        status.classList.add("stale");
      })
      .then(function () { window.setTimeout(tick, PERIOD_MS); });
  }
  window.setTimeout(tick, PERIOD_MS);
})();
