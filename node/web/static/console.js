// The listings table's bulk form, progressively enhanced. Without
// JavaScript the merchant ticks each listing's box; with it, this script
// adds a box that ticks every listing of the page at once and says how
// many are ticked. Its words are the page's, in the page's language: the
// form's data-tick-all, data-ticked-one and data-ticked-many, where {n}
// stands for the number.
(function () {
  "use strict";

  var form = document.getElementById("bulk");
  if (!form) { return; }
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[type="checkbox"][form="bulk"][name="id"]'));
  if (boxes.length === 0) { return; }

  var label = document.createElement("label");
  label.className = "tick-all";
  var all = document.createElement("input");
  all.type = "checkbox";
  all.id = "tick-all";
  label.appendChild(all);
  var words = form.dataset;
  function say(text, n) { return (text || "").replace("{n}", String(n)); }
  label.appendChild(document.createTextNode(" " + say(words.tickAll || "Tick all {n} listings of this page", boxes.length)));
  var count = document.createElement("span");
  count.className = "ticked muted";
  count.setAttribute("aria-live", "polite");
  var legend = form.querySelector("legend");
  legend.parentNode.insertBefore(count, legend.nextSibling);
  legend.parentNode.insertBefore(label, legend.nextSibling);

  function update() {
    var n = boxes.filter(function (b) { return b.checked; }).length;
    all.checked = n === boxes.length;
    all.indeterminate = n > 0 && n < boxes.length;
    count.textContent = n === 0 ? "" : n === 1 ? say(words.tickedOne || "1 listing ticked", 1) : say(words.tickedMany || "{n} listings ticked", n);
  }
  all.addEventListener("change", function () {
    boxes.forEach(function (b) { b.checked = all.checked; });
    update();
  });
  boxes.forEach(function (b) { b.addEventListener("change", update); });
  update();
}());

// The ship forms, progressively enhanced. Without JavaScript the other
// carrier's name and tracking page are always shown; with it, they show
// only while "Other carrier" is picked.
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("form.ship-form"), function (form) {
    var pick = form.querySelector("select.carrier-pick");
    var other = form.querySelector(".carrier-other");
    if (!pick || !other) { return; }
    function update() { other.hidden = pick.value !== "other" && !other.querySelector("[aria-invalid]"); }
    pick.addEventListener("change", update);
    update();
  });
}());
