package order

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/settlement"
)

func TestPointsBackAt(t *testing.T) {
	for _, tt := range []struct {
		points, paid, value, want int64
	}{
		{100, 300, 0, 0},
		{100, 300, 1, 1},     // a cent of a 3-cent point gives the point back
		{100, 300, 3, 1},     // exactly one point
		{100, 300, 4, 2},     // rounded up
		{100, 300, 299, 100}, // rounded up to all
		{100, 300, 300, 100},
		{100, 300, 900, 100}, // never more than were spent
		{7, 10, 5, 4},
	} {
		if got := pointsBackAt(tt.points, tt.paid, tt.value); got != tt.want {
			t.Errorf("pointsBackAt(%d, %d, %d) = %d, want %d", tt.points, tt.paid, tt.value, got, tt.want)
		}
	}
	// Returns in any pieces add up to exactly the points spent.
	var sum, before int64
	for _, v := range []int64{1, 1, 50, 7, 241} {
		sum += pointsBackAt(100, 300, before+v) - pointsBackAt(100, 300, before)
		before += v
	}
	if sum != 100 {
		t.Errorf("pieces gave back %d of 100 points", sum)
	}
}

func TestTakesAfter(t *testing.T) {
	takes := []PointsTake{{Source: "a", Points: 5}, {Source: "b", Points: 10}, {Source: "c", Points: 3}}
	got := fmt.Sprint(takesAfter(takes, 4, 8))
	if want := fmt.Sprint([]PointsTake{{Source: "a", Points: 1}, {Source: "b", Points: 7}}); got != want {
		t.Errorf("takesAfter = %s, want %s", got, want)
	}
	if got := takesAfter(takes, 18, 1); len(got) != 0 {
		t.Errorf("takesAfter past the end = %v", got)
	}
}

// bookedPoints reads the points event m booked for hold as step/refund.
func bookedPoints(t testing.TB, m *member, hold, key string) (PartEvent, bool) {
	t.Helper()
	var ev PartEvent
	err := m.db.View(func(txn *badger.Txn) error {
		raw, err := getRaw(txn, "t/book/"+hold+"/"+key)
		if err != nil || raw == nil {
			return err
		}
		return json.Unmarshal(raw, &ev)
	})
	if err != nil {
		t.Fatal(err)
	}
	return ev, ev.Points != nil
}

// settlementOf is the settlement event a booked points event is, valued
// at value a point, as the node values it.
func settlementOf(ev PartEvent, value int64) settlement.Event {
	p := ev.Points
	e := settlement.Event{PartID: ev.Part, Storefront: ev.Storefront, Issuer: p.Issuer, Points: p.Points,
		Gross: settlement.Money{Amount: p.Points * value, Currency: "EUR"}, PolicyVersion: 1, At: ev.At.UTC()}
	switch p.Step {
	case PointsRedeem:
		e.Kind = settlement.EventPointsRedeemed
	case PointsReturned:
		e.Kind, e.RefundOf, e.PointsEarned, e.PointsReversedBefore = settlement.EventPointsReturned, p.Refund, p.Earned, p.ReversedBefore
	}
	return e
}

// TestPointsGivenBackByARefund: a shopper of Alpha signed in on Beta
// pays part of an order with points held at Alpha; the merchant (homed on
// Gamma) refunds the part: the card gets back what it paid, Alpha gives
// the points back to the shopper's balance and answers Beta, whose order
// then owes nothing in points. Alpha and Beta book the same return, and
// the redemption and its return net to zero between them. A return for
// more than the order spent, for an order Alpha never confirmed, or for
// one it only holds, is refused and changes nothing; a replayed return
// gives nothing twice.
func TestPointsGivenBackByARefund(t *testing.T) {
	f := newCluster(t, 3)
	terms := pointsTerms
	terms.PointValue = 3
	f.setLoyalty(terms)
	alpha, beta, gamma := f.members[0], f.members[1], f.members[2]
	ctx := context.Background()
	pan := f.list(gamma, "forge", "PAN", 1000, 10)
	sh, _, err := alpha.svc.CreateShopper(ctx, ShopperInput{Name: "Ida", Email: "ida@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	earnFor(t, alpha, sh.ID, "p1", 400, f.clk.now().Add(-time.Hour))
	linked, err := beta.svc.LinkedShopper(ctx, Link{Issuer: alpha.id, Subject: sh.ID, Name: "Ida", Leave: leave(t, alpha, beta.id, sh.ID)})
	if err != nil {
		t.Fatal(err)
	}
	buy := func(key string, points int64) Order {
		cart, err := beta.svc.CreateCart(ctx, linked.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := beta.svc.AddItem(ctx, linked.ID, cart.ID, ItemInput{ListingID: pan.ListingID, SKU: pan.SKU, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		o, _, err := beta.svc.Checkout(ctx, linked.ID, cart.ID, key, CheckoutRequest{ShippingAddress: testShipTo,
			Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}, Points: points})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	o := buy("k1", 100)
	if o.Points == nil || o.Points.Value.Amount != 300 || o.Payment.Amount.Amount != o.Total.Amount-300 {
		t.Fatalf("the order's points: %+v, payment %+v", o.Points, o.Payment)
	}
	f.drained()
	hold := pointsHoldID(beta.id, o.ID)
	spent := accountOf(t, alpha.db, sh.ID)
	if spent.Spent != 100 || spent.Balance(f.clk.now()).Spendable != 300 {
		t.Fatalf("after spending 100: %+v", spent)
	}

	// Refused returns, before the refund: they change nothing.
	refused := func(name string, m *member, order string, n int64) {
		t.Helper()
		before := fmt.Sprint(accountOf(t, alpha.db, sh.ID))
		reply := alpha.svc.Handle(ctx, m.id, holdMsg(t, m, alpha.id, order, PointsNote{Op: PointsOpReturn, Refund: "evil-" + name, Points: n}))
		if !strings.Contains(string(reply), `"code"`) {
			t.Errorf("a return %s was answered %s", name, reply)
		}
		if after := fmt.Sprint(accountOf(t, alpha.db, sh.ID)); after != before {
			t.Errorf("a refused return %s changed the account: %s, was %s", name, after, before)
		}
	}
	refused("of more than the order spent", beta, o.ID, 101)
	refused("of an order never held", beta, "ord_never", 1)
	refused("of another storefront's order", gamma, o.ID, 1)
	open := alpha.svc.Handle(ctx, beta.id, holdMsg(t, beta, alpha.id, "ord_open", PointsNote{Op: PointsOpHold, Account: sh.ID, Points: 10,
		Deadline: f.clk.now().Add(time.Minute), Policy: 1, Auth: leave(t, alpha, beta.id, sh.ID)}))
	if _, err := heldAnswer(open, alpha.id, "ord_open"); err != nil {
		t.Fatal(err)
	}
	refused("of a hold not confirmed", beta, "ord_open", 1)
	alpha.svc.Handle(ctx, beta.id, holdMsg(t, beta, alpha.id, "ord_open", PointsNote{Op: PointsOpRelease}))

	// The merchant refunds the part.
	if _, err := gamma.svc.Refund(ctx, "forge", o.Parts[0].ID); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		got, err := beta.svc.GetOrder(ctx, linked.ID, o.ID)
		switch {
		case err != nil:
			return err
		case got.Payment.Refunded != got.Payment.Amount:
			return fmt.Errorf("the card got back %+v of %+v", got.Payment.Refunded, got.Payment.Amount)
		case got.Points.RefundDue.Amount != 0 || got.Points.Returned != 100 || len(got.Points.Returns) != 1:
			return fmt.Errorf("points due %+v, returned %d: %+v", got.Points.RefundDue, got.Points.Returned, got.Points.Returns)
		}
		return nil
	})
	f.drained()
	acct := accountOf(t, alpha.db, sh.ID)
	if acct.Spent != 100 || acct.Returned != 100 || acct.Balance(f.clk.now()).Spendable != 400 || acct.Check() != nil {
		t.Errorf("the account after the refund: %+v (%v)", acct, acct.Check())
	}

	// Both book the same return; with the redemption it nets to zero.
	done, err := beta.svc.GetOrder(ctx, linked.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	refund := done.Points.Returns[0].Refund
	key := "points_" + PointsReturned + "/" + refund
	atAlpha, ok1 := bookedPoints(t, alpha, hold, key)
	atBeta, ok2 := bookedPoints(t, beta, hold, key)
	if !ok1 || !ok2 || string(mustJSON(atAlpha)) != string(mustJSON(atBeta)) || atAlpha.Points.Points != 100 {
		t.Fatalf("the return as Alpha booked it: %+v (%v)\nas Beta: %+v (%v)", atAlpha.Points, ok1, atBeta.Points, ok2)
	}
	redAlpha, _ := bookedPoints(t, alpha, hold, "points_"+PointsRedeem+"/")
	redBeta, _ := bookedPoints(t, beta, hold, "points_"+PointsRedeem+"/")
	if redAlpha.Points == nil || string(mustJSON(redAlpha)) != string(mustJSON(redBeta)) {
		t.Fatalf("the redemption as Alpha booked it: %+v\nas Beta: %+v", redAlpha, redBeta)
	}
	pol := settlement.Policy{Version: 1, Currency: "EUR", Period: 24 * time.Hour,
		Loyalty: settlement.Loyalty{PointValue: 3, Funder: settlement.FunderHome}}
	events := []settlement.Event{settlementOf(redAlpha, 3), settlementOf(atAlpha, 3)}
	checkPointsLedgers(t, 0, pol, events, alpha.id, beta.id)
	var net int64
	for _, ev := range events {
		es, err := settlement.PointsEntries(ev, pol)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.From == alpha.id {
				net += e.Amount.Amount
			} else {
				net -= e.Amount.Amount
			}
		}
	}
	if net != 0 {
		t.Errorf("Alpha still owes Beta %d for points it gave back", net)
	}

	// After the refund: a replayed return gives nothing twice, and a
	// return of one point more than the order spent is refused.
	replay := holdMsg(t, beta, alpha.id, o.ID, PointsNote{Op: PointsOpReturn, Refund: refund, Points: 100})
	if reply := alpha.svc.Handle(ctx, beta.id, replay); !strings.Contains(string(reply), `"status"`) {
		t.Errorf("the same refund's return again: %s", reply)
	}
	refused("past what the order spent", beta, o.ID, 1)
	if again := accountOf(t, alpha.db, sh.ID); again.Returned != 100 {
		t.Errorf("a replayed return gave back %d in all", again.Returned)
	}
}
