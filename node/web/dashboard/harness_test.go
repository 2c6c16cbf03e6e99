package dashboard

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/adstats"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/console"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// harness serves the dashboard over the webtest members, with the
// console beside it (the operator replaces a merchant's token, which
// ends the merchant's session there).
type harness struct {
	*webtest.Harness
	opts    Options
	orders  *orders
	repl    *fakeReplication
	amend   *fakeAmendments
	site    *web.Site
	dash    *Dashboard
	handler http.Handler
	// mail is Alpha's real mail queue, without SMTP: its local mailbox.
	mail *mail.Queue
	// ads is Alpha's real counter of sponsored slots.
	ads *adstats.Counter
	// shards, when set, are the categories the dashboard says the node
	// holds (Deps.Shards).
	shards []string
}

// orders are Alpha's real order flow and register, with the outbox the
// test sets.
type orders struct {
	*fakeOutbox
	*order.Service // the register: Parts, EachPart, Totals
	flow           interface {
		Flow(ctx context.Context, since time.Time, step time.Duration) ([]order.FlowPoint, error)
	}
}

// Outbox, Parked, RetryParked and DropParked are the fake's, which the
// test sets.
func (o *orders) Outbox(ctx context.Context) ([]order.OutboxDepth, error) {
	return o.fakeOutbox.Outbox(ctx)
}
func (o *orders) Parked(ctx context.Context, limit int) ([]order.ParkedMessage, error) {
	return o.fakeOutbox.Parked(ctx, limit)
}
func (o *orders) RetryParked(ctx context.Context, key string) error {
	return o.fakeOutbox.RetryParked(ctx, key)
}
func (o *orders) DropParked(ctx context.Context, key string) error {
	return o.fakeOutbox.DropParked(ctx, key)
}

// Flow asks the flow the harness set: Alpha's order service unless a
// test says otherwise.
func (o *orders) Flow(ctx context.Context, since time.Time, step time.Duration) ([]order.FlowPoint, error) {
	return o.flow.Flow(ctx, since, step)
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{Harness: webtest.New(t), opts: Options{OperatorToken: webtest.Operator, EventInterval: 50 * time.Millisecond}}
	h.orders = &orders{fakeOutbox: &fakeOutbox{}, Service: h.Self.Orders, flow: h.Self.Orders}
	h.repl, h.amend = newFakeReplication(), newFakeAmendments(h.Self.ID.String())
	q, err := mail.Open(h.Self.DB, mail.DefaultConfig(), mail.Options{Now: h.Clock.Now}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h.mail = q
	if h.ads, err = adstats.New(adstats.Config{}, h.Self.DB, h.Clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	h.rebuild()
	return h
}

// rebuild builds the site, the dashboard and the console again, after a
// test changed the options.
func (h *harness) rebuild() {
	h.T.Helper()
	h.site = h.Site(webtest.Options())
	var err error
	h.dash, err = New(h.site, Deps{Federation: h.Fed, Amendments: h.amend, Merchants: h.Self.Cat, Orders: h.orders,
		Settlement: h.Settlement, Replication: h.repl, Mail: h.mail, Points: h.Self.Orders, Coupons: h.Self.Orders, Categories: h.Index,
		AdStats: h.ads, Campaigns: h.Self.Cat, Shards: h.shards}, h.opts)
	if err != nil {
		h.T.Fatal(err)
	}
	merchants, err := console.New(h.site, console.Deps{Merchants: h.Self.Cat, Editor: h.Self.Cat, Parts: h.Self.Orders, Earnings: h.Settlement})
	if err != nil {
		h.T.Fatal(err)
	}
	h.handler = h.site.Handler(h.dash, merchants)
}

// browser is a new visitor.
func (h *harness) browser() *webtest.Browser { return webtest.NewBrowser(h.T, h.handler) }
