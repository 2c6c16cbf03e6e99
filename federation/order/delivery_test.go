package order

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
)

// TestOutboxDrainsAfterAPartition: statuses a cut-off storefront missed
// wait in the home's outbox, which holds the home's watermark back until
// they are delivered.
func TestOutboxDrainsAfterAPartition(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0].ID
	statusOn(t, a, part, StatusAccepted)
	f.drained()
	f.net.partition(a.id, b.id, true)
	f.clk.add(time.Second)
	shippedAt := f.clk.now()
	if _, err := b.svc.Ship(context.Background(), "forge", part, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	f.clk.add(time.Minute)
	wm, err := b.svc.Watermark(context.Background(), a.id)
	if err != nil || !wm.Equal(shippedAt) {
		t.Fatalf("watermark while the shipped status waits: %v (%v), want %v", wm, err, shippedAt)
	}
	if d, _ := b.svc.Outbox(context.Background()); len(d) != 1 || d[0].Messages != 1 || d[0].Peer != a.id {
		t.Fatalf("outbox %+v, want one message for the storefront", d)
	}
	f.net.partition(a.id, b.id, false)
	statusOn(t, a, part, StatusShipped)
	f.drained()
	wm, err = b.svc.Watermark(context.Background(), a.id)
	if err != nil || !wm.Equal(f.clk.now()) {
		t.Fatalf("watermark with nothing waiting: %v (%v), want now %v", wm, err, f.clk.now())
	}
	// The floor holds even when the clock steps back.
	f.clk.add(-time.Hour)
	res, err := b.svc.Deliver(context.Background(), "forge", part)
	if err != nil {
		t.Fatal(err)
	}
	if at := statuses(t, b, part)[res.Seq][0].At; at.Before(wm) {
		t.Errorf("a status stamped %v, before the declared watermark %v", at, wm)
	}
}

// TestRefusedMessagesPark: a storefront that lost an order (a disk lost
// without a backup) answers "unknown part"; the home retries for
// ParkAfter, then parks the status for the operator, who may send it again
// or drop it. Nothing is retried forever.
func TestRefusedMessagesPark(t *testing.T) {
	f := newCluster(t, 2)
	f.cfg.ParkAfter = time.Second
	a, b := f.members[0], f.members[1]
	f.restart(b) // with the short ParkAfter
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0].ID
	statusOn(t, a, part, StatusAccepted)
	f.drained()
	f.halt(a)
	a.dir = t.TempDir()
	f.open(a)
	if _, err := b.svc.Ship(context.Background(), "forge", part, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	var parked []ParkedMessage
	testwait.For(t, 10*time.Second, func() (err error) {
		if parked, err = b.svc.Parked(context.Background(), 10); err == nil && len(parked) != 1 {
			err = fmt.Errorf("%d parked messages", len(parked))
		}
		return err
	})
	if pm := parked[0]; pm.Peer != a.id || pm.Part != part || pm.Code != CodeNotFound || pm.Kind != KindStatus {
		t.Errorf("parked %+v", pm)
	}
	f.drained()
	if err := b.svc.RetryParked(context.Background(), parked[0].Key); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() (err error) {
		parked, err = b.svc.Parked(context.Background(), 10)
		if err == nil && len(parked) != 1 {
			err = fmt.Errorf("%d parked after a retry that fails again", len(parked))
		}
		return err
	})
	if err := b.svc.DropParked(context.Background(), parked[0].Key); err != nil {
		t.Fatal(err)
	}
	if p, _ := b.svc.Parked(context.Background(), 10); len(p) != 0 {
		t.Errorf("dropped message still parked: %+v", p)
	}
	if err := b.svc.DropParked(context.Background(), "x/1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("dropping an outbox key: %v", err)
	}
}

// TestUnreachableHomeFailsAtOnce: a checkout with lines homed on a member
// that does not answer fails before any stock is held anywhere, naming it.
func TestUnreachableHomeFailsAtOnce(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	apron := f.list(c, "linen", "APRON", 2500, 10)
	a.sees(c.id, false)
	_, err := f.buy(a, "k1", 1, pan, apron)
	var ce *CheckoutError
	if !errors.As(err, &ce) || !errors.Is(err, ErrUnavailable) || !slices.Equal(ce.Platforms, []string{c.id}) {
		t.Fatalf("checkout = %v, want unavailable naming the unreachable home", err)
	}
	if f.stockOf(pan) != 10 {
		t.Errorf("the reachable home holds %d of 10 units", 10-f.stockOf(pan))
	}
	// A home that fails during the reserve is named the same way, and the
	// other home's hold is given back.
	a.sees(c.id, true)
	f.net.partition(a.id, c.id, true)
	_, err = f.buy(a, "k2", 1, pan, apron)
	if !errors.As(err, &ce) || !slices.Equal(ce.Platforms, []string{c.id}) {
		t.Fatalf("checkout with a cut link = %v", err)
	}
	testwait.For(t, 10*time.Second, func() error {
		if n := f.stockOf(pan); n != 10 {
			return fmt.Errorf("%d units held after the failed checkout", 10-n)
		}
		return nil
	})
	f.net.partition(a.id, c.id, false) // the release owed to c goes once it answers
	f.drained()
}

// TestLostAnswersAndRestartsLoseNothing: over links that lose a third of
// the requests and answers, with the home restarting now and then, every
// order a shopper was answered for is accepted once, and stock plus units
// sold is what the home had.
func TestLostAnswersAndRestartsLoseNothing(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	rng := rand.New(rand.NewPCG(3, 9))
	var mu sync.Mutex
	lossy := func() (bool, bool) {
		mu.Lock()
		defer mu.Unlock()
		return rng.IntN(6) == 0, rng.IntN(6) == 0
	}
	links := [][2]string{{a.id, b.id}, {b.id, a.id}, {c.id, b.id}, {b.id, c.id}}
	for _, l := range links {
		f.net.fault(l[0], l[1], lossy, false)
	}
	pan := f.list(b, "forge", "PAN", 4990, 1000)
	var placed []Order
	for i := range 30 {
		sf := []*member{a, c}[i%2]
		o, err := f.buy(sf, fmt.Sprint("k", i), 1+int64(i%3), pan)
		if err == nil {
			placed = append(placed, o)
		} else if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("checkout %d: %v", i, err)
		}
		if i%10 == 9 {
			f.restart(b)
		}
	}
	for _, l := range links {
		f.net.fault(l[0], l[1], nil, false)
	}
	f.clk.add(time.Hour) // holds of failed checkouts expire
	f.drained()
	sold := int64(0)
	for _, o := range placed {
		sf := a
		if _, err := a.svc.GetOrder(context.Background(), "", o.ID); err != nil {
			sf = c
		}
		p := o.Parts[0]
		statusOn(t, sf, p.ID, StatusAccepted)
		if n := len(statuses(t, b, p.ID)[2]); n != 1 {
			t.Errorf("part %s: the home signed %d accepted statuses", p.ID, n)
		}
		sold += p.Items[0].Quantity
	}
	testwait.For(t, 10*time.Second, func() error {
		if n := f.stockOf(pan); n+sold != 1000 {
			return fmt.Errorf("stock %d + sold %d = %d, want 1000", n, sold, n+sold)
		}
		return nil
	})
	t.Logf("%d of 30 checkouts placed over lossy links", len(placed))
}

// TestCatchUpRebuildsWhatARestoreLost: a storefront and a home each
// restored from a backup taken before half of the business learn it back
// from the other side's signed messages: every order and part, in the
// state the other side holds.
func TestCatchUpRebuildsWhatARestoreLost(t *testing.T) {
	for _, restored := range []string{"storefront", "home"} {
		t.Run(restored, func(t *testing.T) {
			f := newCluster(t, 2)
			a, b := f.members[0], f.members[1]
			pan := f.list(b, "forge", "PAN", 4990, 100)
			ctx := context.Background()
			var orders []Order
			var backup string
			for i := range 8 {
				if i == 4 {
					f.drained()
					backup = f.backup(map[string]*member{"storefront": a, "home": b}[restored])
				}
				o, err := f.buy(a, fmt.Sprint("k", i), 1, pan)
				if err != nil {
					t.Fatal(err)
				}
				orders = append(orders, o)
				statusOn(t, a, o.Parts[0].ID, StatusAccepted)
				if i%2 == 0 {
					if _, err := b.svc.Ship(ctx, "forge", o.Parts[0].ID, "DHL", fmt.Sprint("T", i)); err != nil {
						t.Fatal(err)
					}
				}
			}
			f.drained()
			want := map[string]string{}
			for _, o := range orders {
				want[o.Parts[0].ID] = partOn(t, a, o.Parts[0].ID).Status
			}
			lost := map[string]*member{"storefront": a, "home": b}[restored]
			other := map[string]*member{"storefront": b, "home": a}[restored]
			f.restoreFrom(lost, backup)
			n, err := lost.svc.CatchUp(ctx, other.id)
			if err != nil || n == 0 {
				t.Fatalf("catch-up learnt %d messages: %v", n, err)
			}
			for _, o := range orders {
				id := o.Parts[0].ID
				if got := partOn(t, a, id).Status; got != want[id] {
					t.Errorf("storefront: part %s is %s, want %s", id, got, want[id])
				}
				hp, err := b.svc.HomePartOf(ctx, "forge", id)
				if err != nil || hp.Status != want[id] {
					t.Errorf("home: part %s is %s (%v), want %s", id, hp.Status, err, want[id])
				}
			}
			again, err := lost.svc.CatchUp(ctx, other.id)
			if err != nil || again != 0 {
				t.Errorf("a second catch-up learnt %d messages (%v), want none", again, err)
			}
			// The rebuilt parts go on: the home ships one the storefront rebuilt.
			last := orders[len(orders)-1].Parts[0].ID
			if _, err := b.svc.Ship(ctx, "forge", last, "DHL", "late"); err != nil {
				t.Fatal(err)
			}
			statusOn(t, a, last, StatusShipped)
			f.drained()
		})
	}
}

// TestCatchUpWaitsForTheConfirmAcrossPages: a catch-up reads the members'
// index in the order of the times the signers stated, and a storefront
// whose clock runs ahead signs its reserve and confirm after the home's
// statuses of the same part. Fetched one message a page, the statuses
// arrive first, then the reserve, then the confirm; every part is rebuilt
// all the same, in the state the home holds, and none is taken for a
// checkout that never completed.
func TestCatchUpWaitsForTheConfirmAcrossPages(t *testing.T) {
	f := newCluster(t, 0)
	a, b := f.add(2*time.Minute), f.add(0)
	pan := f.list(b, "forge", "PAN", 4990, 100)
	ctx := context.Background()
	f.drained()
	backup := f.backup(a)
	var parts []string
	for i := range 4 {
		o, err := f.buy(a, fmt.Sprint("k", i), 1, pan)
		if err != nil {
			t.Fatal(err)
		}
		id := o.Parts[0].ID
		parts = append(parts, id)
		statusOn(t, a, id, StatusAccepted)
		if i%2 == 0 {
			if _, err := b.svc.Ship(ctx, "forge", id, "DHL", fmt.Sprint("T", i)); err != nil {
				t.Fatal(err)
			}
			statusOn(t, a, id, StatusShipped)
		}
	}
	f.drained()
	f.restoreFrom(a, backup)
	f.net.mu.Lock()
	f.net.page = 1
	f.net.mu.Unlock()
	if n, err := a.svc.CatchUp(ctx, b.id); err != nil || n == 0 {
		t.Fatalf("catch-up learnt %d messages: %v", n, err)
	}
	for _, id := range parts {
		hp, err := b.svc.HomePartOf(ctx, "forge", id)
		if err != nil {
			t.Fatal(err)
		}
		o, err := a.svc.GetOrder(ctx, "", orderOfPart(id))
		switch {
		case err != nil:
			t.Errorf("storefront: part %s's order after the catch-up: %v", id, err)
		case o.partOf(id) == nil || o.partOf(id).Status != hp.Status:
			t.Errorf("storefront: part %s after the catch-up is %+v, want the home's %s", id, o.partOf(id), hp.Status)
		}
	}
}

// TestCatchUpRebuildsAPartRejectedAfterItsHoldExpired: a confirm held up
// past its part's hold reaches the home after another storefront sold the
// last unit, and the part ends rejected on both sides, an order its
// shopper was answered. The home, restored from a backup taken before,
// learns the part back rejected, as its storefront shows it, whether the
// catch-up brings the part's statuses in one page or one a page: not as a
// hold whose confirm is on its way (it came long ago), which would end
// expired, listed to no merchant, and give back a unit it never held.
func TestCatchUpRebuildsAPartRejectedAfterItsHoldExpired(t *testing.T) {
	for _, page := range []int{0, 1} {
		t.Run(fmt.Sprint("page=", page), func(t *testing.T) {
			f := newCluster(t, 3)
			a, b, c := f.members[0], f.members[1], f.members[2]
			pan := f.list(b, "forge", "PAN", 4990, 1)
			ctx := context.Background()
			f.drained()
			backup := f.backup(b)

			// The reserve gets through; every request after it is lost
			// until healed, so the confirm waits in the storefront's outbox.
			var mu sync.Mutex
			sent, healed := 0, false
			f.net.fault(a.id, b.id, func() (bool, bool) {
				mu.Lock()
				defer mu.Unlock()
				sent++
				return sent > 1 && !healed, false
			}, false)
			o, err := f.buy(a, "k1", 1, pan)
			if err != nil {
				t.Fatal(err)
			}
			part := o.Parts[0].ID
			if o.Parts[0].Status != StatusReserved {
				t.Fatalf("part %s is %s after the checkout, want its confirm held up", part, o.Parts[0].Status)
			}
			f.clk.add(f.cfg.HoldTTL + time.Second)
			testwait.For(t, 10*time.Second, func() error {
				if n := f.stockOf(pan); n != 1 {
					return fmt.Errorf("stock %d, want the expired hold's unit back", n)
				}
				return nil
			})
			sold, err := f.buy(c, "k2", 1, pan)
			if err != nil {
				t.Fatal(err)
			}
			statusOn(t, c, sold.Parts[0].ID, StatusAccepted)
			mu.Lock()
			healed = true
			mu.Unlock()
			statusOn(t, a, part, StatusRejected)
			f.drained()
			want := partOn(t, a, part)

			b.recovering = true
			f.restoreFrom(b, backup)
			b.recovering = false
			f.net.mu.Lock()
			f.net.page = page
			f.net.mu.Unlock()
			for _, m := range []*member{a, c} {
				if n, err := b.svc.CatchUp(ctx, m.id); err != nil || n == 0 {
					t.Fatalf("catch-up with %s learnt %d messages: %v", shortPeer(m.id), n, err)
				}
			}
			if err := b.svc.EndRecovery(ctx); err != nil {
				t.Fatal(err)
			}
			stock := f.stockOf(pan)
			hp, err := b.svc.HomePartOf(ctx, "forge", part)
			if err != nil || hp.Status != StatusRejected || hp.Seq != want.Seq || hp.Held {
				t.Fatalf("home: part %s after the restore is %s (seq %d, held %v; %v), want rejected at seq %d as the storefront holds it",
					part, hp.Status, hp.Seq, hp.Held, err, want.Seq)
			}
			listed, _, err := b.svc.MerchantParts(ctx, "forge", "", "", 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, p := range listed {
				ids = append(ids, p.ID)
			}
			if slices.Sort(ids); !slices.Equal(ids, sortedIDs(part, sold.Parts[0].ID)) {
				t.Errorf("the merchant's parts after the restore: %v, want %s and %s", ids, part, sold.Parts[0].ID)
			}
			// Recovery never adds stock: no hold of the part is left to
			// expire and give back a unit.
			f.clk.add(f.cfg.HoldTTL + time.Second)
			if err := b.svc.expireHolds(ctx); err != nil {
				t.Fatal(err)
			}
			if n := f.stockOf(pan); n != stock {
				t.Errorf("stock %d after the holds' deadline passed, %d before", n, stock)
			}
			if hp, err := b.svc.HomePartOf(ctx, "forge", part); err != nil || hp.Status != StatusRejected {
				t.Errorf("home: part %s is %s (%v) after the holds' deadline passed, want rejected", part, hp.Status, err)
			}
			if again, err := b.svc.CatchUp(ctx, a.id); err != nil || again != 0 {
				t.Errorf("a second catch-up learnt %d messages (%v), want none", again, err)
			}
		})
	}
}

func sortedIDs(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

// TestOutboxDrainsFromWhereItWasClear: a drain starts reading a member's
// outbox shortly before the last time it found it empty, past the keys
// of the messages sent before; a message whose transaction committed
// long after its key was made is sent by the drain from the head, one
// every fullEvery.
func TestOutboxDrainsFromWhereItWasClear(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	if _, err := f.buy(a, "k1", 1, pan); err != nil {
		t.Fatal(err)
	}
	f.drained()
	var clear int64
	testwait.For(t, 10*time.Second, func() error {
		a.svc.out.wake()
		a.svc.out.mu.Lock()
		defer a.svc.out.mu.Unlock()
		if q := a.svc.out.peers[b.id]; q != nil && q.clear != 0 {
			clear = q.clear
			return nil
		}
		return errors.New("no drain of the home's outbox found it empty yet")
	})
	// A release whose key was made 2*sentLag before the outbox was last
	// found empty, committed only now.
	const part = "ord_late-1"
	_, raw, err := a.svc.newSigned(KindRelease, b.id, part, nil)
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("%s%s/%020d", prefixOutbox, b.id, clear-int64(2*sentLag))
	if err := a.svc.update(func(txn *badger.Txn) error { return txn.Set([]byte(key), raw) }); err != nil {
		t.Fatal(err)
	}
	a.svc.out.wake()
	time.Sleep(300 * time.Millisecond) // drains from where the outbox was clear run meanwhile
	if _, err := b.svc.HomePartOf(context.Background(), "", part); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the late release arrived before a drain from the head: %v", err)
	}
	a.svc.out.mu.Lock()
	a.svc.out.peers[b.id].full = time.Now().Add(-fullEvery)
	a.svc.out.mu.Unlock()
	testwait.For(t, 10*time.Second, func() error {
		a.svc.out.wake()
		_, err := b.svc.HomePartOf(context.Background(), "", part)
		return err
	})
	f.drained()
}
