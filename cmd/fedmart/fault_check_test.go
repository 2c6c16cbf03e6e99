//go:build linux

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
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
	// lost is the member restored from a backup taken before the load,
	// killed at lostAt: its sales to its own shoppers in between (parts
	// homed where they were sold) lived on its disk alone, so the restore
	// lost them, as the README says; the checks leave them, and the stock
	// of the listings they sold, out.
	lost   *faultMember
	lostAt time.Time
}

// lostPart reports whether part p of order o is one the restore lost.
func (c *faultCheck) lostPart(o faultOrder, p order.Part) bool {
	return c.lost != nil && o.store == c.lost.idx && p.Platform == c.lost.peer && o.at.Before(c.lostAt)
}

// gossipWindow is how long a new record may live on its home's disk alone
// before gossip has carried it to a member, on a loaded machine.
const gossipWindow = 5 * time.Second

// lostListing reports whether fl may have lived on the lost member's disk
// alone when it was lost: created there just before, so that no member
// may have held its record yet. Such a listing may be gone everywhere; one
// created earlier may not.
func (c *faultCheck) lostListing(fl faultListing) bool {
	return c.lost != nil && fl.home == c.lost.idx && !fl.at.After(c.lostAt) && c.lostAt.Sub(fl.at) < gossipWindow
}

// lostParts counts the acknowledged parts the restore lost.
func (c *faultCheck) lostParts() int {
	n := 0
	for _, o := range c.orders {
		for _, p := range o.parts {
			if c.lostPart(o, p) {
				n++
			}
		}
	}
	return n
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

// procs returns the members' processes.
func (c *faultCheck) procs() []*procNode {
	out := make([]*procNode, len(c.members))
	for i, m := range c.members {
		out[i] = m.procNode
	}
	return out
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
		case !fl.gone && !fl.unsure && want == "absent" && !c.lostListing(fl):
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
		if err := getJSON(m.procNode, "/v1/catalog/search?limit=100&sort=newest&cursor="+url.QueryEscape(cursor), "", &page); err != nil {
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
	if getJSON(m.procNode, "/v1/settlement/periods", m.token, &ps) == nil {
		for _, p := range ps.Periods {
			fmt.Fprintf(&b, "; %s %s", p.Period[11:16], p.Status)
		}
	}
	return b.String()
}
