// Feed upload progress, progressively enhanced. Without JavaScript the
// page refreshes itself every two seconds while the feed is being
// written (a <noscript> meta refresh); with it, this script polls the
// job's JSON every second and updates the bar and the counts in place.
// When the job ends it loads the page once more, which then lists the
// rejected lines; the finished page carries no script, so this cannot
// loop. Text from the server is only ever set with textContent.
(function () {
  "use strict";

  var box = document.getElementById("feed-job");
  if (!box || box.getAttribute("data-state") !== "running" || !window.fetch) { return; }
  var url = box.getAttribute("data-poll");
  var bar = document.getElementById("feed-bar");
  var state = document.getElementById("feed-state");
  var failures = 0;

  function show(p) {
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
    bar.textContent = p.percent + "%";
    var counts = box.querySelectorAll("[data-count]");
    for (var i = 0; i < counts.length; i++) {
      var name = counts[i].getAttribute("data-count");
      if (Object.prototype.hasOwnProperty.call(p, name)) {
        counts[i].textContent = String(p[name]);
      }
    }
    if (state.textContent !== p.state_text) { state.textContent = p.state_text; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (res) {
        if (!res.ok) { throw new Error("status " + res.status); }
        return res.json();
      })
      .then(function (p) {
        failures = 0;
        show(p);
        if (p.state !== "running") {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // A node restarting, a network blip: slow down, then fall back
        // to reloading the page.
        failures++;
        if (failures >= 5) { window.location.reload(); return; }
        window.setTimeout(poll, 1000 * (failures + 1));
      });
  }

  window.setTimeout(poll, 1000);
}());
