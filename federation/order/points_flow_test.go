package order

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// pointsTerms earns one point per euro, worth a cent, spendable on
// delivery, for a year.
var pointsTerms = LoyaltyTerms{EarnBPS: 10000, PointValue: 1, PayableOn: StatusDelivered, SpendableOn: StatusDelivered,
	Expiry: 365 * 24 * time.Hour}

// accountOn waits until issuer m's account of shopper satisfies ok.
func accountOn(t testing.TB, m *member, shopper string, ok func(*PointsAccount) bool) *PointsAccount {
	t.Helper()
	var a *PointsAccount
	testwait.For(t, 10*time.Second, func() error {
		a = accountOf(t, m.db, shopper)
		if !ok(a) {
			return fmt.Errorf("points account %+v", a)
		}
		return nil
	})
	return a
}

// TestPointsEarnedAndReversed: a shopper of storefront A buys a part
// homed on C; C states the points when it delivers the part, A (the
// issuer) credits them and both book the same event; a refund of one of
// the two units takes half the points back, in the status that states
// it.
func TestPointsEarnedAndReversed(t *testing.T) {
	f := newCluster(t, 2)
	f.setLoyalty(pointsTerms)
	a, c := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(c, "forge", "PAN", 2599, 10)
	o, err := f.buy(a, "k1", 2, pan)
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0].ID
	statusOn(t, a, part, StatusAccepted)
	if _, err := c.svc.Ship(ctx, "forge", part, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.Deliver(ctx, "forge", part); err != nil {
		t.Fatal(err)
	}
	acct := accountOn(t, a, o.Shopper, func(x *PointsAccount) bool { return x.Earned > 0 })
	if acct.Earned != 51 || acct.Balance(f.clk.now()).Spendable != 51 {
		t.Errorf("after delivery of 51.98 EUR: %+v", acct)
	}
	f.drained()
	for _, m := range []*member{a, c} {
		if got := strings.Join(booked(t, m, part), " "); !strings.Contains(got, "points_earned/") {
			t.Errorf("%s booked %s, no points", shortPeer(m.id), got)
		}
	}
	one := int64(2599)
	if _, err := c.svc.RefundPart(ctx, "forge", part, RefundRequest{Lines: []Units{{ListingID: pan.ListingID, SKU: pan.SKU, Quantity: 1}}, Amount: &one}); err != nil {
		t.Fatal(err)
	}
	acct = accountOn(t, a, o.Shopper, func(x *PointsAccount) bool { return x.Reversed > 0 })
	if acct.Reversed != 25 || acct.Balance(f.clk.now()).Spendable != 26 {
		t.Errorf("after refunding one of two units: %+v", acct)
	}
	if err := acct.Check(); err != nil {
		t.Error(err)
	}
}

// signedBy signs a message of kind from key's member to to.
func signedBy(t testing.TB, key crypto.PrivKey, from, kind, to, part string, fill func(*Message)) (*Message, []byte) {
	t.Helper()
	m := &Message{ID: newMessageID(), Kind: kind, From: from, To: to, At: time.Now().UTC(), Part: part}
	fill(m)
	if err := m.sign(key); err != nil {
		t.Fatal(err)
	}
	return m, m.Encode()
}

// TestPointsForwardedToAnotherIssuer: storefront S sells a part homed
// on H to a shopper whose issuer is I; H forwards its delivered status
// with S's reserve to I, which credits its shopper. A forward of the
// same status by a member that is neither side, a claim for another
// issuer's shopper, or for an account I does not hold, is refused and
// credits nothing.
func TestPointsForwardedToAnotherIssuer(t *testing.T) {
	f := newCluster(t, 4)
	f.setLoyalty(pointsTerms)
	s, h, i, x := f.members[0], f.members[1], f.members[2], f.members[3]
	ctx := context.Background()
	sh, _, err := i.svc.CreateShopper(ctx, ShopperInput{Name: "Ida", Email: "ida@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	pan := f.list(h, "forge", "PAN", 1000, 10)
	part := "o" + newMessageID()[:20] + "-1"
	rs, rraw := signedBy(t, s.key, s.id, KindReserve, h.id, part, func(m *Message) {
		m.Reserve = &Reserve{Order: orderOfPart(part), Merchant: "forge", ShipTo: testShipTo,
			Lines:   []Line{{ListingID: pan.ListingID, SKU: pan.SKU, Quantity: 3, UnitPrice: pan.Price}},
			Loyalty: &LoyaltyClaim{Issuer: i.id, Account: sh.ID}}
	})
	if reply := h.svc.Handle(ctx, s.id, rraw); !strings.Contains(string(reply), `"status"`) {
		t.Fatalf("reserve: %s", reply)
	}
	_, craw := signedBy(t, s.key, s.id, KindConfirm, h.id, part, func(*Message) {})
	h.svc.Handle(ctx, s.id, craw)
	if _, err := h.svc.Ship(ctx, "forge", part, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Deliver(ctx, "forge", part); err != nil {
		t.Fatal(err)
	}
	acct := accountOn(t, i, sh.ID, func(a *PointsAccount) bool { return a.Earned > 0 })
	if acct.Earned != 30 {
		t.Errorf("I credited %+v, want 30 points", acct)
	}
	if got := strings.Join(booked(t, i, part), " "); !strings.Contains(got, "points_earned/") {
		t.Errorf("I booked %q", got)
	}
	var sraw []byte
	if err := h.db.View(func(txn *badger.Txn) (err error) { sraw, err = getRaw(txn, prefixLatest+part); return err }); err != nil {
		t.Fatal(err)
	}
	before := fmt.Sprint(accountOf(t, i.db, sh.ID))
	forward := func(key crypto.PrivKey, from string, status, reserve []byte) []byte {
		_, raw := signedBy(t, key, from, KindPoints, i.id, part, func(m *Message) {
			m.Points = &PointsNote{Op: PointsOpStatus, Status: status, Reserve: reserve}
		})
		return i.svc.Handle(ctx, from, raw)
	}
	if reply := forward(x.key, x.id, sraw, rraw); !strings.Contains(string(reply), `"code"`) {
		t.Errorf("a third member's forward: %s", reply)
	}
	_, other := signedBy(t, s.key, s.id, KindReserve, h.id, part, func(m *Message) {
		r := *rs.Reserve
		r.Loyalty = &LoyaltyClaim{Issuer: i.id, Account: "nobody"}
		m.Reserve = &r
	})
	if reply := forward(h.key, h.id, sraw, other); !strings.Contains(string(reply), `"code"`) {
		t.Errorf("a reserve for another account: %s", reply)
	}
	if after := fmt.Sprint(accountOf(t, i.db, sh.ID)); after != before {
		t.Errorf("refused forwards changed the account: %s, was %s", after, before)
	}
	if err := i.db.View(func(txn *badger.Txn) error {
		var a PointsAccount
		if ok, err := getJSON(txn, prefixPointsAccount+"nobody", &a); ok || err != nil {
			return errors.Join(err, errors.New("an account was made for nobody"))
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}
