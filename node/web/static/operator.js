// Operator dashboard, progressively enhanced. Without JavaScript (or
// EventSource) every page stays as rendered and works.
//
//  - Members page and the overview's members panel: replaces the members
//    table's rows with each "members" event from /operator/events (the
//    overview's table, class "compact", has fewer columns).
//  - Overview: fetches itself every data-refresh seconds while the tab is
//    shown, and swaps in its board.
//  - Settlement pages (the periods list and a period's page): each
//    "settlement" event carries the version of the page as the server
//    would render it now; when it differs from the version the page was
//    rendered with (its data-version), the page fetches itself once and
//    swaps in its live section. The server sends "settlement" only when
//    something changed, so this cannot loop.
//  - Charter page: lets the operator read the signed charter from a file
//    into the textarea.
//
// Text from the server is only ever set with textContent.
(function () {
  "use strict";

  // cell appends a cell; label, when given, names its column for the
  // stacked layout on narrow screens (as data-label does in the page).
  function cell(tr, tag, text, cls, label) {
    var c = document.createElement(tag);
    if (tag === "th") { c.scope = "row"; }
    c.textContent = text;
    if (cls) { c.className = cls; }
    if (label) { c.setAttribute("data-label", label); }
    tr.appendChild(c);
    return c;
  }

  function span(parent, text, cls) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    parent.appendChild(s);
    return s;
  }

  function timeOrText(parent, text, iso) {
    if (!iso) { parent.textContent = text; return; }
    var t = document.createElement("time");
    t.dateTime = iso;
    t.textContent = text;
    parent.appendChild(t);
  }

  function short(id) {
    return id.length <= 16 ? id : id.slice(0, 6) + "\u2026" + id.slice(-6);
  }

  // clock writes the time now in the node's time zone (the data-zone of
  // el, as the server writes times: "13:05:12 CET"), or in UTC when the
  // browser does not know the zone.
  function clock(el) {
    var zone = (el && el.getAttribute("data-zone")) || "UTC";
    var opts = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short" };
    try {
      opts.timeZone = zone;
      return new Date().toLocaleTimeString("en-GB", opts);
    } catch (err) {
      opts.timeZone = "UTC";
      return new Date().toLocaleTimeString("en-GB", opts);
    }
  }

  function stamp(id, text) {
    var p = document.getElementById(id);
    if (p) { p.textContent = text + " " + clock(p) + "."; }
  }

  function emptyRow(body, text, cols) {
    var tr = document.createElement("tr");
    cell(tr, "td", text).colSpan = cols;
    body.appendChild(tr);
  }

  function memberRow(m) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-peer", m.peer_id);
    cell(tr, "th", m.name);
    var code = document.createElement("code");
    code.title = m.peer_id;
    code.textContent = short(m.peer_id);
    cell(tr, "td", "", "", "Peer ID").appendChild(code);
    cell(tr, "td", m.status, "", "Status");
    cell(tr, "td", m.protocol, "protocol", "Protocol");
    timeOrText(span(cell(tr, "td", "", "reach", "Answers"), "", "state " + (m.up ? "up" : "down")), m.reach, m.reach_at);
    timeOrText(cell(tr, "td", "", "last-seen", "Last seen"), m.last_seen, m.seen_at);
    cell(tr, "td", m.rtt || "\u2013", "rtt", "Round trip");
    timeOrText(span(cell(tr, "td", "", "outbox", "Outbox"), "", "lag " + (m.owed ? "behind" : "current")), m.outbox, m.outbox_at);
    var parked = cell(tr, "td", m.parked_url ? "" : "none", "parked", "Parked");
    if (m.parked_url) {
      var a = document.createElement("a");
      a.className = "parked-count";
      a.href = m.parked_url;
      a.textContent = m.parked + " parked";
      parked.appendChild(a);
    }
    span(cell(tr, "td", "", "behind", "Catalog"), m.behind, "lag " + (m.lagging ? "behind" : "current"));
    timeOrText(cell(tr, "td", "", "caught-up", "Last catch-up"), m.caught_up, m.caught_up_at);
    return tr;
  }

  // compactRow is a member in the overview's members panel.
  function compactRow(m) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-peer", m.peer_id);
    cell(tr, "th", m.name);
    timeOrText(span(cell(tr, "td", "", "reach", "Answers"), "", "state " + (m.up ? "up" : "down")), m.reach, m.reach_at);
    cell(tr, "td", m.rtt || "\u2013", "rtt", "Round trip");
    span(cell(tr, "td", "", "behind", "Catalog"), m.behind, "lag " + (m.lagging ? "behind" : "current"));
    return tr;
  }

  function replaceRows(table, items, build, empty, cols) {
    var body = document.createElement("tbody");
    items.forEach(function (item) { body.appendChild(build(item)); });
    if (items.length === 0) { emptyRow(body, empty, cols); }
    table.replaceChild(body, table.tBodies[0]);
  }

  function parse(e) {
    try { return JSON.parse(e.data); } catch (err) { return null; }
  }

  // The live section of a settlement page: its id names the element the
  // fetched page's copy replaces, data-version what it shows.
  function liveSection() {
    return document.querySelector("section[data-version]");
  }

  // refresh swaps in the live section as the server renders the page now,
  // once more if the version wanted changed meanwhile; a failed fetch
  // leaves the page as it is.
  var refreshing = false, wanted = null;
  function refresh(again) {
    var section = liveSection();
    if (refreshing || !section || !window.fetch || !window.DOMParser) { return; }
    refreshing = true;
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById(section.id);
        if (fresh) {
          section.parentNode.replaceChild(document.importNode(fresh, true), section);
          stamp(section.id + "-note", "Changed; refreshed at");
        }
      })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        var now = liveSection();
        if (again && now && wanted && now.getAttribute("data-version") !== wanted) { refresh(false); }
      });
  }

  function onSettlement(ev) {
    var section = liveSection();
    if (!section || !ev.version) { return; }
    wanted = ev.version;
    if (ev.version !== section.getAttribute("data-version")) {
      refresh(true);
      return;
    }
    stamp(section.id + "-note", "Live: up to date at");
  }

  function live() {
    var host = document.querySelector("[data-events]");
    if (!host || !window.EventSource) { return; }
    var source = new EventSource(host.getAttribute("data-events"));
    var members = document.getElementById("members");
    if (members) {
      source.addEventListener("members", function (e) {
        var list = parse(e), table = document.getElementById("members"); // the board may have been swapped
        if (!list || !table) { return; }
        if (table.classList.contains("compact")) {
          replaceRows(table, list, compactRow, "No other members.", 4);
        } else {
          replaceRows(table, list, memberRow, "No other members.", 11);
        }
        stamp("members-live", "Live: updated");
      });
    }
    source.addEventListener("settlement", function (e) {
      var ev = parse(e);
      if (ev) { onSettlement(ev); }
    });
    source.addEventListener("signedout", function () {
      source.close();
      window.location.reload();
    });
    source.onerror = function () {
      var section = liveSection();
      stamp(members ? "members-live" : section ? section.id + "-note" : "", "Live updates interrupted; retrying since");
    };
  }

  // filePicker shows the charter file input, which reads the chosen file
  // into the textarea it names.
  function filePicker() {
    var input = document.getElementById("charter-file");
    if (!input || !window.FileReader) { return; }
    var area = document.getElementById(input.getAttribute("data-fills"));
    if (!area) { return; }
    input.closest(".file-pick").hidden = false;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) { return; }
      if (file.size > 1048576) {
        window.alert("The file is larger than 1 MiB, more than a charter may be.");
        return;
      }
      var reader = new FileReader();
      reader.onload = function () { area.value = String(reader.result); area.focus(); };
      reader.readAsText(file);
    });
  }

  // board fetches the overview again every data-refresh seconds while
  // the tab is shown, and swaps in its board; a failed fetch leaves the
  // board as it is until the next.
  function board() {
    var section = document.querySelector("section[data-refresh]");
    var every = section ? parseInt(section.getAttribute("data-refresh"), 10) : 0;
    if (!section || !(every > 0) || !window.fetch || !window.DOMParser) { return; }
    var busy = false;
    window.setInterval(function () {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(window.location.pathname + window.location.search, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (res) {
          if (res.redirected || !res.ok) { if (res.redirected) { window.location.reload(); } return null; }
          return res.text();
        })
        .then(function (html) {
          if (!html) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          var now = document.getElementById(section.id), fresh = doc.getElementById(section.id);
          if (now && fresh) {
            var note = document.getElementById("members-live"), said = note && note.textContent;
            now.parentNode.replaceChild(document.importNode(fresh, true), now);
            note = document.getElementById("members-live");
            if (note && said) { note.textContent = said; } // the members' own live stamp
            stamp(section.id + "-note", "Live: refreshed at");
          }
        })
        .catch(function () {})
        .then(function () { busy = false; });
    }, every * 1000);
  }

  live();
  board();
  filePicker();
})();
