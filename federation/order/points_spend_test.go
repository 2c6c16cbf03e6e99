package order

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// earnFor gives shopper of issuer m points by crediting a delivered
// part's earn directly, as a forwarded status does.
func earnFor(t testing.TB, m *member, shopper, part string, points int64, at time.Time) {
	t.Helper()
	if err := pointsUpdate(m.db, func(txn *badger.Txn) error {
		_, err := earnPoints(txn, shopper, part, points, at, time.Time{}, at)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPointsSpentAtCheckout: a shopper with points pays part of an order
// with them: the payment takes the rest, the issuer spends exactly those
// points once the order is placed, and asking for more points than the
// shopper has, or than the policy lets pay, is refused naming "points"
// and holds nothing.
func TestPointsSpentAtCheckout(t *testing.T) {
	f := newCluster(t, 2)
	terms := pointsTerms
	terms.MaxShareBPS = 5000
	f.setLoyalty(terms)
	a, c := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(c, "forge", "PAN", 1000, 10)
	sh, _, err := a.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	earnFor(t, a, sh.ID, "earlier-part", 400, f.clk.now().Add(-time.Hour))
	checkout := func(key string, points int64) (Order, error) {
		cart, err := a.svc.CreateCart(ctx, sh.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: pan.ListingID, SKU: pan.SKU, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		o, _, err := a.svc.Checkout(ctx, sh.ID, cart.ID, key, CheckoutRequest{ShippingAddress: testShipTo,
			Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}, Points: points})
		return o, err
	}
	for _, tt := range []struct {
		name   string
		points int64
		says   string
	}{
		{"more than half the order", 501, "at most 50.00 %"},
		{"negative", -1, "0 or more"},
	} {
		if _, err := checkout("bad-"+tt.name, tt.points); !strings.Contains(fmt.Sprint(err), tt.says) || !strings.Contains(fmt.Sprint(err), "points") {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	earnFor(t, a, sh.ID, "small", 1, f.clk.now().Add(-time.Hour)) // 401 in all
	o, err := checkout("k1", 300)
	if err != nil {
		t.Fatal(err)
	}
	if o.Points == nil || o.Points.Points != 300 || o.Points.Value.Amount != 300 || o.Payment.Amount.Amount != o.Total.Amount-300 {
		t.Fatalf("order paid with points: %+v, payment %+v of %s", o.Points, o.Payment, o.Total)
	}
	f.drained()
	acct := accountOf(t, a.db, sh.ID)
	if acct.Spent != 300 || acct.Held != 0 || acct.Balance(f.clk.now()).Spendable != 101 {
		t.Errorf("after spending 300: %+v", acct)
	}
	if _, err := checkout("k2", 200); !strings.Contains(fmt.Sprint(err), "points") {
		t.Errorf("spending 200 of 101 points: %v", err)
	}
	if after := accountOf(t, a.db, sh.ID); fmt.Sprint(after) != fmt.Sprint(acct) {
		t.Errorf("a refused spend changed the account: %+v, was %+v", after, acct)
	}
	got, err := a.svc.GetOrder(ctx, sh.ID, o.ID)
	if err != nil || got.Points == nil || len(got.Points.Confirmed) == 0 {
		t.Errorf("the order keeps no confirmed hold: %+v, %v", got.Points, err)
	}
	if b := strings.Join(booked(t, a, pointsHoldID(a.id, o.ID)), " "); !strings.Contains(b, "points_redeemed") {
		t.Errorf("redemption booked: %q", b)
	}
	// A refund of the whole part gives the card back what it paid and
	// the points back to the shopper, never charging the card for them.
	if _, err := c.svc.Refund(ctx, "forge", o.Parts[0].ID); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		got, err := a.svc.GetOrder(ctx, sh.ID, o.ID)
		if err != nil {
			return err
		}
		if got.Payment.Refunded != got.Payment.Amount || got.Points.RefundDue.Amount != 0 || got.Points.Returned != 300 {
			return fmt.Errorf("refunded %+v of %+v, due in points %+v, %d points back", got.Payment.Refunded, got.Payment.Amount, got.Points.RefundDue, got.Points.Returned)
		}
		return nil
	})
	if acct := accountOf(t, a.db, sh.ID); acct.Returned != 300 || acct.Balance(f.clk.now()).Spendable != 401 {
		t.Errorf("after the refund: %+v", acct)
	}
}

// leaveBytes is what an issuer signs to let storefront spend account's
// points: in these tests, the stand-in for the ID token it issues.
func leaveBytes(storefront, account string) []byte {
	return []byte("fedmart/test/points-leave\n" + storefront + "\n" + account)
}

// leave is issuer m's leave for storefront to spend account's points:
// like an ID token, a compact string that is not JSON.
func leave(t testing.TB, m *member, storefront, account string) []byte {
	t.Helper()
	sig, err := m.key.Sign(leaveBytes(storefront, account))
	if err != nil {
		t.Fatal(err)
	}
	return []byte("leave." + base64.RawURLEncoding.EncodeToString(sig))
}

// checkLeave checks a leave signed with the issuer's key.
func checkLeave(key crypto.PrivKey, storefront, account string, auth []byte) error {
	enc, ok := strings.CutPrefix(string(auth), "leave.")
	sig, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil {
		return errors.New("no leave")
	}
	if ok, err := key.GetPublic().Verify(leaveBytes(storefront, account), sig); err != nil || !ok {
		return errors.New("the leave is not the issuer's for this storefront and account")
	}
	return nil
}

// holdMsg is a points message from storefront m to issuer about order.
func holdMsg(t testing.TB, m *member, issuer, order string, note PointsNote) []byte {
	t.Helper()
	_, raw := signedBy(t, m.key, m.id, KindPoints, issuer, order, func(x *Message) { x.Points = &note })
	return raw
}

// TestPointsOfALinkedShopperAreSpentWithItsLeave: a shopper of the
// issuer signed in on another member's storefront, which kept the
// issuer's ID token of that sign-in (not JSON) as the shopper's leave,
// pays part of an order there with points: the storefront's hold
// carries the leave, the issuer takes it and spends the points.
func TestPointsOfALinkedShopperAreSpentWithItsLeave(t *testing.T) {
	f := newCluster(t, 3)
	f.setLoyalty(pointsTerms)
	i, s, c := f.members[0], f.members[1], f.members[2]
	ctx := context.Background()
	pan := f.list(c, "forge", "PAN", 1000, 10)
	sh, _, err := i.svc.CreateShopper(ctx, ShopperInput{Name: "Ida", Email: "ida@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	earnFor(t, i, sh.ID, "p1", 400, f.clk.now().Add(-time.Hour))
	linked, err := s.svc.LinkedShopper(ctx, Link{Issuer: i.id, Subject: sh.ID, Name: "Ida", Leave: leave(t, i, s.id, sh.ID)})
	if err != nil {
		t.Fatal(err)
	}
	cart, err := s.svc.CreateCart(ctx, linked.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.AddItem(ctx, linked.ID, cart.ID, ItemInput{ListingID: pan.ListingID, SKU: pan.SKU, Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	o, _, err := s.svc.Checkout(ctx, linked.ID, cart.ID, "k1", CheckoutRequest{ShippingAddress: testShipTo,
		Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}, Points: 250})
	if err != nil {
		t.Fatal(err)
	}
	if o.Points == nil || o.Points.Issuer != i.id || o.Points.Points != 250 {
		t.Fatalf("the order's points: %+v", o.Points)
	}
	f.drained()
	if acct := accountOf(t, i.db, sh.ID); acct.Spent != 250 || acct.Held != 0 {
		t.Errorf("the issuer's account after the spend: %+v", acct)
	}
}

// TestPointsHoldsAtTheIssuer: twenty checkouts on two storefronts hold
// and confirm the same shopper's points at once at its issuer, each with
// the shopper's leave: exactly the points there were are spent, once; a
// forged hold (signed by another member than it claims), a hold without
// the shopper's leave for that storefront, a replayed hold and a confirm
// by a storefront that did not hold change nothing.
func TestPointsHoldsAtTheIssuer(t *testing.T) {
	f := newCluster(t, 4)
	f.setLoyalty(pointsTerms)
	i, s1, s2, x := f.members[0], f.members[1], f.members[2], f.members[3]
	ctx := context.Background()
	sh, _, err := i.svc.CreateShopper(ctx, ShopperInput{Name: "Ida", Email: "ida@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	earnFor(t, i, sh.ID, "p1", 1000, f.clk.now().Add(-time.Hour))
	deadline := f.clk.now().Add(time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex // guards spent, refused
	spent, refused := 0, 0
	for n := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			shop := []*member{s1, s2}[n%2]
			order := fmt.Sprintf("ord_%02d", n)
			hold := i.svc.Handle(ctx, shop.id, holdMsg(t, shop, i.id, order, PointsNote{Op: PointsOpHold, Account: sh.ID, Points: 150, Deadline: deadline, Policy: 1,
				Auth: leave(t, i, shop.id, sh.ID)}))
			if _, err := heldAnswer(hold, i.id, order); err != nil {
				mu.Lock()
				refused++
				mu.Unlock()
				return
			}
			confirm := i.svc.Handle(ctx, shop.id, holdMsg(t, shop, i.id, order, PointsNote{Op: PointsOpConfirm}))
			m, err := heldAnswer(confirm, i.id, order)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || m.Points.State != PointsConfirmed {
				t.Errorf("confirm of %s: %v", order, err)
				return
			}
			spent++
		}()
	}
	wg.Wait()
	acct := accountOf(t, i.db, sh.ID)
	if spent != 6 || refused != 14 || acct.Spent != 900 || acct.Held != 0 {
		t.Errorf("%d spent, %d refused; account %+v", spent, refused, acct)
	}
	before := fmt.Sprint(accountOf(t, i.db, sh.ID))
	replay := holdMsg(t, s1, i.id, "ord_r", PointsNote{Op: PointsOpHold, Account: sh.ID, Points: 50, Deadline: deadline, Policy: 1, Auth: leave(t, i, s1.id, sh.ID)})
	first := i.svc.Handle(ctx, s1.id, replay)
	if again := i.svc.Handle(ctx, s1.id, replay); string(again) != string(first) {
		t.Errorf("a replayed hold got another answer:\n%s\n%s", again, first)
	}
	if acct := accountOf(t, i.db, sh.ID); acct.Held != 50 {
		t.Errorf("a replayed hold held %d", acct.Held)
	}
	forged := holdMsg(t, x, i.id, "ord_f", PointsNote{Op: PointsOpHold, Account: sh.ID, Points: 50, Deadline: deadline, Policy: 1, Auth: leave(t, i, s1.id, sh.ID)})
	if reply := i.svc.Handle(ctx, s1.id, forged); !strings.Contains(string(reply), `"code"`) {
		t.Errorf("a hold signed by another member than it claims: %s", reply)
	}
	for name, auth := range map[string][]byte{"no leave": nil, "another storefront's leave": leave(t, i, s1.id, sh.ID)} {
		if reply := i.svc.Handle(ctx, x.id, holdMsg(t, x, i.id, "ord_x", PointsNote{Op: PointsOpHold, Account: sh.ID, Points: 50, Deadline: deadline, Policy: 1, Auth: auth})); !strings.Contains(string(reply), `"code"`) {
			t.Errorf("a hold with %s: %s", name, reply)
		}
	}
	if reply := i.svc.Handle(ctx, x.id, holdMsg(t, x, i.id, "ord_r", PointsNote{Op: PointsOpConfirm})); !strings.Contains(string(reply), `"code"`) {
		t.Errorf("a confirm by a storefront that did not hold: %s", reply)
	}
	if reply := i.svc.Handle(ctx, s1.id, holdMsg(t, s1, i.id, "ord_r", PointsNote{Op: PointsOpHold, Account: sh.ID, Points: 60, Deadline: deadline, Policy: 1, Auth: leave(t, i, s1.id, sh.ID)})); !strings.Contains(string(reply), `"code"`) {
		t.Errorf("a second hold for the same order with other points: %s", reply)
	}
	after := accountOf(t, i.db, sh.ID)
	after.Held -= 50 // the replayed hold's
	after.Lots[0].Left += 50
	if fmt.Sprint(after) != before {
		t.Errorf("refused messages changed the account: %+v, was %s", after, before)
	}

	// A hold its storefront never ended gives its points back once its
	// deadline and grace have passed; points past their expiry go.
	earnFor(t, i, sh.ID, "p2", 7, f.clk.now())
	if err := pointsUpdate(i.db, func(txn *badger.Txn) error {
		_, err := earnPoints(txn, sh.ID, "p3", 5, f.clk.now(), f.clk.now().Add(30*time.Minute), f.clk.now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.clk.add(time.Minute + 31*time.Minute)
	if err := i.svc.sweepPoints(ctx); err != nil {
		t.Fatal(err)
	}
	acct = accountOf(t, i.db, sh.ID)
	if acct.Held != 0 || acct.Expired != 5 || acct.Balance(f.clk.now()).Spendable != 100+7 {
		t.Errorf("after the sweep: %+v", acct)
	}
	if err := acct.Check(); err != nil {
		t.Error(err)
	}
}
