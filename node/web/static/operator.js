// Live members table: replaces the table's rows with each "members" event
// from /operator/events. Cells are set with textContent only. Without
// JavaScript (or EventSource) the page stays as rendered.
(function () {
  "use strict";
  var table = document.getElementById("members");
  var live = document.getElementById("members-live");
  if (!table || !window.EventSource) { return; }

  function cell(tr, tag, text, cls) {
    var c = document.createElement(tag);
    if (tag === "th") { c.scope = "row"; }
    if (cls) {
      var s = document.createElement("span");
      s.className = cls;
      s.textContent = text;
      c.appendChild(s);
    } else {
      c.textContent = text;
    }
    tr.appendChild(c);
    return c;
  }

  function short(id) {
    return id.length <= 16 ? id : id.slice(0, 6) + "\u2026" + id.slice(-6);
  }

  function row(m) {
    var tr = document.createElement("tr");
    cell(tr, "th", m.name);
    var code = document.createElement("code");
    code.title = m.peer_id;
    code.textContent = short(m.peer_id);
    cell(tr, "td", "").appendChild(code);
    cell(tr, "td", m.status);
    cell(tr, "td", m.connected, "state " + (m.up ? "up" : "down"));
    var seen = cell(tr, "td", "");
    if (m.seen_at) {
      var t = document.createElement("time");
      t.dateTime = m.seen_at;
      t.textContent = m.last_seen;
      seen.appendChild(t);
    } else {
      seen.textContent = m.last_seen;
    }
    cell(tr, "td", m.rtt || "\u2013");
    return tr;
  }

  var source = new EventSource(table.getAttribute("data-events"));
  source.addEventListener("members", function (e) {
    var members;
    try { members = JSON.parse(e.data); } catch (err) { return; }
    var body = document.createElement("tbody");
    members.forEach(function (m) { body.appendChild(row(m)); });
    if (members.length === 0) {
      var tr = document.createElement("tr");
      cell(tr, "td", "No other members.").colSpan = 6;
      body.appendChild(tr);
    }
    table.replaceChild(body, table.tBodies[0]);
    if (live) { live.textContent = "Live: updated " + new Date().toLocaleTimeString() + "."; }
  });
  source.addEventListener("signedout", function () {
    source.close();
    window.location.reload();
  });
  source.onerror = function () {
    if (live) { live.textContent = "Live updates interrupted; retrying\u2026"; }
  };
})();
