// The logistics page, made live: a plan being solved refreshes the page once it is
// ready; vehicle markers and progress follow /api/vehicles every few seconds
// (polling, not the event stream: one small request, and it works behind any proxy).
(function () {
  "use strict";
  var PLAN_POLL_MS = 2000, VEHICLE_POLL_MS = 5000;
  var text = {};
  try { text = JSON.parse(document.getElementById("kakashi-text").textContent) || {}; } catch (e) { text = {}; }
  function say(key, fallback) { return text["logistics." + key] || fallback; }

  var detail = document.getElementById("plan-detail");
  if (detail && detail.getAttribute("data-status") === "requested") {
    var planId = detail.getAttribute("data-plan");
    var timer = setInterval(function () {
      fetch("/api/plans/" + encodeURIComponent(planId), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (plan) {
          if (plan && plan.status !== "requested") {
            clearInterval(timer);
            location.replace("/logistics?plan=" + encodeURIComponent(planId) + "#plan");
          }
        })
        .catch(function () { /* the next poll tries again */ });
    }, PLAN_POLL_MS);
  }

  var map = document.getElementById("plan-map");
  var progress = document.getElementById("progress");
  if (!map && !progress) return;
  var proj = null;
  if (map) {
    var num = function (k) { return parseFloat(map.getAttribute("data-" + k)); };
    proj = { lat0: num("lat0"), lon0: num("lon0"), kx: num("kx"), ky: num("ky"), cx: num("cx"), cy: num("cy") };
  }
  // Times in the site's clock, as the server renders them, whatever the phone's zone.
  var zone = (progress && progress.getAttribute("data-timezone")) || undefined;
  var fmt = null;
  try { fmt = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone }); } catch (e) { fmt = null; }
  function clock(ts) {
    if (ts === null || ts === undefined) return "—";
    var d = new Date(ts * 1000);
    return fmt ? fmt.format(d) : String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }
  function setCell(row, name, value) {
    var cell = row.querySelector('[data-cell="' + name + '"]');
    if (cell && cell.textContent !== value) cell.textContent = value;
  }
  function update(vehicles) {
    vehicles.forEach(function (v) {
      if (map && proj) {
        var marker = map.querySelector('g.vehicle[data-vehicle="' + v.id + '"]');
        if (marker && v.position) {
          var x = proj.cx + (v.position[1] - proj.lon0) * proj.kx;
          var y = proj.cy - (v.position[0] - proj.lat0) * proj.ky;
          marker.setAttribute("transform", "translate(" + x.toFixed(1) + "," + y.toFixed(1) + ")");
          marker.setAttribute("visibility", "visible");
        }
      }
      var row = progress && progress.querySelector('tr[data-vehicle="' + v.id + '"]');
      if (row) {
        setCell(row, "stops", v.stops_reached + " / " + v.stops_total);
        setCell(row, "next", v.next_stop_name || say("all_reached", "all stops reached"));
        setCell(row, "eta", clock(v.eta_s));
        setCell(row, "battery", v.battery_pct === null ? "—" : Math.round(v.battery_pct) + " %");
        setCell(row, "seen", clock(v.last_seen));
      }
    });
  }
  var failures = 0, note = null;
  function poll() {
    fetch("/api/vehicles", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (vs) { failures = 0; if (note) { note.remove(); note = null; } update(vs); })
      .catch(function () {
        failures += 1;
        if (failures === 3 && !note && map) {
          note = document.createElement("p");
          note.className = "muted"; note.setAttribute("role", "status");
          note.textContent = say("stale", "Live positions paused.");
          map.parentNode.appendChild(note);
        }
      })
      .finally(function () { setTimeout(poll, VEHICLE_POLL_MS); });
  }
  poll();
})();
