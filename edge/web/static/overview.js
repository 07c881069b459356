// The overview's alerts list follows the stream: when the alerts change, the
// server-rendered list (in the reader's language) is fetched and swapped in.
(function () {
  "use strict";
  var live = window.KakashiLive, box = document.getElementById("alerts-list");
  if (!live || !box || !window.fetch) { return; }
  var last = null;
  live.on("alerts", function (list) {
    var ids = JSON.stringify((list || []).map(function (a) { return a.id; }));
    if (ids === last) { return; }
    var first = last === null;
    last = ids;
    if (first && box.querySelectorAll("[data-alert]").length === list.length) { return; }
    fetch("/fragments/alerts", { cache: "no-store" })
      .then(function (res) { return res.ok ? res.text() : Promise.reject(res.status); })
      .then(function (html) {
        var tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        var fresh = tpl.content.getElementById("alerts-list");
        if (fresh) { box.replaceWith(fresh); box = fresh; live.flash(box); }
      })
      .catch(function () { /* keep the list shown; the next change tries again */ });
  });
})();
