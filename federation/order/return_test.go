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

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/internal/testwait"
)

// delivered sells qty of each offer from storefront a, has the home b
// ship and deliver the part, and waits until a sees it delivered.
func (f *cluster) delivered(a, b *member, qty int64, offers ...offer) (Order, Part) {
	f.t.Helper()
	ctx := context.Background()
	o := f.buyToDE(a, qty, offers...)
	part := o.Parts[0].ID
	if _, err := b.svc.Ship(ctx, "forge", part, "DHL", "JD1"); err != nil {
		f.t.Fatal(err)
	}
	if _, err := b.svc.Deliver(ctx, "forge", part); err != nil {
		f.t.Fatal(err)
	}
	statusOn(f.t, a, part, StatusDelivered)
	return o, partOn(f.t, a, part)
}

// returnOn waits until storefront m holds return rid of part in state, as
// the home stated it, and returns it.
func returnOn(t *testing.T, m *member, o Order, part, rid, state string) Return {
	t.Helper()
	var r Return
	testwait.For(t, 10*time.Second, func() (err error) {
		r, err = m.svc.PartReturn(context.Background(), o.Shopper, o.ID, part, rid)
		if err == nil && (r.State != state || r.Seq == 0) {
			err = fmt.Errorf("return %s is %s (seq %d), want %s as the home stated it", rid, r.State, r.Seq, state)
		}
		return err
	})
	return r
}

func sameJSON(t *testing.T, what string, a, b any) {
	t.Helper()
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Errorf("%s differ:\n%s\n%s", what, ja, jb)
	}
}

// TestReturnFlow: a shopper returns two of three pans of a delivered
// part; the merchant approves with a label and receives them; the refund
// of their worth less the 10% restocking fee follows by itself, the pans
// go back to stock, and both sides hold the same return with its steps.
func TestReturnFlow(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	f.cat.policies(b.id, "forge", catalog.Policies{ReturnDays: 14, ReturnShipping: catalog.ReturnPaidByShopper, RestockingFeeBPS: 1000})
	pan := f.list(b, "forge", "PAN", 4990, 10)
	lid := f.list(b, "forge", "LID", 1500, 10)
	o, p := f.delivered(a, b, 3, pan, lid)
	if p.DeliveredAt.IsZero() {
		t.Fatalf("the storefront does not know when the part was delivered: %+v", p)
	}
	f.clk.add(3 * 24 * time.Hour)

	twoPans := []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 2}}
	r, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, p.ID, ReturnInput{Lines: twoPans, Reason: "damaged", Note: "  dented  "}, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, p.ID, ReturnInput{Lines: twoPans, Reason: "damaged"}, "r1"); err != nil || again.ID != r.ID {
		t.Fatalf("the same key again: %+v %v", again, err)
	}
	r = returnOn(t, a, o, p.ID, r.ID, ReturnRequested)
	if r.Note != "dented" || r.Reason != "damaged" || len(r.Steps) != 1 || r.Steps[0].By != ByShopper {
		t.Errorf("requested return: %+v", r)
	}
	list, err := b.svc.MerchantReturns(ctx, "forge", "", 50)
	if err != nil || len(list) != 1 || list[0].Return.ID != r.ID || list[0].Part != p.ID {
		t.Fatalf("merchant's returns: %+v %v", list, err)
	}

	label := "https://labels.example/r/1.pdf"
	if _, err := b.svc.ApproveReturn(ctx, "forge", p.ID, r.ID, ReturnInstructions{LabelURL: label, Address: "Forge, Hafen 1, Hamburg"}); err != nil {
		t.Fatal(err)
	}
	r = returnOn(t, a, o, p.ID, r.ID, ReturnApproved)
	if r.Instructions == nil || r.Instructions.LabelURL != label || r.ShippingPaidBy != catalog.ReturnPaidByShopper || r.RestockingFeeBPS != 1000 {
		t.Errorf("approved return: %+v", r)
	}
	if f.stockOf(pan) != 7 {
		t.Errorf("stock before the pans came back: %d", f.stockOf(pan))
	}

	hp, err := b.svc.ReceiveReturn(ctx, "forge", p.ID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	fee := int64(2 * 4990 / 10)
	r = returnOn(t, a, o, p.ID, r.ID, ReturnReceived)
	if r.RestockingFee.Amount != fee || r.Refund == "" || len(r.Steps) != 3 {
		t.Fatalf("received return: %+v", r)
	}
	refundedOn(t, a, o, 2*4990-fee)
	f.drained()
	got := partOn(t, a, p.ID)
	if len(got.Refunds) != 1 || got.Refunds[0].ID != r.Refund || got.Refunds[0].Amount.Amount != 2*4990-fee || !got.Refunds[0].Restock || got.Status != StatusDelivered {
		t.Fatalf("storefront's part after the return: %s %+v", got.Status, got.Refunds)
	}
	if f.stockOf(pan) != 9 || f.stockOf(lid) != 7 {
		t.Errorf("stock after the return: %d pans, %d lids; want 9 and 7", f.stockOf(pan), f.stockOf(lid))
	}
	hp, _ = b.svc.HomePartOf(ctx, "forge", p.ID)
	sameJSON(t, "returns on both sides", got.Returns, hp.Returns)
	sameJSON(t, "refunds on both sides", got.Refunds, hp.Refunds)
	if ba, bb := booked(t, a, p.ID), booked(t, b, p.ID); !slices.Equal(ba, bb) {
		t.Errorf("booked: storefront %v, home %v", ba, bb)
	}
	// Every step is a signed status, kept on both sides.
	for _, m := range []*member{a, b} {
		msgs, err := m.svc.Messages(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var states []string
		for _, x := range msgs {
			if x.Kind == KindReturn && x.ID != r.ID {
				t.Errorf("a return message %s that is not the return's", x.ID)
			}
			if x.Kind == KindStatus && x.Status.Return != nil {
				states = append(states, x.Status.Return.State)
			}
		}
		slices.Sort(states)
		if !slices.Equal(states, []string{ReturnApproved, ReturnReceived, ReturnRequested}) {
			t.Errorf("%s keeps return statuses %v", shortPeer(m.id), states)
		}
	}
	// The third pan is still returnable; the two are not.
	if _, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, p.ID, ReturnInput{Lines: twoPans, Reason: "other"}, ""); fieldOf(err) != "lines[0].quantity" {
		t.Errorf("returning two more pans of one left: %v", err)
	}
}

// TestReturnWhileHomeOffline: a request made while the home is cut off
// waits in the outbox and reaches it when the link comes back.
func TestReturnWhileHomeOffline(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	ctx := context.Background()
	f.cat.policies(b.id, "forge", catalog.Policies{ReturnDays: 30, ReturnShipping: catalog.ReturnPaidByMerchant})
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, p := f.delivered(a, b, 1, pan)
	f.drained()

	f.net.partition(a.id, b.id, true)
	r, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, p.ID, ReturnInput{Lines: []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}}, Reason: "no_longer_needed"}, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.State != ReturnRequested || r.Seq != 0 {
		t.Fatalf("return while the home is away: %+v", r)
	}
	if list, _ := b.svc.MerchantReturns(ctx, "forge", "", 10); len(list) != 0 {
		t.Fatalf("the home has returns while cut off: %+v", list)
	}
	f.net.partition(a.id, b.id, false)
	returnOn(t, a, o, p.ID, r.ID, ReturnRequested)
	if _, err := b.svc.ApproveReturn(ctx, "forge", p.ID, r.ID, ReturnInstructions{DropOffCode: "DHL-7781"}); err != nil {
		t.Fatal(err)
	}
	if got := returnOn(t, a, o, p.ID, r.ID, ReturnApproved); got.ShippingPaidBy != catalog.ReturnPaidByMerchant || got.RestockingFeeBPS != 0 {
		t.Errorf("approved: %+v", got)
	}
	if _, err := b.svc.ReceiveReturn(ctx, "forge", p.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	returnOn(t, a, o, p.ID, r.ID, ReturnReceived)
	refundedOn(t, a, o, 4990)
	statusOn(t, a, p.ID, StatusRefunded) // its one unit came back
}

// TestReturnRefusals: each bad request or step is refused by name and
// changes nothing.
func TestReturnRefusals(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	ctx := context.Background()
	f.cat.policies(b.id, "forge", catalog.Policies{ReturnDays: 14, ReturnShipping: catalog.ReturnPaidByShopper})
	pan := f.list(b, "forge", "PAN", 4990, 10)
	one := func(q int64) []Units { return []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: q}} }

	// Not delivered yet.
	o := f.buyToDE(a, 3, pan)
	part := o.Parts[0].ID
	if _, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, part, ReturnInput{Lines: one(1), Reason: "damaged"}, ""); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "delivered") {
		t.Errorf("return of an accepted part: %v", err)
	}
	if _, err := b.svc.Ship(ctx, "forge", part, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Deliver(ctx, "forge", part); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, part, StatusDelivered)
	f.drained()
	before := partOn(t, a, part)

	for _, bad := range []struct {
		in    ReturnInput
		field string
	}{
		{ReturnInput{Lines: one(4), Reason: "damaged"}, "lines[0].quantity"},
		{ReturnInput{Lines: []Units{{ListingID: pan.ListingID, SKU: "POT", Quantity: 1}}, Reason: "damaged"}, "lines[0].sku"},
		{ReturnInput{Reason: "damaged"}, "lines"},
		{ReturnInput{Lines: one(1), Reason: "bored"}, "reason"},
		{ReturnInput{Lines: one(1), Reason: "other", Note: strings.Repeat("x", maxReturnNote+1)}, "note"},
	} {
		if _, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, part, bad.in, ""); fieldOf(err) != bad.field {
			t.Errorf("return %+v: %v, want a FieldErrors naming %s", bad.in, err, bad.field)
		}
	}
	if _, err := a.svc.RequestReturn(ctx, "shp_someone_else", o.ID, part, ReturnInput{Lines: one(1), Reason: "damaged"}, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("another shopper's return: %v", err)
	}

	// Two of three under way: two more is more than is left.
	r, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, part, ReturnInput{Lines: one(2), Reason: "wrong_item"}, "")
	if err != nil {
		t.Fatal(err)
	}
	returnOn(t, a, o, part, r.ID, ReturnRequested)
	if _, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, part, ReturnInput{Lines: one(2), Reason: "wrong_item"}, ""); fieldOf(err) != "lines[0].quantity" {
		t.Errorf("two more of one left to return: %v", err)
	}

	// The merchant's steps.
	hp, _ := b.svc.HomePartOf(ctx, "forge", part)
	if _, err := b.svc.ApproveReturn(ctx, "forge", part, r.ID, ReturnInstructions{LabelURL: "http://labels.example/1"}); fieldOf(err) != "instructions.label_url" {
		t.Errorf("approving with an http label: %v", err)
	}
	if _, err := b.svc.ApproveReturn(ctx, "forge", part, r.ID, ReturnInstructions{}); fieldOf(err) != "instructions" {
		t.Errorf("approving with no instructions: %v", err)
	}
	if _, err := b.svc.ReceiveReturn(ctx, "forge", part, r.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("receiving a return not approved: %v", err)
	}
	if _, err := b.svc.ApproveReturn(ctx, "forge", part, newMessageID(), ReturnInstructions{DropOffCode: "X"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("approving a return the part does not have: %v", err)
	}
	if now, _ := b.svc.HomePartOf(ctx, "forge", part); now.Seq != hp.Seq {
		t.Fatalf("refused steps moved the part from seq %d to %d", hp.Seq, now.Seq)
	}
	if _, err := b.svc.RefuseReturn(ctx, "forge", part, r.ID, ""); fieldOf(err) != "reason" {
		t.Errorf("refusing without a reason: %v", err)
	}
	if _, err := b.svc.RefuseReturn(ctx, "forge", part, r.ID, "the photos show no damage"); err != nil {
		t.Fatal(err)
	}
	if got := returnOn(t, a, o, part, r.ID, ReturnRefused); got.Refusal != "the photos show no damage" || got.Steps[1].By != ByMerchant {
		t.Errorf("refused return: %+v", got)
	}
	hp, _ = b.svc.HomePartOf(ctx, "forge", part)
	if _, err := b.svc.ReceiveReturn(ctx, "forge", part, r.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("receiving a refused return: %v", err)
	}
	if _, err := b.svc.ApproveReturn(ctx, "forge", part, r.ID, ReturnInstructions{DropOffCode: "X"}); !errors.Is(err, ErrConflict) {
		t.Errorf("approving a refused return: %v", err)
	}

	// A second approval.
	r2, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, part, ReturnInput{Lines: one(1), Reason: "other"}, "")
	if err != nil {
		t.Fatal(err)
	}
	returnOn(t, a, o, part, r2.ID, ReturnRequested)
	if _, err := b.svc.ApproveReturn(ctx, "forge", part, r2.ID, ReturnInstructions{DropOffCode: "X1"}); err != nil {
		t.Fatal(err)
	}
	hp, _ = b.svc.HomePartOf(ctx, "forge", part)
	if _, err := b.svc.ApproveReturn(ctx, "forge", part, r2.ID, ReturnInstructions{DropOffCode: "X2"}); !errors.Is(err, ErrConflict) {
		t.Errorf("a second approval: %v", err)
	}
	if now, _ := b.svc.HomePartOf(ctx, "forge", part); now.Seq != hp.Seq || returnOf(now.Returns, r2.ID).Instructions.DropOffCode != "X1" {
		t.Errorf("a second approval changed the part")
	}

	// The home refuses what the storefront let through, and says why: a
	// request for more units than the part has, sent straight to the home.
	m, raw, err := a.svc.newSigned(KindReturn, b.id, part, func(m *Message) { m.Return = &ReturnAsk{Lines: one(3), Reason: "other"} })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.send(ctx, m, raw, ""); err != nil {
		t.Fatal(err)
	}
	got := returnOn(t, a, o, part, m.ID, ReturnRefused)
	if !strings.Contains(got.Refusal, "lines[0].quantity") || got.Steps[1].By != ByHome {
		t.Errorf("the home's refusal: %+v", got)
	}
	// A replay gets the same answer and opens nothing.
	n := len(homeParts(t, b, part).Returns)
	if reply := b.svc.Handle(ctx, a.id, raw); !strings.Contains(string(reply), `"status"`) {
		t.Errorf("replay answered %s", reply)
	}
	if len(homeParts(t, b, part).Returns) != n {
		t.Errorf("a replay opened a return")
	}
	// A forged request: another member signs for a's part, or a's
	// message is altered after signing.
	hp, _ = b.svc.HomePartOf(ctx, "forge", part)
	_, forged, _ := c.svc.newSigned(KindReturn, b.id, part, func(m *Message) { m.Return = &ReturnAsk{Lines: one(1), Reason: "other"} })
	if reply := string(b.svc.Handle(ctx, c.id, forged)); !strings.Contains(reply, `"code"`) {
		t.Errorf("another member's return answered %s", reply)
	}
	_, mine, _ := a.svc.newSigned(KindReturn, b.id, part, func(m *Message) { m.Return = &ReturnAsk{Lines: one(1), Reason: "other"} })
	altered := strings.Replace(string(mine), `"quantity":1`, `"quantity":2`, 1)
	if reply := string(b.svc.Handle(ctx, a.id, []byte(altered))); !strings.Contains(reply, `"code"`) {
		t.Errorf("an altered return answered %s", reply)
	}
	if now, _ := b.svc.HomePartOf(ctx, "forge", part); now.Seq != hp.Seq || len(now.Returns) != len(hp.Returns) {
		t.Errorf("forged requests changed the part")
	}

	// Outside the window.
	f.clk.add(15 * 24 * time.Hour)
	if _, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, part, ReturnInput{Lines: one(1), Reason: "damaged"}, ""); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "window of 14 days") {
		t.Errorf("return after the window: %v", err)
	}
	if after := partOn(t, a, part); len(after.Returns) != 3 || len(before.Returns) != 0 {
		t.Errorf("returns on the storefront: %d before, %d after", len(before.Returns), len(after.Returns))
	}

	// A merchant that takes no returns.
	pot := f.list(b, "smith", "POT", 2000, 5)
	o2 := f.buyToDE(a, 1, pot)
	p2 := o2.Parts[0].ID
	if _, err := b.svc.Ship(ctx, "smith", p2, "DHL", "JD2"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Deliver(ctx, "smith", p2); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, p2, StatusDelivered)
	if _, err := a.svc.RequestReturn(ctx, o2.Shopper, o2.ID, p2, ReturnInput{Lines: []Units{{ListingID: pot.ListingID, SKU: "POT", Quantity: 1}}, Reason: "damaged"}, ""); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "takes no returns") {
		t.Errorf("return to a merchant with no policy: %v", err)
	}
}

func homeParts(t *testing.T, m *member, part string) HomePart {
	t.Helper()
	hp, err := m.svc.HomePartOf(context.Background(), "", part)
	if err != nil {
		t.Fatal(err)
	}
	return hp
}

// TestReturnsLearntBackAfterARestore: a home restored from a backup
// taken before a return learns it back, with every step, from the
// storefront's signed statuses; a storefront restored likewise learns its
// returns from the home's.
func TestReturnsLearntBackAfterARestore(t *testing.T) {
	for _, restored := range []string{"storefront", "home"} {
		t.Run(restored, func(t *testing.T) {
			f := newCluster(t, 2)
			a, b := f.members[0], f.members[1]
			ctx := context.Background()
			f.cat.policies(b.id, "forge", catalog.Policies{ReturnDays: 14, ReturnShipping: catalog.ReturnPaidByShopper})
			pan := f.list(b, "forge", "PAN", 4990, 10)
			o, p := f.delivered(a, b, 3, pan)
			f.drained()
			lost := map[string]*member{"storefront": a, "home": b}[restored]
			other := map[string]*member{"storefront": b, "home": a}[restored]
			backup := f.backup(lost)
			one := []Units{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 1}}
			var rids []string
			for _, reason := range []string{"damaged", "wrong_item"} {
				r, err := a.svc.RequestReturn(ctx, o.Shopper, o.ID, p.ID, ReturnInput{Lines: one, Reason: reason}, "")
				if err != nil {
					t.Fatal(err)
				}
				returnOn(t, a, o, p.ID, r.ID, ReturnRequested)
				rids = append(rids, r.ID)
			}
			if _, err := b.svc.ApproveReturn(ctx, "forge", p.ID, rids[0], ReturnInstructions{DropOffCode: "D1"}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.svc.ReceiveReturn(ctx, "forge", p.ID, rids[0]); err != nil {
				t.Fatal(err)
			}
			returnOn(t, a, o, p.ID, rids[0], ReturnReceived)
			f.drained()
			want, _ := b.svc.HomePartOf(ctx, "forge", p.ID)

			f.restoreFrom(lost, backup)
			if _, err := lost.svc.CatchUp(ctx, other.id); err != nil {
				t.Fatal(err)
			}
			hp, err := b.svc.HomePartOf(ctx, "forge", p.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "the home's returns", hp.Returns, want.Returns)
			if hp.DeliveredAt.IsZero() || len(hp.Refunds) != 1 {
				t.Errorf("the home's part: delivered %s, %d refunds", hp.DeliveredAt, len(hp.Refunds))
			}
			sameJSON(t, "the storefront's returns", partOn(t, a, p.ID).Returns, want.Returns)
			if list, err := b.svc.MerchantReturns(ctx, "forge", "", 10); err != nil || len(list) != 2 || list[0].Return.ID != rids[1] {
				t.Errorf("the merchant's returns after the restore: %+v %v", list, err)
			}
		})
	}
}
