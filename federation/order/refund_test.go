package order

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/internal/testwait"
)

// buyToDE checks out qty of each offer on storefront m, shipped to
// Germany (where forgeProfile charges shipping), and waits until every
// part is accepted.
func (f *cluster) buyToDE(m *member, qty int64, offers ...offer) Order {
	f.t.Helper()
	ctx := context.Background()
	sh, _, err := m.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: fmt.Sprintf("ada+%s@example.org", newMessageID()[:8])})
	if err != nil {
		f.t.Fatal(err)
	}
	cart, err := m.svc.CreateCart(ctx, sh.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := m.svc.SetShipTo(ctx, sh.ID, cart.ID, shipping.Destination{Country: "DE"}); err != nil {
		f.t.Fatal(err)
	}
	for _, o := range offers {
		if _, err := m.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: o.ListingID, SKU: o.SKU, Quantity: qty}); err != nil {
			f.t.Fatal(err)
		}
	}
	o, _, err := m.svc.Checkout(ctx, sh.ID, cart.ID, "k", CheckoutRequest{ShippingAddress: toDE,
		Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, p := range o.Parts {
		statusOn(f.t, m, p.ID, StatusAccepted)
	}
	return o
}

// refundedOn waits until the shopper's payment of order o on storefront m
// shows want refunded.
func refundedOn(t *testing.T, m *member, o Order, want int64) {
	t.Helper()
	testwait.For(t, 10*time.Second, func() error {
		got, err := m.svc.GetOrder(context.Background(), o.Shopper, o.ID)
		if err != nil || got.Payment.Refunded.Amount != want {
			return fmt.Errorf("order %s's payment: %+v (%v), want %d refunded", o.ID, got.Payment, err, want)
		}
		return nil
	})
}

// fieldOf returns the first field a FieldErrors names, or "".
func fieldOf(err error) string {
	var fe FieldErrors
	if errors.As(err, &fe) && len(fe) > 0 {
		return fe[0].Field
	}
	return ""
}

// TestShopperCancelsSomeUnits: a shopper cancels some units of an
// accepted part: they go back to stock at the home, their worth is
// refunded, and the part goes on; more units than are left, a line the
// part does not have, or a part that shipped are refused by name and
// change nothing; a repeated Idempotency-Key cancels once; cancelling
// every unit left cancels the part and gives back the rest, shipping
// included.
func TestShopperCancelsSomeUnits(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	lid := f.list(b, "forge", "LID", 1500, 10)
	f.cat.ship(pan.ListingID, forgeProfile(490), 2)
	f.cat.ship(lid.ListingID, forgeProfile(490), 2)
	o := f.buyToDE(a, 3, pan, lid)
	part := o.Parts[0]
	if part.Shipping.Amount != 490+6*100 || part.Total.Amount != 3*4990+3*1500+1090 {
		t.Fatalf("part: %s of shipping in %s", part.Shipping, part.Total)
	}
	if f.stockOf(pan) != 7 || f.stockOf(lid) != 7 {
		t.Fatalf("stock after the sale: %d pans, %d lids", f.stockOf(pan), f.stockOf(lid))
	}

	for _, bad := range []struct {
		lines []Units
		field string
	}{
		{[]Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 4}}, "lines[0].quantity"},
		{[]Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 0}}, "lines[0].quantity"},
		{[]Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}, {ListingID: pan.ListingID, SKU: "POT", Quantity: 1}}, "lines[1].sku"},
		{nil, "lines"},
	} {
		if _, err := a.svc.CancelUnits(ctx, o.Shopper, o.ID, part.ID, bad.lines, ""); fieldOf(err) != bad.field {
			t.Errorf("cancelling %+v: %v, want a FieldErrors naming %s", bad.lines, err, bad.field)
		}
	}
	if _, err := a.svc.CancelUnits(ctx, "shp_someone_else", o.ID, part.ID, []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}}, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("another shopper cancelling: %v, want not found", err)
	}
	if p := partOn(t, a, part.ID); p.Seq != 2 || len(p.Refunds) != 0 || f.stockOf(pan) != 7 {
		t.Fatalf("refused cancels changed the part: seq %d, %d refunds, %d pans in stock", p.Seq, len(p.Refunds), f.stockOf(pan))
	}

	// Two pans: back to stock, 99.80 refunded, the part goes on.
	twoPans := []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 2}}
	for range 2 { // the same key twice: one cancel
		if _, err := a.svc.CancelUnits(ctx, o.Shopper, o.ID, part.ID, twoPans, "c1"); err != nil {
			t.Fatal(err)
		}
	}
	testwait.For(t, 10*time.Second, func() error {
		if p := partOn(t, a, part.ID); len(p.Refunds) != 1 {
			return fmt.Errorf("storefront holds %d refunds", len(p.Refunds))
		}
		return nil
	})
	f.drained()
	p := partOn(t, a, part.ID)
	if p.Status != StatusAccepted || p.Refunded.Amount != 2*4990 || p.Refunds[0].Kind != RefundKindCancel || !p.Refunds[0].Restock {
		t.Fatalf("after cancelling two pans: %s, refunded %s, %+v", p.Status, p.Refunded, p.Refunds)
	}
	if left := p.Left(); left.units(pan.ListingID+"\x00PAN") != 1 || left.units(lid.ListingID+"\x00LID") != 3 || left.Shipping.Amount != 1090 {
		t.Errorf("left after cancelling two pans: %+v", left)
	}
	if f.stockOf(pan) != 9 || f.stockOf(lid) != 7 {
		t.Errorf("stock after cancelling two pans: %d pans, %d lids; want 9 and 7", f.stockOf(pan), f.stockOf(lid))
	}
	refundedOn(t, a, o, 2*4990)
	hp, err := b.svc.HomePartOf(ctx, "forge", part.ID)
	if err != nil || len(hp.Refunds) != 1 || hp.Refunds[0].ID != p.Refunds[0].ID || hp.Refunded != p.Refunded {
		t.Fatalf("the home's part: %+v %v", hp, err)
	}
	if _, err := a.svc.CancelUnits(ctx, o.Shopper, o.ID, part.ID, twoPans, ""); fieldOf(err) != "lines[0].quantity" {
		t.Errorf("cancelling two more pans of one left: %v", err)
	}

	// The rest: the part is cancelled and gives back all that is left.
	rest := []Units{{ListingID: lid.ListingID, SKU: "LID", Quantity: 3}, {ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}}
	if _, err := a.svc.CancelUnits(ctx, o.Shopper, o.ID, part.ID, rest, ""); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, part.ID, StatusCancelled)
	refundedOn(t, a, o, part.Total.Amount)
	if f.stockOf(pan) != 10 || f.stockOf(lid) != 10 {
		t.Errorf("stock after cancelling everything: %d pans, %d lids", f.stockOf(pan), f.stockOf(lid))
	}
	p = partOn(t, a, part.ID)
	if len(p.Refunds) != 2 || p.Refunds[1].Shipping.Amount != 1090 || p.Refunded != p.Total {
		t.Errorf("after cancelling the rest: %+v, refunded %s", p.Refunds, p.Refunded)
	}
	for _, m := range []*member{a, b} {
		if got := booked(t, m, part.ID); !slices.Equal(got, []string{"accepted/2", "accepted/3", "cancelled/4"}) {
			t.Errorf("%s booked %v", shortPeer(m.id), got)
		}
	}

	// A part that shipped can no longer be cancelled, in whole or in part.
	o2 := f.buyToDE(a, 1, pan)
	if _, err := b.svc.Ship(ctx, "forge", o2.Parts[0].ID, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, o2.Parts[0].ID, StatusShipped)
	if _, err := a.svc.CancelUnits(ctx, o2.Shopper, o2.ID, o2.Parts[0].ID, []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}}, ""); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "part_id") {
		t.Errorf("cancelling units of a shipped part: %v, want a conflict naming part_id", err)
	}
}

// TestMerchantRefundsInPieces: a merchant refunds some units, an amount,
// and the shipping, each a signed status with its own id that both sides
// keep; two refunds of the same amount are two refunds; a refund beyond
// what is left is refused by name with no status; units go back to stock
// only when asked; a refund of everything left ends the part refunded;
// the storefront pays each refund once.
func TestMerchantRefundsInPieces(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	f.cat.ship(pan.ListingID, forgeProfile(490), 2)
	o := f.buyToDE(a, 4, pan) // 4 × 49.90 + 4.90 + 4 × 1.00 of shipping
	id := o.Parts[0].ID
	const ship = 490 + 400
	if _, err := b.svc.Ship(ctx, "forge", id, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Deliver(ctx, "forge", id); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, id, StatusDelivered)
	amount := func(n int64) *int64 { return &n }
	one := []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}}

	for _, bad := range []struct {
		req   RefundRequest
		field string
	}{
		{RefundRequest{Amount: amount(4*4990 + 1)}, "amount"},
		{RefundRequest{Lines: []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 5}}}, "lines[0].quantity"},
		{RefundRequest{Lines: []Units{{ListingID: pan.ListingID, SKU: "POT", Quantity: 1}}}, "lines[0].sku"},
		{RefundRequest{Restock: true}, "restock"},
		{RefundRequest{Amount: amount(-1)}, "amount"},
		{RefundRequest{}, "amount"},
	} {
		if _, err := b.svc.RefundPart(ctx, "forge", id, bad.req); fieldOf(err) != bad.field {
			t.Errorf("refund %+v: %v, want a FieldErrors naming %s", bad.req, err, bad.field)
		}
	}
	if _, err := b.svc.RefundPart(ctx, "linen", id, RefundRequest{Amount: amount(100)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("another merchant refunding: %v", err)
	}
	if hp, _ := b.svc.HomePartOf(ctx, "forge", id); hp.Seq != 4 || len(hp.Refunds) != 0 {
		t.Fatalf("refused refunds changed the part: seq %d, %+v", hp.Seq, hp.Refunds)
	}

	// One pan back to stock at its price; then 10.00 twice, two refunds.
	if _, err := b.svc.RefundPart(ctx, "forge", id, RefundRequest{Lines: one, Restock: true, Reason: "returned"}); err != nil {
		t.Fatal(err)
	}
	if n := f.stockOf(pan); n != 7 {
		t.Errorf("stock %d after a restocked refund of one pan, want 7", n)
	}
	for _, key := range []string{"g1", "g2", "g2"} { // g2 repeated: one refund
		if _, err := b.svc.RefundPart(ctx, "forge", id, RefundRequest{Amount: amount(1000), Key: key}); err != nil {
			t.Fatal(err)
		}
	}
	// One pan not back to stock (it was broken), without shipping.
	if _, err := b.svc.RefundPart(ctx, "forge", id, RefundRequest{Lines: one}); err != nil {
		t.Fatal(err)
	}
	if n := f.stockOf(pan); n != 7 {
		t.Errorf("stock %d after a refund that keeps the pan out, want 7", n)
	}
	hp, err := b.svc.HomePartOf(ctx, "forge", id)
	if err != nil || hp.Status != StatusDelivered || len(hp.Refunds) != 4 || hp.Refunded.Amount != 2*4990+2000 || hp.RefundedShipping.Amount != 0 {
		t.Fatalf("the home's part after four refunds: %s, %d refunds, %s: %v", hp.Status, len(hp.Refunds), hp.Refunded, err)
	}
	if hp.Refunds[1].Amount != hp.Refunds[2].Amount || hp.Refunds[1].ID == hp.Refunds[2].ID {
		t.Errorf("two refunds of 10.00: %+v and %+v", hp.Refunds[1], hp.Refunds[2])
	}
	// Left: 2 pans, 2 × 49.90 − 20.00 of items, all the shipping.
	left := hp.Left()
	if left.Items.Amount != 2*4990-2000 || left.Shipping.Amount != ship || left.units(pan.ListingID+"\x00PAN") != 2 {
		t.Fatalf("left: %+v", left)
	}
	if _, err := b.svc.RefundPart(ctx, "forge", id, RefundRequest{Lines: []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 2}}}); fieldOf(err) != "lines" {
		t.Errorf("refunding two pans at their price when less is left: %v, want a FieldErrors naming lines", err)
	}
	// The shipping alone, then the rest: the part ends refunded.
	if _, err := b.svc.RefundPart(ctx, "forge", id, RefundRequest{WithShipping: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.RefundPart(ctx, "forge", id, RefundRequest{WithShipping: true}); fieldOf(err) != "amount" {
		t.Errorf("refunding the shipping twice: %v", err)
	}
	if _, err := b.svc.Refund(ctx, "forge", id); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, id, StatusRefunded)
	if _, err := b.svc.RefundPart(ctx, "forge", id, RefundRequest{Amount: amount(1)}); !errors.Is(err, ErrConflict) {
		t.Errorf("refunding a refunded part: %v, want a conflict", err)
	}
	f.drained()
	refundedOn(t, a, o, o.Total.Amount)
	p := partOn(t, a, id)
	if len(p.Refunds) != 6 || p.Refunded != p.Total || p.RefundedShipping.Amount != ship {
		t.Errorf("storefront: %d refunds, refunded %s (shipping %s) of %s", len(p.Refunds), p.Refunded, p.RefundedShipping, p.Total)
	}
	for i, r := range p.Refunds {
		if r.ID != hp.Refunds[min(i, len(hp.Refunds)-1)].ID && i < 4 {
			t.Errorf("refund %d: storefront %s, home %s", i, r.ID, hp.Refunds[i].ID)
		}
	}
	// Every refund is its own signed status, which proves it.
	for _, m := range []*member{a, b} {
		got := booked(t, m, id)
		want := []string{"accepted/2", "delivered/4", "delivered/5", "delivered/6", "delivered/7", "delivered/8", "delivered/9", "refunded/10"}
		if !slices.Equal(got, want) {
			t.Errorf("%s booked %v, want %v", shortPeer(m.id), got, want)
		}
		for _, r := range p.Refunds {
			proof, err := m.svc.ProveStatus(ctx, id, b.id, func(msg *Message) bool { return msg.Status.Refund != nil && msg.Status.Refund.ID == r.ID })
			if err != nil {
				t.Fatal(err)
			}
			if st, err := VerifyProof(proof); err != nil || st.Status.Refund.Amount != r.Amount {
				t.Errorf("proof of refund %s from %s: %v", r.ID, shortPeer(m.id), err)
			}
		}
	}
}

// TestRefundBeforeShipping: an accepted part refunded in part without
// restocking keeps the units out, with restocking gives them back; the
// shipping stays unless asked for; refunding every unit left ends the part
// refunded and gives its shipping back, the units not refunded yet back to
// stock.
func TestRefundBeforeShipping(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	f.cat.ship(pan.ListingID, forgeProfile(490), 2)
	o := f.buyToDE(a, 3, pan)
	id := o.Parts[0].ID
	one := []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}}
	if _, err := b.svc.RefundPart(ctx, "forge", id, RefundRequest{Lines: one}); err != nil { // damaged in the warehouse
		t.Fatal(err)
	}
	if _, err := b.svc.RefundPart(ctx, "forge", id, RefundRequest{Lines: one, Restock: true}); err != nil {
		t.Fatal(err)
	}
	if n := f.stockOf(pan); n != 8 {
		t.Errorf("stock %d after one written off and one restocked of three, want 8", n)
	}
	hp, _ := b.svc.HomePartOf(ctx, "forge", id)
	if hp.Status != StatusAccepted || hp.RefundedShipping.Amount != 0 {
		t.Fatalf("after two refunds of one pan: %s, shipping refunded %s", hp.Status, hp.RefundedShipping)
	}
	if _, err := b.svc.Refund(ctx, "forge", id); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, id, StatusRefunded)
	if n := f.stockOf(pan); n != 9 {
		t.Errorf("stock %d after refunding the part, want 9 (one written off)", n)
	}
	refundedOn(t, a, o, o.Total.Amount)
	if p := partOn(t, a, id); p.RefundedShipping != p.Shipping || p.Refunded != p.Total {
		t.Errorf("storefront: refunded %s (shipping %s)", p.Refunded, p.RefundedShipping)
	}
	if _, err := a.svc.CancelUnits(ctx, o.Shopper, o.ID, id, one, ""); !errors.Is(err, ErrConflict) {
		t.Errorf("cancelling units of a refunded part: %v", err)
	}
}

// TestForgedRefundIsCaught: a status whose refund gives back units the
// part never had, or more than the status's total refunded, is refused by
// the storefront and by a proof's verifier.
func TestForgedRefundIsCaught(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o := f.buyToDE(a, 2, pan)
	id := o.Parts[0].ID
	if _, err := b.svc.RefundPart(ctx, "forge", id, RefundRequest{Lines: []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}}}); err != nil {
		t.Fatal(err)
	}
	// The storefront holds the real refund before the forgeries arrive,
	// so that any change after them is theirs.
	testwait.For(t, 10*time.Second, func() error {
		if p := partOn(t, a, id); len(p.Refunds) != 1 {
			return fmt.Errorf("storefront holds %d refunds", len(p.Refunds))
		}
		return nil
	})
	proof, err := b.svc.ProveStatus(ctx, id, b.id, func(m *Message) bool { return m.Status.Refund != nil })
	if err != nil {
		t.Fatal(err)
	}
	var pr Proof
	if err := json.Unmarshal(proof, &pr); err != nil {
		t.Fatal(err)
	}
	st, _ := DecodeMessage(pr.Status)
	for name, forge := range map[string]func(s *Status){
		"more units":           func(s *Status) { s.Refund.Lines[0].Quantity = 3 },
		"more than refunded":   func(s *Status) { s.Refund.Amount.Amount = s.Refunded.Amount + 1 },
		"shipping not given":   func(s *Status) { s.Refund.Shipping.Amount, s.Refund.Shipping.Currency = 1, "EUR" },
		"another part's lines": func(s *Status) { s.Refund.Lines[0].SKU = "POT" },
	} {
		cp := *st.Status
		r := *cp.Refund
		r.Lines = slices.Clone(r.Lines)
		cp.Refund = &r
		forge(&cp)
		cp.Seq, cp.Refund.Seq = 9, 9
		raw := SignedStatus(b.key, a.id, id, time.Now(), &cp)
		pr2 := pr
		pr2.Status = raw
		b2, _ := json.Marshal(pr2)
		if _, err := VerifyProof(b2); !errors.Is(err, ErrForged) && !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: the proof verified (%v)", name, err)
		}
		reply := a.svc.Handle(ctx, b.id, raw)
		if !strings.Contains(string(reply), `"code"`) {
			t.Errorf("%s: the storefront took it: %s", name, reply)
		}
	}
	if p := partOn(t, a, id); p.Seq > 3 || len(p.Refunds) != 1 {
		t.Errorf("forged statuses changed the storefront's part: seq %d, %d refunds", p.Seq, len(p.Refunds))
	}
}
