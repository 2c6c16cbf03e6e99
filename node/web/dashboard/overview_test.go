package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/fedmart/fedmart/node/web/webtest"
)

var tagRE = regexp.MustCompile(`<[^>]*>`)

// panelText is the text of the board's panel titled title, tags
// stripped, spaces collapsed.
func panelText(t *testing.T, body, title string) string {
	t.Helper()
	i := strings.Index(body, "<h2>"+title+"</h2>")
	if i < 0 {
		t.Fatalf("the board has no panel %q", title)
	}
	j := strings.Index(body[i:], "</article>")
	return strings.Join(strings.Fields(webtest.UnescapeHTML(tagRE.ReplaceAllString(body[i:i+j], " "))), " ")
}

// The board sums up what needs the operator and the day's business, each
// panel a link to its detail.
func TestOverviewBoard(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	mug := h.List(webtest.Input("Stoneware mug", "Cups", "Home > Kitchen", 1200, 10))
	buy(t, h, 2, mug)
	now := h.Clock.Now()
	h.repl.set(h.Other.ID, replication.Progress{Head: 12, Mark: 5, Behind: 7, CaughtUp: now.Add(-4 * time.Second)})
	h.orders.setOutbox(order.OutboxDepth{Peer: h.Other.ID.String(), Messages: 3, Oldest: now.Add(-5 * time.Minute), Parked: 2})
	m, _, err := h.Self.Cat.CreateMerchant(ctx, "Ferro Works")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Self.Cat.SuspendMerchant(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	p, _ := amendment(t, h)
	h.amend.add(p)

	r := h.operator().Get("/operator")
	webtest.WantStatus(t, r, http.StatusOK)
	body := webtest.UnescapeHTML(r.Body)
	for _, want := range []string{
		"3 messages wait for Beta Bazaar, the oldest for 5 min.",
		"2 messages refused by Beta Bazaar for good, parked.",
		`href="/operator/parked?peer=` + url.QueryEscape(h.Other.ID.String()) + `"`,
		"waits for this node's signature",
		`href="/operator/charter#proposal-` + p.Digest + `"`,
		"1 order placed on this storefront",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the board lacks %s", want)
		}
	}
	for title, want := range map[string]string{
		"Replication lag": "7 records behind Beta Bazaar: 7 records behind",
		"Outbox":          "3 messages waiting Oldest queued 5 min ago. 2 messages parked. Parked messages",
		"Orders today":    "1 order 1 part; sales €24.00 Since 00:00 UTC. Today's orders",
		"Merchants":       "1 active 1 merchant suspended. Merchants",
	} {
		if got := panelText(t, r.Body, title); !strings.HasPrefix(got, title+" "+want) {
			t.Errorf("the %s panel reads %q, want %q", title, got, want)
		}
	}
	if !strings.Contains(r.Body, `<a href="/operator/orders?from=2026-03-01">Today&#39;s orders`) {
		t.Error("the orders panel does not link to today's orders")
	}

	// A quiet node: all clear.
	h.repl.set(h.Other.ID, replication.Progress{Head: 12, Mark: 12, CaughtUp: now})
	h.orders.setOutbox()
	h.amend.mu.Lock()
	h.amend.proposals = nil
	h.amend.mu.Unlock()
	r = h.operator().Get("/operator")
	if !strings.Contains(r.Body, "All clear") {
		t.Errorf("a quiet node raises alerts:\n%s", panelText(t, r.Body, "Alerts"))
	}
	if got := panelText(t, r.Body, "Replication lag"); !strings.Contains(got, "This node holds every member's catalog.") {
		t.Errorf("the lag panel of a node holding every category reads %q", got)
	}
	// A node holding some category shards says which.
	h.shards = []string{"Home", "Books"}
	h.rebuild()
	if got := panelText(t, h.operator().Get("/operator").Body, "Replication lag"); !strings.Contains(got, "This node holds the other members' listings in Home, Books (catalog.shards), and is up to date with them.") {
		t.Errorf("the lag panel of a node holding Home and Books reads %q", got)
	}
}

// The settings page keeps the operator's time zone, in which every
// page, the board's clock included, then writes its times.
func TestSettingsChooseTheTimeZone(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	page := b.Get("/operator/settings")
	webtest.WantStatus(t, page, http.StatusOK)
	webtest.WantText(t, page, "where it is Mar 1, 2026, 12:00 PM UTC")
	for _, c := range []struct{ zone, want string }{
		{"", "Enter a time zone, such as Europe/Berlin, or UTC."},
		{"Mars/Olympus", "This is not a time zone this node knows"},
		{"Local", "This is not a time zone this node knows"},
	} {
		r := b.Submit("/operator/settings", "/operator/settings", url.Values{"zone": {c.zone}})
		webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(webtest.FieldError(r.Body, "zone"), c.want) {
			t.Errorf("zone %q: the error reads %q", c.zone, webtest.FieldError(r.Body, "zone"))
		}
	}
	webtest.WantRedirect(t, b.Submit("/operator/settings", "/operator/settings", url.Values{"zone": {" Europe/Berlin "}}), "/operator/settings?done=saved")
	if got := h.site.Zone().String(); got != "Europe/Berlin" {
		t.Fatalf("zone kept: %s", got)
	}
	webtest.WantText(t, b.Get("/operator/settings?done=saved"), "where it is Mar 1, 2026, 1:00 PM CET")
	board := b.Get("/operator")
	for _, want := range []string{`data-zone="Europe/Berlin"`, "Drawn at 13:00 CET", "Since 00:00 CET."} {
		if !strings.Contains(board.Body, want) {
			t.Errorf("the board lacks %s", want)
		}
	}
	webtest.WantRedirect(t, h.browser().Get("/operator/settings"), "/operator/signin")
}
