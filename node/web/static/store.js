// The storefront's pages, progressively enhanced; each works without it.
// - Option buttons: the chosen variant's price and availability follow
//   the buttons, and the add-to-cart button says when it is sold out.
// - Cancel confirmation: the refund sums the parts ticked.
// - Shipping options: picking one submits its form.
// - Filters: opened on a wide screen in browsers whose style sheets
//   cannot open them (store.css does where ::details-content exists).
// Text from the server is only ever set with textContent.
(function () {
  "use strict";

  function variants() {
    var form = document.getElementById("add-to-cart-form") || document.querySelector("form.add-to-cart");
    var data = document.getElementById("variant-data");
    if (!form || !data) { return; }
    var list;
    try { list = JSON.parse(data.textContent); } catch (e) { return; }
    var price = document.getElementById("variant-price");
    var stock = document.getElementById("variant-stock");
    var button = form.querySelector("button[type=submit]");
    var label = button ? button.textContent : "";
    var plain = form.querySelectorAll("input.option-input[name=sku]");

    function chosen() {
      if (plain.length) {
        for (var i = 0; i < plain.length; i++) { if (plain[i].checked) { return list[i]; } }
        return null;
      }
      var groups = form.querySelectorAll("fieldset.options[data-option]");
      outer: for (var v = 0; v < list.length; v++) {
        for (var g = 0; g < groups.length; g++) {
          var name = groups[g].getAttribute("data-option").slice("option.".length);
          var on = groups[g].querySelector("input:checked");
          if (!on || (list[v].options || {})[name] !== on.value) { continue outer; }
        }
        return list[v];
      }
      return null;
    }

    function update() {
      var v = chosen();
      if (!v) {
        stock.textContent = "This combination is not sold";
        stock.className = "stock out";
      } else {
        price.textContent = v.price;
        stock.textContent = v.stock;
        stock.className = "stock " + (v.in_stock ? "in" : "out");
      }
      if (button) {
        var ok = v && v.in_stock;
        button.disabled = !ok;
        button.textContent = ok ? label : "Sold out";
      }
    }

    form.addEventListener("change", function (e) {
      if (e.target && e.target.classList.contains("option-input")) { update(); }
    });
    update();
  }

  function cancelTotal() {
    var form = document.getElementById("cancel-form");
    var total = document.getElementById("refund-total");
    if (!form || !total) { return; }
    var boxes = form.querySelectorAll("input[type=checkbox][data-amount]");
    var currency = total.textContent.replace(/^[\d.,\s-]+/, "");
    var digits = (total.textContent.split(" ")[0].split(".")[1] || "").length;
    form.addEventListener("change", function () {
      var sum = 0;
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].checked) { sum += parseInt(boxes[i].getAttribute("data-amount"), 10) || 0; }
      }
      var major = Math.floor(sum / Math.pow(10, digits));
      var minor = String(sum % Math.pow(10, digits));
      while (minor.length < digits) { minor = "0" + minor; }
      total.textContent = (digits ? major + "." + minor : String(major)) + " " + currency;
    });
  }

  function filters() {
    var box = document.querySelector("details.filters-box");
    if (!box || !window.matchMedia) { return; }
    var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
    if (!supported && window.matchMedia("(min-width: 48rem)").matches) { box.open = true; }
  }

  // A shipping option takes effect when picked; the form's button does
  // the same without JavaScript.
  function shipChoices() {
    var forms = document.querySelectorAll("form.ship-choice");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("change", function (e) {
        if (e.target && e.target.name === "rate" && this.requestSubmit) { this.requestSubmit(); }
      });
    }
  }

  variants();
  cancelTotal();
  filters();
  shipChoices();
}());
