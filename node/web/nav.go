package web

// navItem is one link of an area's sub-navigation.
type navItem struct {
	Label   string
	Href    string
	Current bool
}

// nav returns the items of an area's sub-navigation with current marked.
// An item without Href is a slot for a page not built yet and is not
// shown: the orders and settlement pages fill theirs by setting it.
func nav(area, current string) []navItem {
	var items []navItem
	switch area {
	case "merchant":
		items = []navItem{
			{Label: "Listings", Href: "/merchant"},
			{Label: "New listing", Href: "/merchant/listings/new"},
			{Label: "Orders"},   // slot: the merchant's orders
			{Label: "Earnings"}, // slot: what the merchant earned
		}
	case "operator":
		items = []navItem{
			{Label: "Members", Href: "/operator"},
			{Label: "Charter", Href: "/operator/charter"},
			{Label: "Merchants", Href: "/operator/merchants"},
			{Label: "Orders"},     // slot: orders across the node's merchants
			{Label: "Settlement"}, // slot: periods, statements, netting
		}
	}
	out := items[:0]
	for _, it := range items {
		if it.Href == "" {
			continue
		}
		it.Current = it.Href == current
		out = append(out, it)
	}
	return out
}
