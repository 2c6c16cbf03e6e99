package order

import (
	"bytes"
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

func TestCheckoutAcrossTwoHomes(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	apron := f.list(c, "linen", "APRON", 2500, 10)
	o, err := f.buy(a, "k1", 2, pan, apron)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Parts) != 2 {
		t.Fatalf("%d parts, want one per home", len(o.Parts))
	}
	for _, p := range o.Parts {
		statusOn(t, a, p.ID, StatusAccepted)
	}
	if f.stockOf(pan) != 8 || f.stockOf(apron) != 8 {
		t.Errorf("stock %d and %d, want 8 and 8", f.stockOf(pan), f.stockOf(apron))
	}
	f.drained()
	for _, p := range o.Parts {
		home := map[string]*member{b.id: b, c.id: c}[p.Platform]
		for _, m := range []*member{a, home} {
			if got := booked(t, m, p.ID); !slices.Equal(got, []string{"accepted/2"}) {
				t.Errorf("%s booked %v for %s, want the accepted status once", shortPeer(m.id), got, p.ID)
			}
		}
	}
}

// TestRepeatedRequestGetsTheSameAnswer: a home node answers a repeated
// confirm, and any later request about the part, with the very status
// message that stated its state: one confirm, one accepted status.
func TestRepeatedRequestGetsTheSameAnswer(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	f.net.fault(a.id, b.id, nil, true) // every request arrives twice
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, err := f.buy(a, "k1", 1, pan)
	if err != nil {
		t.Fatal(err)
	}
	part := o.Parts[0].ID
	statusOn(t, a, part, StatusAccepted)
	f.drained()
	if n := len(statuses(t, b, part)[2]); n != 1 {
		t.Fatalf("home signed %d statuses with seq 2, want exactly one", n)
	}
	_, confirm, err := a.svc.newSigned(KindConfirm, b.id, part, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := b.svc.Handle(context.Background(), a.id, confirm)
	again := b.svc.Handle(context.Background(), a.id, confirm)
	if !bytes.Equal(first, again) {
		t.Errorf("a repeated confirm got another answer:\n%s\n%s", first, again)
	}
	_, cancel, _ := a.svc.newSigned(KindCancel, b.id, part, nil)
	if _, err := b.svc.Ship(context.Background(), "forge", part, "DHL", "JD1"); err != nil { // shipped: the cancel is refused
		t.Fatal(err)
	}
	refused := b.svc.Handle(context.Background(), a.id, cancel)
	st, _, err := decodeReply(refused, b.id, KindCancel, part)
	if err != nil || st.Status.Status != StatusShipped {
		t.Fatalf("a refused cancel answers %s (%v), want the shipped status", refused, err)
	}
	if n := len(statuses(t, b, part)[3]); n != 1 {
		t.Errorf("home signed %d statuses with seq 3, want the shipped one only", n)
	}
}

// TestReleaseOfAnUnknownPartIsDone: a release that overtakes its reserve
// ends the sender's retries, and the late reserve then holds nothing.
func TestReleaseOfAnUnknownPartIsDone(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	_, release, _ := a.svc.newSigned(KindRelease, b.id, "ord_x-1", nil)
	if _, _, err := decodeReply(b.svc.Handle(context.Background(), a.id, release), b.id, KindRelease, "ord_x-1"); err != nil {
		t.Fatalf("release of an unknown part: %v", err)
	}
	reserve := SignedReserve(a.key, b.id, "ord_x-1", "forge", testShipTo,
		[]Line{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 3, UnitPrice: pan.Price}})
	if st, _, err := decodeReply(b.svc.Handle(context.Background(), a.id, reserve), b.id, KindReserve, "ord_x-1"); err != nil || st != nil {
		t.Fatalf("late reserve: status %v, %v; want a bare acknowledgement", st, err)
	}
	if n := f.stockOf(pan); n != 10 {
		t.Errorf("stock %d after a released part's late reserve, want 10", n)
	}
}

// TestStorefrontKeepsTheNewestStatusAcrossRestarts: statuses that arrive
// out of order, twice, and after the storefront restarted fold to the
// newest.
func TestStorefrontKeepsTheNewestStatusAcrossRestarts(t *testing.T) {
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
	ship, err := b.svc.Ship(context.Background(), "forge", part, "DHL", "JD1")
	if err != nil || ship.Seq != 3 {
		t.Fatal(ship, err)
	}
	if _, err := b.svc.Deliver(context.Background(), "forge", part); err != nil {
		t.Fatal(err)
	}
	shipped, delivered := statuses(t, b, part)[3][0].Encode(), statuses(t, b, part)[4][0].Encode()
	f.restart(a)
	for _, raw := range [][]byte{delivered, shipped} {
		if r := a.svc.Handle(context.Background(), b.id, raw); !bytes.Contains(r, []byte(`"ack":true`)) {
			t.Fatalf("storefront answered %s", r)
		}
	}
	f.restart(a)
	a.svc.Handle(context.Background(), b.id, shipped)
	if got := partOn(t, a, part); got.Status != StatusDelivered || got.Seq != 4 {
		t.Fatalf("after shipped arrived late and again: %s seq %d, want delivered seq 4", got.Status, got.Seq)
	}
	f.net.partition(a.id, b.id, false)
	f.drained()
	if got := booked(t, a, part); !slices.Equal(got, []string{"accepted/2", "delivered/4"}) {
		t.Errorf("storefront booked %v", got)
	}
}

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

// TestConcurrentCheckoutsNeverOversell: two storefronts race for five
// units.
func TestConcurrentCheckoutsNeverOversell(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	pan := f.list(b, "forge", "PAN", 4990, 5)
	var wg sync.WaitGroup
	var mu sync.Mutex
	placed := 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.buy([]*member{a, c}[i%2], fmt.Sprint("k", i), 1, pan)
			if err == nil {
				mu.Lock()
				placed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if placed != 5 || f.stockOf(pan) != 0 {
		t.Fatalf("%d checkouts placed, %d units left; want 5 and 0", placed, f.stockOf(pan))
	}
}

// TestHoldsExpire: a reserve nobody confirms gives its units back once
// its hold expires.
func TestHoldsExpire(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	reserve := SignedReserve(a.key, b.id, "ord_y-1", "forge", testShipTo,
		[]Line{{ListingID: pan.ListingID, SKU: "PAN", Quantity: 4, UnitPrice: pan.Price}})
	st, _, err := decodeReply(b.svc.Handle(context.Background(), a.id, reserve), b.id, KindReserve, "ord_y-1")
	if err != nil || st.Status.Status != StatusReserved || f.stockOf(pan) != 6 {
		t.Fatalf("reserve: %v %v, stock %d", st, err, f.stockOf(pan))
	}
	f.clk.add(f.cfg.HoldTTL + time.Second)
	testwait.For(t, 10*time.Second, func() error {
		if n := f.stockOf(pan); n != 10 {
			return fmt.Errorf("stock %d after the hold expired", n)
		}
		return nil
	})
	var p *HomePart
	_ = b.db.View(func(txn *badger.Txn) (err error) { p, err = loadHome(txn, "ord_y-1"); return err })
	if p.Status != statusExpired {
		t.Errorf("part %s after its hold expired", p.Status)
	}
	// A day later the part that never became an order is forgotten, with
	// its messages and the answers they got.
	f.clk.add(f.cfg.PruneAfter + time.Minute)
	if err := b.svc.pruneEnded(context.Background()); err != nil {
		t.Fatal(err)
	}
	err = b.db.View(func(txn *badger.Txn) error {
		for _, prefix := range []string{prefixHome, prefixMessages, prefixInbox, prefixPeerMessages, prefixLatest, prefixEnded, prefixMerchant} {
			if ks := keys(txn, prefix, "", 0); len(ks) != 0 {
				return fmt.Errorf("%d keys left under %s: %v", len(ks), prefix, ks)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
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

// TestHoldBudgetsStopAFlood: another member's storefront cannot hold more
// than its budget of unconfirmed parts and units, send reserves faster
// than its rate, or keep stock locked by letting holds expire and
// reserving again; what it is refused holds nothing.
func TestHoldBudgetsStopAFlood(t *testing.T) {
	f := newCluster(t, 2)
	f.cfg.MaxHolds, f.cfg.MaxHeldUnits, f.cfg.MaxExpiredPerHour = 3, 5, 2
	a, b := f.members[0], f.members[1]
	f.restart(b)
	pan := f.list(b, "forge", "PAN", 4990, 100)
	ctx := context.Background()
	reserve := func(part string, qty int64) Code {
		raw := SignedReserve(a.key, b.id, part, "forge", testShipTo,
			[]Line{{ListingID: pan.ListingID, SKU: "PAN", Quantity: qty, UnitPrice: pan.Price}})
		_, _, err := decodeReply(b.svc.Handle(ctx, a.id, raw), b.id, KindReserve, part)
		var re *RemoteError
		if errors.As(err, &re) {
			return re.Code
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	codes := []Code{reserve("ord_f-1", 1), reserve("ord_f-2", 1), reserve("ord_f-3", 1), reserve("ord_f-4", 1)}
	if !slices.Equal(codes, []Code{0, 0, 0, CodeBudget}) {
		t.Fatalf("four reserves answered %v; want the fourth over the budget of three holds", codes)
	}
	if n := f.stockOf(pan); n != 97 {
		t.Fatalf("stock %d after three holds and a refused one", n)
	}
	_, release, _ := a.svc.newSigned(KindRelease, b.id, "ord_f-1", nil)
	b.svc.Handle(ctx, a.id, release)
	if c := reserve("ord_f-5", 4); c != CodeBudget {
		t.Errorf("a reserve of 4 units with 2 held against a budget of 5 answered %d", c)
	}
	if c := reserve("ord_f-6", 3); c != 0 {
		t.Errorf("a reserve within budget after a release answered %d", c)
	}
	// Let the three holds expire: the storefront is refused for the hour.
	f.clk.add(f.cfg.HoldTTL + time.Second)
	testwait.For(t, 10*time.Second, func() error {
		if n := f.stockOf(pan); n != 100 {
			return fmt.Errorf("stock %d after the holds expired", n)
		}
		return nil
	})
	if c := reserve("ord_f-8", 1); c != CodeBudget {
		t.Errorf("after three expired holds the storefront still reserves: %v", c)
	}
	f.clk.add(time.Hour)
	if c := reserve("ord_f-9", 1); c != 0 {
		t.Errorf("an hour later: %v", c)
	}
}

// TestUnpaidManualOrdersGiveStockBack: an order left unpaid past
// UnpaidAfter is cancelled and its stock goes back; one the operator marked
// paid stays.
func TestUnpaidManualOrdersGiveStockBack(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	pan := f.list(b, "forge", "PAN", 4990, 10)
	ctx := context.Background()
	unpaid, err := f.buyWith(a, "k1", PaymentRequest{Method: MethodManual}, 2, pan)
	if err != nil {
		t.Fatal(err)
	}
	paid, err := f.buyWith(a, "k2", PaymentRequest{Method: MethodManual}, 3, pan)
	if err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, unpaid.Parts[0].ID, StatusAccepted)
	statusOn(t, a, paid.Parts[0].ID, StatusAccepted)
	if _, err := a.svc.MarkPaid(ctx, paid.ID); err != nil {
		t.Fatal(err)
	}
	f.clk.add(f.cfg.UnpaidAfter + time.Minute)
	if err := a.svc.cancelUnpaid(ctx); err != nil {
		t.Fatal(err)
	}
	statusOn(t, a, unpaid.Parts[0].ID, StatusCancelled)
	testwait.For(t, 10*time.Second, func() error {
		if n := f.stockOf(pan); n != 7 {
			return fmt.Errorf("stock %d, want 7: the unpaid order's 2 units back, the paid order's 3 sold", n)
		}
		return nil
	})
	if got := partOn(t, a, paid.Parts[0].ID).Status; got != StatusAccepted {
		t.Errorf("the paid order's part is %s", got)
	}
}

func TestCartsPerShopperAreCapped(t *testing.T) {
	f := newCluster(t, 1)
	f.cfg.MaxCarts = 2
	a := f.members[0]
	f.restart(a)
	ctx := context.Background()
	sh, _, err := a.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		_, err := a.svc.CreateCart(ctx, sh.ID)
		if want := i == 2; errors.Is(err, ErrBudget) != want {
			t.Fatalf("cart %d: %v", i+1, err)
		}
	}
}
