package storefront

import (
	"github.com/fedmart/fedmart/federation/order"
)

// What the checkout says in the shopper's language when it refuses:
// prices and shipping that changed, stock that ran short. The messages
// are the refusal.* ids of the message files; money is written as the
// page's language writes it.

// priceChange says how the quoted line q changed from the cart before:
// its price, or, at the same price, the merchant's offer on it.
func (sp speech) priceChange(before order.Cart, q order.Line) string {
	title, was := q.SKU, ""
	for _, l := range before.Lines {
		if l.ListingID == q.ListingID && l.SKU == q.SKU {
			title, was = l.Title, sp.orderMoney(l.UnitPrice)
		}
	}
	now := sp.orderMoney(q.UnitPrice)
	switch {
	case was == now && q.Discount.Amount > 0: // the merchant's offer changed, not the price
		return sp.t("refusal.offer_now", "Title", title, "Amount", sp.orderMoney(q.Discount))
	case was == now:
		return sp.t("refusal.offer_ended", "Title", title)
	case was == "":
		return sp.t("refusal.price_now", "Title", title, "Now", now)
	}
	return sp.t("refusal.price_from_to", "Title", title, "Was", was, "Now", now)
}

// shippingChange says how the shipping of a part changed: "Shipping of
// the items from Bremen Forge (Standard) changed from €6.90 to €7.90."
// The part's home gives only the merchant when it answers for one part,
// so the platform is matched when given.
func (sp speech) shippingChange(before order.Cart, after cartView, ch order.ShippingChange) string {
	name, was := "", ""
	for _, g := range after.Groups {
		for _, p := range g.Parts {
			if p.Merchant == ch.Merchant && (ch.Platform == "" || p.Platform == ch.Platform) {
				name = p.MerchantName
			}
		}
	}
	if before.Shipping != nil {
		for _, p := range before.Shipping.Parts {
			if p.Merchant == ch.Merchant && (ch.Platform == "" || p.Platform == ch.Platform) && len(p.Unshippable) == 0 {
				was = sp.orderMoney(p.Price)
			}
		}
	}
	what := sp.t("refusal.shipping")
	if name != "" {
		what = sp.t("refusal.shipping_from", "Merchant", name)
	}
	if ch.Rate != "" {
		what = sp.t("refusal.shipping_rate", "What", what, "Rate", ch.Rate)
	}
	now := sp.orderMoney(ch.Price)
	if ch.Price.Amount == 0 {
		now = sp.t("refusal.free")
	}
	if was == "" || was == sp.orderMoney(ch.Price) {
		return sp.t("refusal.shipping_now", "What", what, "Now", now)
	}
	return sp.t("refusal.shipping_from_to", "What", what, "Was", was, "Now", now)
}

// shortage says how many of a SKU are left, when the shopper wanted
// wanted of them and the cart already holds inCart (0 when the shortage
// is about the cart's line itself).
func (sp speech) shortage(available, wanted, inCart int64) string {
	switch {
	case available <= 0:
		return sp.t("refusal.sold_out")
	case inCart > 0:
		return sp.t("refusal.only_left_in_cart", "Count", available, "InCart", inCart)
	}
	return sp.t("refusal.only_left", "Count", available, "Wanted", wanted)
}
