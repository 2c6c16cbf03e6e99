//go:build linux

package main

import (
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
)

// The fault suite's checks of orders and stock (see fault_check_test.go).

// 2. Every acknowledged order exists exactly once on its storefront, each
// of its parts exactly once on its home with the status the storefront
// shows; every part a home sold belongs to an order on its storefront.

// orderState is every member's orders and parts, read in one round.
type orderState struct {
	stored map[string]int         // order id -> times listed on its storefront
	orders map[string]order.Order // order id -> the storefront's view
	store  map[string]int         // order id -> storefront index
	parts  map[string]int         // part id -> times listed on its home
	home   map[string]order.HomePart
}

func (c *faultCheck) readOrders() (*orderState, error) {
	st := &orderState{stored: map[string]int{}, orders: map[string]order.Order{}, store: map[string]int{},
		parts: map[string]int{}, home: map[string]order.HomePart{}}
	for _, m := range c.members {
		for cursor, pages := "", 0; ; pages++ {
			var page struct {
				Orders []order.Order
				Next   string `json:"next_cursor"`
			}
			if err := getJSON(m.procNode, "/v1/orders?limit=100&cursor="+url.QueryEscape(cursor), m.shopper, &page); err != nil {
				return nil, err
			}
			for _, o := range page.Orders {
				st.stored[o.ID]++
				st.orders[o.ID], st.store[o.ID] = o, m.idx
			}
			if cursor = page.Next; cursor == "" || pages > 1000 {
				break
			}
		}
		for _, mc := range m.merchants {
			for cursor, pages := "", 0; ; pages++ {
				var page struct {
					Parts []order.HomePart
					Next  string `json:"next_cursor"`
				}
				if err := getJSON(m.procNode, "/v1/merchant/orders?limit=200&cursor="+url.QueryEscape(cursor), mc.token, &page); err != nil {
					return nil, err
				}
				for _, p := range page.Parts {
					st.parts[p.ID]++
					st.home[p.ID] = p
				}
				if cursor = page.Next; cursor == "" || pages > 1000 {
					break
				}
			}
		}
	}
	return st, nil
}

func (c *faultCheck) ordersOnce() error {
	st, err := c.readOrders()
	if err != nil {
		return err
	}
	var f findings
	for _, o := range c.orders {
		kept := slices.DeleteFunc(slices.Clone(o.parts), func(p order.Part) bool { return c.lostPart(o, p) })
		if len(kept) == 0 {
			continue
		}
		if n := st.stored[o.id]; n != 1 || st.store[o.id] != o.store {
			f.add("acknowledged order %s of %s is listed %d times there", o.id, c.members[o.store].name, n)
			continue
		}
		if got, want := partIDs(st.orders[o.id].Parts), partIDs(kept); got != want {
			f.add("order %s has parts %s on %s, but the shopper was answered %s", o.id, got, c.members[o.store].name, want)
		}
	}
	for id, o := range st.orders {
		if st.stored[id] > 1 {
			f.add("order %s is listed %d times on %s", id, st.stored[id], c.members[st.store[id]].name)
		}
		for _, p := range o.Parts {
			c.comparePart(&f, st, o, p)
		}
	}
	for id, hp := range st.home {
		switch hp.Status {
		case order.StatusAccepted, order.StatusShipped, order.StatusDelivered, order.StatusRefunded:
		default:
			continue
		}
		if st.parts[id] > 1 {
			f.add("part %s is listed %d times on its home", id, st.parts[id])
		}
		sf := c.byPeer(hp.Storefront)
		if o, ok := st.orders[hp.Order]; !ok || sf == nil || st.store[hp.Order] != sf.idx || !slices.ContainsFunc(o.Parts, func(p order.Part) bool { return p.ID == id }) {
			f.add("part %s (%s) sold at its home has no order %s on its storefront %s", id, hp.Status, hp.Order, hp.Storefront)
		}
	}
	return f.err()
}

// comparePart checks one storefront part against its home's.
func (c *faultCheck) comparePart(f *findings, st *orderState, o order.Order, p order.Part) {
	home := c.byPeer(p.Platform)
	store := c.members[st.store[o.ID]].name
	hp, ok := st.home[p.ID]
	switch {
	case home == nil:
		f.add("part %s of order %s names an unknown home %s", p.ID, o.ID, p.Platform)
	case !ok || st.parts[p.ID] != 1:
		f.add("part %s of order %s on %s is listed %d times on its home %s", p.ID, o.ID, store, st.parts[p.ID], home.name)
	case hp.Order != o.ID:
		f.add("part %s belongs to order %s on %s but to %s on its home %s", p.ID, o.ID, store, hp.Order, home.name)
	case hp.Status != p.Status:
		f.add("part %s of order %s is %s on the storefront %s but %s on its home %s (updated %s there, %s at home)",
			p.ID, o.ID, p.Status, store, hp.Status, home.name, p.UpdatedAt.Format(time.TimeOnly), hp.UpdatedAt.Format(time.TimeOnly))
	}
}

func partIDs(parts []order.Part) string {
	ids := make([]string, 0, len(parts))
	for _, p := range parts {
		ids = append(ids, p.ID)
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// 3. For every SKU of an audited listing, the units at home plus the
// units sold equal what the listing was created with. Sold are the units
// of parts accepted, shipped or delivered, and of parts refunded after
// they shipped (a refund before shipping puts the units back).

func (c *faultCheck) stock() error {
	st, err := c.readOrders()
	if err != nil {
		return err
	}
	sold := map[string]int64{} // listing/sku -> units
	for _, hp := range st.home {
		switch {
		case hp.Status == order.StatusAccepted, hp.Status == order.StatusShipped, hp.Status == order.StatusDelivered,
			hp.Status == order.StatusRefunded && hp.Carrier != "":
			for _, ln := range hp.Lines {
				sold[ln.ListingID+"/"+ln.SKU] += ln.Quantity
			}
		}
	}
	unaudited := map[string]bool{} // listings a lost part sold
	for _, o := range c.orders {
		for _, p := range o.parts {
			if c.lostPart(o, p) {
				for _, ln := range p.Items {
					unaudited[ln.ListingID] = true
				}
			}
		}
	}
	var f findings
	for _, fl := range c.listings {
		if fl.churn || unaudited[fl.id] {
			continue
		}
		home := c.members[fl.home]
		var l catalog.Listing
		if err := getJSON(home.procNode, "/v1/listings/"+fl.id, fl.merchant, &l); err != nil {
			return err
		}
		for _, v := range l.Variants {
			if n := sold[fl.id+"/"+v.SKU]; v.Stock+n != fl.initial[v.SKU] {
				f.add("%s %s on %s: %d in stock + %d sold = %d, created with %d", fl.id, v.SKU, home.name, v.Stock, n, v.Stock+n, fl.initial[v.SKU])
			}
		}
	}
	return f.err()
}
