package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/settlement"
)

// The fault suite's checks, run once every fault is healed and the
// workload has stopped. Each reads every member over its management link
// and either holds or says what it saw; the suite polls them until they
// hold or a deadline passes, and reports how long each took.

// faultCheck holds what the checks compare against: what the workload
// did, and the settlement periods it spanned.
type faultCheck struct {
	members  []*faultMember
	listings []faultListing
	orders   []faultOrder
	periods  []string
}

// invariant is one check and how it ended.
type invariant struct {
	name  string
	check func() error
	took  time.Duration // from the end of the load until it first held
	err   error         // what it saw last, when it never held or broke again
}

func (c *faultCheck) invariants() []*invariant {
	return []*invariant{
		{name: "catalog", check: c.catalog},
		{name: "orders", check: c.ordersOnce},
		{name: "stock", check: c.stock},
		{name: "outbox", check: c.outboxes},
		{name: "periods", check: c.agreed},
		{name: "netting", check: c.netting},
	}
}

// converge polls every invariant at once until it holds or deadline
// passes, then checks those that held once more: one that held and broke
// again is a failure too.
func (c *faultCheck) converge(since, deadline time.Time) []*invariant {
	invs := c.invariants()
	var wg sync.WaitGroup
	for _, inv := range invs {
		wg.Go(func() {
			if inv.err = testwait.Until(time.Until(deadline), time.Second, inv.check); inv.err == nil {
				inv.took = time.Since(since)
			}
		})
	}
	wg.Wait()
	for _, inv := range invs {
		if inv.err == nil {
			if err := inv.check(); err != nil {
				inv.err = fmt.Errorf("held %s after the load, then broke: %w", inv.took.Round(time.Second), err)
			}
		}
	}
	return invs
}

// findings collects the problems of one check round: the first few in
// full, the rest counted.
type findings struct {
	n     int
	lines []string
}

func (f *findings) add(format string, args ...any) {
	f.n++
	if len(f.lines) < 10 {
		f.lines = append(f.lines, fmt.Sprintf(format, args...))
	}
}

func (f *findings) err() error {
	if f.n == 0 {
		return nil
	}
	more := ""
	if f.n > len(f.lines) {
		more = fmt.Sprintf("\n  ... and %d more", f.n-len(f.lines))
	}
	return fmt.Errorf("%d problems:\n  %s%s", f.n, strings.Join(f.lines, "\n  "), more)
}

// getJSON reads path from m into out, with token as bearer; anything but
// 200 is an error.
func getJSON(m *faultMember, path, token string, out any) error {
	s, b, err := m.do("GET", path, token, nil)
	if err != nil {
		return fmt.Errorf("%s: GET %s: %v", m.name, path, err)
	}
	if s != 200 {
		return fmt.Errorf("%s: GET %s: %d %s", m.name, path, s, bytes.TrimSpace(b))
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: GET %s: %v", m.name, path, err)
	}
	return nil
}

// byPeer returns the member with peer ID id.
func (c *faultCheck) byPeer(id string) *faultMember {
	for _, m := range c.members {
		if m.peer == id {
			return m
		}
	}
	return nil
}

// 1. The catalog is identical on every member: every listing the
// workload created has, on every member, the version, title, prices and
// stock its home shows (or is gone everywhere), and every member's search
// finds exactly the live listings.

// listingPrint is what must agree about a listing, as one string.
func listingPrint(l catalog.Listing) string {
	var b strings.Builder
	fmt.Fprintf(&b, "v%d %q", l.Version, l.Title)
	for _, v := range l.Variants {
		fmt.Fprintf(&b, " %s:%d:%d", v.SKU, v.Price.Amount, v.Stock)
	}
	return b.String()
}

// catalogView is m's view of listing id: its print, or "absent".
func catalogView(m *faultMember, id string) (string, error) {
	s, b, err := m.do("GET", "/v1/catalog/listings/"+id, "", nil)
	switch {
	case err != nil:
		return "", fmt.Errorf("%s: %v", m.name, err)
	case s == 404:
		return "absent", nil
	case s != 200:
		return "", fmt.Errorf("%s: GET listing %s: %d %s", m.name, id, s, b)
	}
	var l catalog.Listing
	if err := json.Unmarshal(b, &l); err != nil {
		return "", err
	}
	return listingPrint(l), nil
}

func (c *faultCheck) catalog() error {
	var f findings
	live := map[string]bool{}
	known := map[string]bool{}
	for _, fl := range c.listings {
		known[fl.id] = true
		want, err := c.sameEverywhere(&f, fl.id, c.members[fl.home])
		if err != nil {
			return err
		}
		switch {
		case fl.gone && want != "absent":
			f.add("home %s still shows taken-down listing %s as %s", c.members[fl.home].name, fl.id, want)
		case !fl.gone && !fl.unsure && want == "absent":
			f.add("home %s does not show listing %s", c.members[fl.home].name, fl.id)
		}
		live[fl.id] = want != "absent"
	}
	found := make([]map[string]bool, len(c.members))
	for i, m := range c.members {
		var err error
		if found[i], err = searchAll(m); err != nil {
			return err
		}
		for id := range found[i] {
			if _, ok := live[id]; ok || known[id] {
				continue
			}
			// A listing whose creation got no answer: its home decides.
			home := c.byPeer(strings.SplitN(id, ".", 2)[0])
			if home == nil {
				f.add("%s's search finds %s of no member", m.name, id)
				continue
			}
			want, err := c.sameEverywhere(&f, id, home)
			if err != nil {
				return err
			}
			live[id] = want != "absent"
		}
	}
	for i, m := range c.members {
		for id, ok := range live {
			if ok != found[i][id] {
				f.add("%s's search finds %s: %v; its home holds it: %v", m.name, id, found[i][id], ok)
			}
		}
	}
	return f.err()
}

// sameEverywhere adds a finding for every member whose view of listing
// id differs from its home's, and returns the home's.
func (c *faultCheck) sameEverywhere(f *findings, id string, home *faultMember) (string, error) {
	want, err := catalogView(home, id)
	if err != nil {
		return "", err
	}
	for _, m := range c.members {
		if m == home {
			continue
		}
		got, err := catalogView(m, id)
		if err != nil {
			return "", err
		}
		if got != want {
			f.add("%s holds %s as %s; its home %s: %s", m.name, id, got, home.name, want)
		}
	}
	return want, nil
}

// searchAll pages through everything m's search finds.
func searchAll(m *faultMember) (map[string]bool, error) {
	found := map[string]bool{}
	for cursor, pages := "", 0; ; pages++ {
		var page struct {
			Items []struct{ ID string }
			Next  string `json:"next_cursor"`
		}
		if err := getJSON(m, "/v1/catalog/search?limit=100&sort=newest&cursor="+url.QueryEscape(cursor), "", &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			found[it.ID] = true
		}
		if cursor = page.Next; cursor == "" || pages > 100 {
			return found, nil
		}
	}
}

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
			if err := getJSON(m, "/v1/orders?limit=100&cursor="+url.QueryEscape(cursor), m.shopper, &page); err != nil {
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
				if err := getJSON(m, "/v1/merchant/orders?limit=200&cursor="+url.QueryEscape(cursor), mc.token, &page); err != nil {
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
		if n := st.stored[o.id]; n != 1 || st.store[o.id] != o.store {
			f.add("acknowledged order %s of %s is listed %d times there", o.id, c.members[o.store].name, n)
			continue
		}
		if got, want := partIDs(st.orders[o.id].Parts), partIDs(o.parts); got != want {
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
	var f findings
	for _, fl := range c.listings {
		if fl.churn {
			continue
		}
		home := c.members[fl.home]
		var l catalog.Listing
		if err := getJSON(home, "/v1/listings/"+fl.id, fl.merchant, &l); err != nil {
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

// 4. Every outbox is empty: the order outbox gauge, and the per-member
// one where the node has it.

// outbox sums m's outbox gauges.
func outbox(m *faultMember) (float64, error) {
	s, b, err := m.do("GET", "/metrics", m.token, nil)
	if err != nil || s != 200 {
		return 0, fmt.Errorf("%s: /metrics: %d %v", m.name, s, err)
	}
	var total float64
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, _, _ := strings.Cut(line, " ")
		name, _, _ = strings.Cut(name, "{")
		if name != "fedmart_order_outbox" && name != "fedmart_order_outbox_messages" {
			continue
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err != nil {
			return 0, fmt.Errorf("%s: metric line %q: %v", m.name, line, err)
		}
		total += v
	}
	return total, nil
}

func (c *faultCheck) outboxes() error {
	var f findings
	for _, m := range c.members {
		n, err := outbox(m)
		if err != nil {
			return err
		}
		if n != 0 {
			f.add("%s: %v order messages wait in its outbox", m.name, n)
		}
	}
	return f.err()
}

// 5. Every period the load spanned is agreed on both sides of every pair,
// with equal digests.

// statements returns m's statement of period with each other member, by
// the other member's peer ID.
func statements(m *faultMember, period string) (map[string]settlement.Statement, error) {
	var page struct{ Statements []settlement.Statement }
	if err := getJSON(m, "/v1/settlement/periods/"+url.PathEscape(period)+"/statements", m.token, &page); err != nil {
		return nil, err
	}
	out := map[string]settlement.Statement{}
	for _, st := range page.Statements {
		other := st.Parties[0]
		if other == m.peer {
			other = st.Parties[1]
		}
		out[other] = st
	}
	return out, nil
}

func (c *faultCheck) agreed() error {
	var f findings
	for _, p := range c.periods {
		sts := make([]map[string]settlement.Statement, len(c.members))
		for i, m := range c.members {
			var err error
			if sts[i], err = statements(m, p); err != nil {
				return err
			}
		}
		for i, a := range c.members {
			for j, b := range c.members[i+1:] {
				sa, sb := sts[i][b.peer], sts[i+1+j][a.peer]
				switch {
				case sa.Status != settlement.StatusAgreed || sb.Status != settlement.StatusAgreed:
					f.add("%s %s-%s: %s on %s (%d entries%s), %s on %s (%d entries%s)", p, a.name, b.name,
						orNone(sa.Status), a.name, sa.Count, disputes(sa), orNone(sb.Status), b.name, sb.Count, disputes(sb))
				case sa.Digest != sb.Digest || sa.Count != sb.Count:
					f.add("%s %s-%s: agreed, but %s holds %d entries (%.12s) and %s %d (%.12s)", p, a.name, b.name,
						a.name, sa.Count, sa.Digest, b.name, sb.Count, sb.Digest)
				}
			}
		}
	}
	return f.err()
}

// disputes counts a statement's disputed entries by reason.
func disputes(st settlement.Statement) string {
	if len(st.Disputes) == 0 {
		return ""
	}
	reasons := map[string]int{}
	for _, d := range st.Disputes {
		reasons[d.Reason]++
	}
	return "; disputed: " + tally(reasons)
}

func orNone(s settlement.Status) string {
	if s == "" {
		return "no statement"
	}
	return string(s)
}

// 6. Every period's net positions sum to exactly zero and every member
// computes the same.

func (c *faultCheck) netting() error {
	var f findings
	for _, p := range c.periods {
		var first, firstName string
		for _, m := range c.members {
			var n settlement.Netting
			if err := getJSON(m, "/v1/settlement/periods/"+url.PathEscape(p)+"/netting", m.token, &n); err != nil {
				f.add("%s", firstLine(err.Error()))
				continue
			}
			var sum int64
			pos := make([]string, 0, len(n.Positions))
			for _, np := range n.Positions {
				sum += np.Net.Amount
				pos = append(pos, fmt.Sprintf("%s %d", np.Name, np.Net.Amount))
			}
			sort.Strings(pos)
			got := strings.Join(pos, ", ")
			if sum != 0 {
				f.add("%s on %s: positions sum to %d (%s)", p, m.name, sum, got)
			}
			if firstName == "" {
				first, firstName = got, m.name
			} else if got != first {
				f.add("%s: %s nets %s, %s nets %s", p, firstName, first, m.name, got)
			}
		}
	}
	return f.err()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	if len(line) > 300 {
		line = line[:300] + "..."
	}
	return line
}

// nodeReport is what one member says about itself, for the failure dump:
// whether it answers, whom it sees connected, its outbox, its periods.
func nodeReport(m *faultMember) string {
	var b strings.Builder
	s, _, err := m.do("GET", "/healthz", "", nil)
	fmt.Fprintf(&b, "%s (%s): healthz %d %v", m.name, m.peer, s, err)
	if conn, err := m.members(); err == nil {
		fmt.Fprintf(&b, "; connected %v", conn)
	}
	if n, err := outbox(m); err == nil {
		fmt.Fprintf(&b, "; outbox %v", n)
	}
	var ps struct{ Periods []settlement.PeriodStatus }
	if getJSON(m, "/v1/settlement/periods", m.token, &ps) == nil {
		for _, p := range ps.Periods {
			fmt.Fprintf(&b, "; %s %s", p.Period[11:16], p.Status)
		}
	}
	return b.String()
}
