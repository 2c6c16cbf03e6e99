package web

// navItem is one link of an area's sub-navigation.
type navItem struct {
	Label   string
	Href    string
	Current bool
}

// nav returns the items of an area's sub-navigation with current marked.
func nav(area, current string) []navItem {
	var items []navItem
	switch area {
	case "merchant":
		items = []navItem{
			{Label: "Listings", Href: "/merchant"},
			{Label: "New listing", Href: "/merchant/listings/new"},
			{Label: "Feed upload", Href: "/merchant/feeds"},
			{Label: "Orders", Href: "/merchant/orders"},
			{Label: "Earnings", Href: "/merchant/earnings"},
		}
	case "operator":
		items = []navItem{
			{Label: "Members", Href: "/operator"},
			{Label: "Charter", Href: "/operator/charter"},
			{Label: "Merchants", Href: "/operator/merchants"},
			{Label: "Orders", Href: "/operator/orders"},
			{Label: "Settlement", Href: "/operator/settlement"},
		}
	}
	for i := range items {
		items[i].Current = items[i].Href == current
	}
	return items
}
