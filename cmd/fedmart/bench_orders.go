package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/spf13/cobra"
)

const (
	orderLatencyRuns = 300
	orderShoppers    = 32
	orderLoadTime    = 10 * time.Second
	orderWriteRuns   = 100 // checkouts whose writes are counted by key prefix
)

// benchOrders measures checkouts of a two-platform cart on a storefront of
// three members, in process (no HTTP), beside a bare libp2p request/response
// round trip and an fsync measured in the same run; and a checkout of a
// part homed on the second member spending points held at the third,
// beside the same checkout without points.
func benchOrders(cmd *cobra.Command, _ benchOptions) (report, error) {
	ctx := cmd.Context()
	logf := func(f string, a ...any) { fmt.Fprintf(cmd.ErrOrStderr(), f+"\n", a...) }
	// The baselines first, in a process with nothing else running: the
	// members' background work (mail, settlement) would count in the CPU
	// time of each step.
	logf("baselines: bare libp2p round trip, fsync, and the CPU of a durable write, a commit and a signature...")
	rtt, rttCPU, keptCPU, err := bareRoundTrip(ctx, 500)
	if err != nil {
		return report{}, err
	}
	fsync, err := fsyncTime(200)
	if err != nil {
		return report{}, err
	}
	base := ms(rtt) + 2*ms(fsync)
	syncs, err := measureSyncs(1000)
	if err != nil {
		return report{}, err
	}
	sign, verify := ed25519CPU(2000, 1500)
	logf("starting three members, loyalty on...")
	// Every member's flushes can be switched off, to measure beside the
	// checkouts what they would be without them: the most that any way
	// of making orders durable could save.
	flushesOff := new(atomic.Bool)
	c, stop, err := benchCluster(ctx, 3, "strict", withLoyalty, func(co *node.ClusterOptions) { co.FlushesOff = flushesOff })
	if err != nil {
		return report{}, err
	}
	defer stop()
	items, err := benchListings(ctx, c, false)
	if err != nil {
		return report{}, err
	}
	shipped, err := benchListings(ctx, c, true)
	if err != nil {
		return report{}, err
	}
	store, home, issuer := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	shop := store.Orders()
	plain, err := newBuyer(ctx, shop, items, 0)
	if err != nil {
		return report{}, err
	}
	ship, err := newBuyer(ctx, shop, shipped, -1)
	if err != nil {
		return report{}, err
	}
	ship.ship = true
	logf("points: a shopper of %s signs in on %s with %s (OpenID Connect over HTTP) and earns points on a part homed on %s...",
		issuer.Name(), store.Name(), issuer.Name(), home.Name())
	one, account, err := pointsBuyer(ctx, store, home, issuer, items[0], orderLatencyRuns)
	if err != nil {
		return report{}, fmt.Errorf("points: %w", err)
	}
	spend := *one
	spend.points = pointsPerCheckout
	// Counted on quiet members, until the checkouts' aftermath (letters
	// delivered, settlement booked) is written too.
	logf("what a sub-order writes: %d two-platform checkouts, one at a time, the members' writes counted by key prefix...", orderWriteRuns)
	watch := watchWrites(ctx, c.Nodes)
	watch.quiet(time.Second, 10*time.Second)
	watch.reset()
	for range orderWriteRuns {
		if _, err := plain.buy(ctx); err != nil {
			watch.stop()
			return report{}, err
		}
	}
	watch.quiet(time.Second, 15*time.Second)
	writes := watch.stop()
	unflushed := *plain
	unflushed.flushesOff = flushesOff
	logf("checkout latency: %d sequential checkouts, in turn: two-platform, two-platform with shipping quotes, "+
		"one part without points, one part with %d points held at %s, two-platform with every member's flushes skipped...",
		5*orderLatencyRuns, pointsPerCheckout, issuer.Name())
	lat, err := alternate(ctx, orderLatencyRuns, plain, ship, one, &spend, &unflushed)
	if err != nil {
		return report{}, err
	}
	if err := pointsSpent(ctx, issuer, account, orderLatencyRuns*pointsPerCheckout); err != nil {
		return report{}, fmt.Errorf("points: %w", err)
	}
	two, latShip, latOne, latPoints, latUnflushed := lat[0], lat[1], lat[2], lat[3], lat[4]
	logf("throughput: %d concurrent shoppers for %s...", orderShoppers, orderLoadTime)
	signedBefore := ownRecords(c.Nodes[1:])
	flushesBefore, flushedBefore := orderFlushes(c.Nodes)
	workBefore := orderWorkOf(c.Nodes)
	var st storm
	// Timed inside the profile: its making and reading are not the storm's.
	byMember, err := memberCPU(func() (err error) {
		// The shoppers' goroutines carry the storefront's label: what they
		// do is the storefront's work, which its API's handlers would do
		// for them.
		pprof.Do(ctx, pprof.Labels(node.MemberLabel, store.Name()), func(ctx context.Context) {
			st, err = runStorm(ctx, c.Nodes, items)
		})
		return err
	})
	if err != nil {
		return report{}, err
	}
	work := orderWorkOf(c.Nodes)
	rate, elapsed := st.rate, st.elapsed
	signedRate := float64(ownRecords(c.Nodes[1:])-signedBefore) / elapsed.Seconds()
	flushes, flushed := orderFlushes(c.Nodes)
	flushes, flushed = flushes-flushesBefore, flushed-flushedBefore
	subOrders := st.subOrders()
	cpuPer := st.cpuPer()
	logf("throughput: the same, every member's flushes skipped...")
	flushesOff.Store(true)
	unflushedStorm, err := runStorm(ctx, c.Nodes, items)
	flushesOff.Store(false)
	if err != nil {
		return report{}, err
	}
	rateUnflushed, cpuPerUnflushed := unflushedStorm.rate, unflushedStorm.cpuPer()
	withPoints := fmt.Sprintf("checkout of one part homed on another member, spending %d points held at a third", pointsPerCheckout)
	return report{Figures: slices.Concat([]figure{
		{Name: "checkout of a two-platform cart, p50", Unit: "ms", Value: ms(percentile(two, 50)), Baseline: "bare libp2p round trip + 2 fsyncs", Base: base},
		{Name: "checkout of a two-platform cart, p99", Unit: "ms", Value: ms(percentile(two, 99)), Goal: "< 30 ms"},
		{Name: "checkout of a two-platform cart shipped to DE, quoted and rechecked, p50", Unit: "ms", Value: ms(percentile(latShip, 50)),
			Baseline: "the same checkout without shipping, p50", Base: ms(percentile(two, 50)), Goal: "< 1.1x baseline"},
		{Name: "checkout of a two-platform cart shipped to DE, quoted and rechecked, p99", Unit: "ms", Value: ms(percentile(latShip, 99)),
			Baseline: "the same checkout without shipping, p99", Base: ms(percentile(two, 99))},
		{Name: withPoints + ", p50", Unit: "ms", Value: ms(percentile(latPoints, 50)),
			Baseline: "the same checkout without points, p50", Base: ms(percentile(latOne, 50)), Goal: "< 1.5x baseline"},
		{Name: withPoints + ", p99", Unit: "ms", Value: ms(percentile(latPoints, 99)),
			Baseline: "the same checkout without points, p99", Base: ms(percentile(latOne, 99)), Goal: "< 1.5x baseline"},
		{Name: withPoints + ", p50, beside the two-platform cart", Unit: "ms", Value: ms(percentile(latPoints, 50)),
			Baseline: "checkout of a two-platform cart, p50", Base: ms(percentile(two, 50))},
		{Name: "per sub-order (checkout p50 / 2 parts)", Unit: "ms", Value: ms(percentile(two, 50)) / 2, Baseline: "bare libp2p round trip + 2 fsyncs", Base: base, Goal: "<= 4x baseline"},
		{Name: "checkout of a two-platform cart, p50, every member's flushes skipped", Unit: "ms", Value: ms(percentile(latUnflushed, 50)),
			Baseline: "the same checkout with them, p50", Base: ms(percentile(two, 50))},
		{Name: "per sub-order, every member's flushes skipped", Unit: "ms", Value: ms(percentile(latUnflushed, 50)) / 2, Baseline: "bare libp2p round trip + 2 fsyncs", Base: base},
		{Name: fmt.Sprintf("sub-orders accepted per second, %d shoppers", orderShoppers), Unit: "/s", Value: rate},
		{Name: "messages the members' outboxes still held when the shoppers stopped, per sub-order", Unit: "messages", Value: float64(st.queued) / subOrders},
		{Name: "time to deliver them once the shoppers stopped", Unit: "ms", Value: ms(st.drain),
			Baseline: "the storm's own time", Base: ms(st.elapsed)},
		{Name: "CPU time per message delivered once the shoppers stopped, all three members", Unit: "µs", Value: st.drainCPUPer(),
			Baseline: "CPU time of a bare libp2p round trip on a stream kept open, both ends", Base: float64(keptCPU.Nanoseconds()) / 1e3},
		{Name: fmt.Sprintf("sub-orders accepted per second, %d shoppers, counted until every outbox was empty", orderShoppers), Unit: "/s", Value: st.sustained(),
			Baseline: "the same while the shoppers bought", Base: rate, Goal: ">= 1,000 /s"},
		{Name: "CPU time per sub-order, all three members, their outboxes' delivery included", Unit: "ms", Value: st.cpuPerAll(),
			Baseline: "the same while the shoppers bought", Base: cpuPer},
		{Name: "sub-orders per second two whole cores would accept at that CPU cost, the outboxes' delivery included", Unit: "/s", Value: 2000 / st.cpuPerAll(), Goal: ">= 1,000 /s"},
		{Name: fmt.Sprintf("sub-orders accepted per second, %d shoppers, every member's flushes skipped", orderShoppers), Unit: "/s", Value: rateUnflushed,
			Baseline: "the same storm with them", Base: rate},
		{Name: "CPU time per sub-order accepted, every member's flushes skipped", Unit: "ms", Value: cpuPerUnflushed,
			Baseline: "the same storm with them", Base: cpuPer},
		{Name: "page faults per sub-order, all three members, 32 shoppers", Unit: "faults", Value: st.faultsPer()},
		{Name: "page faults per sub-order, every member's flushes skipped", Unit: "faults", Value: unflushedStorm.faultsPer(),
			Baseline: "the same storm with them", Base: st.faultsPer()},
		{Name: "catalog records the two homes signed per second meanwhile", Unit: "/s", Value: signedRate,
			Baseline: "sub-orders accepted per second", Base: rate},
		{Name: "flushes of order state to disk per sub-order, all three members, 32 shoppers", Unit: "flushes", Value: float64(flushes) / subOrders},
		{Name: "order commits each flush made durable, 32 shoppers", Unit: "commits", Value: float64(flushed) / max(float64(flushes), 1)},
		{Name: "CPU time per sub-order accepted, all three members, 32 shoppers", Unit: "ms", Value: cpuPer},
		{Name: "sub-orders per second two whole cores would accept at that CPU cost", Unit: "/s", Value: 2000 / cpuPer},
		{Name: "bare libp2p request/response round trip, p50", Unit: "ms", Value: ms(rtt)},
		{Name: "fsync of a 4 KiB write, p50", Unit: "ms", Value: ms(fsync)},
		{Name: "Badger DB.Sync after a commit of a 1,500-byte record, p50", Unit: "ms", Value: ms(syncs.syncWall),
			Baseline: "fsync of a 4 KiB write, p50", Base: ms(fsync)},
		{Name: "CPU time of a Badger commit + DB.Sync of a 1,500-byte record", Unit: "µs", Value: float64(syncs.commitSync.Nanoseconds()) / 1e3,
			Baseline: "overwrite + fdatasync of the same bytes in a preallocated log", Base: float64(syncs.logSync.Nanoseconds()) / 1e3},
		{Name: "page faults of a Badger commit + DB.Sync of a 1,500-byte record", Unit: "faults", Value: syncs.commitSyncFaults,
			Baseline: "the same commit without the sync", Base: syncs.commitFaults},
		{Name: "CPU time of a write to a page of a mapped file after its msync", Unit: "µs", Value: float64(syncs.mappedClean.Nanoseconds()) / 1e3,
			Baseline: "the same write to the page once dirty", Base: float64(syncs.mappedDirty.Nanoseconds()) / 1e3},
		{Name: "page faults of a write to a page of a mapped file after its msync", Unit: "faults", Value: syncs.mappedFaults},
	}, memberFigures(byMember, st.cpuPerAll(), store.Name(), []string{home.Name(), issuer.Name()}, logf),
		workFigures(workBefore, work, subOrders), unitFigures(rttCPU, keptCPU, sign, verify, syncs.commit, syncs.commitSync), writesFigures(writes, 2*orderWriteRuns))}, nil
}

// orderFlushes is how many flushes of order state the nodes have run and
// how many commits those made durable, all told.
func orderFlushes(nodes []*node.Node) (flushes, commits uint64) {
	for _, nd := range nodes {
		f, c := nd.Orders().Flushes()
		flushes, commits = flushes+f, commits+c
	}
	return flushes, commits
}

// ownRecords is how many catalog records the nodes have signed, all
// told: the sum of each one's mark of its own origin.
func ownRecords(nodes []*node.Node) uint64 {
	var n uint64
	for _, nd := range nodes {
		n += nd.Catalog().Marks()[nd.Catalog().Platform()]
	}
	return n
}

// benchListings lists one product with ample stock on the second and the
// third member and waits until the first member's catalog has both. With
// ship, each merchant first publishes a shipping profile (a flat rate at
// home, weight bands abroad, free over a threshold) that its listing
// ships under, and the wait includes the profile.
func benchListings(ctx context.Context, c *node.Cluster, ship bool) ([]order.ItemInput, error) {
	var items []order.ItemInput
	for i, n := range c.Nodes[1:] {
		name := fmt.Sprintf("Bench merchant %d", i)
		if ship {
			name += " (shipping)"
		}
		m, _, err := n.Catalog().CreateMerchant(ctx, name)
		if err != nil {
			return nil, err
		}
		in := catalog.ListingInput{Title: "Bench kettle", Category: "Home > Kitchen", Brand: "Bench", ShippingRegions: []string{"DE"}}
		if ship {
			sp, err := n.Catalog().PutShippingProfile(ctx, m.ID, "", benchShipping)
			if err != nil {
				return nil, err
			}
			in.ShippingRegions, in.ShippingProfile = nil, sp.ID
		}
		sku := fmt.Sprintf("BENCH-%d-%t", i, ship)
		in.Variants = []catalog.Variant{{SKU: sku, Price: catalog.Money{Amount: 1999, Currency: "EUR"}, Stock: 1_000_000, Grams: 1200}}
		l, err := n.Catalog().CreateListing(ctx, m.ID, in)
		if err != nil {
			return nil, err
		}
		items = append(items, order.ItemInput{ListingID: l.ID, SKU: sku, Quantity: 1})
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err := reached(ctx, c.Nodes[0].Catalog(), items, ship)
		if err == nil {
			return items, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("listings did not reach the storefront: %w", err)
		}
	}
}

// benchShipping is the bench merchants' shipping profile.
var benchShipping = catalog.ShippingProfileInput{Name: "Parcels", Zones: []shipping.Zone{
	{Name: "Domestic", Countries: []string{"DE"}, Rates: []shipping.Rate{
		{Name: "Standard", Flat: 490, FreeOver: 10000, Transit: shipping.Days{Min: 1, Max: 2}, Carriers: []string{"dhl-paket"}},
		{Name: "Express", Flat: 990, Transit: shipping.Days{Min: 1, Max: 1}, Carriers: []string{"ups"}}}},
	{Name: "EU", Countries: []string{"AT", "FR", "NL"}, Rates: []shipping.Rate{
		{Name: "Standard", Bands: []shipping.Band{{From: 0, To: 1000, Amount: 790}, {From: 1000, To: 31500, Amount: 1290}}, Transit: shipping.Days{Min: 2, Max: 5}}}},
}}

// reached reports what of items cat does not hold yet, with their
// shipping profiles when ship.
func reached(ctx context.Context, cat *catalog.Catalog, items []order.ItemInput, ship bool) error {
	for _, it := range items {
		l, err := cat.Listing(ctx, it.ListingID)
		if err != nil {
			return err
		}
		if !ship {
			continue
		}
		terms, err := cat.ShippingFor(ctx, &l)
		if err != nil {
			return err
		}
		if terms.Profile.ID != l.ShippingProfile {
			return fmt.Errorf("shipping profile %s not here yet", l.ShippingProfile)
		}
	}
	return nil
}

// benchBuyer is a shopper who fills a fresh cart and checks out.
type benchBuyer struct {
	svc    *order.Service
	id     string
	items  []order.ItemInput
	ship   bool  // the cart is quoted shipping to DE before it is filled
	points int64 // the checkout spends that many of the shopper's points
	// flushesOff, when set, is switched on for the checkout: every
	// member skips its flushes meanwhile.
	flushesOff *atomic.Bool
}

func newBuyer(ctx context.Context, svc *order.Service, items []order.ItemInput, i int) (*benchBuyer, error) {
	sh, _, err := svc.CreateShopper(ctx, order.ShopperInput{Name: "Bench shopper", Email: fmt.Sprintf("bench%d-%d@example.org", i, time.Now().UnixNano())})
	return &benchBuyer{svc: svc, id: sh.ID, items: items}, err
}

// benchKeys numbers the checkouts' idempotency keys: buyers may share a
// shopper.
var benchKeys atomic.Int64

// buy times one checkout (the cart is filled before the clock starts).
func (b *benchBuyer) buy(ctx context.Context) (time.Duration, error) {
	_, d, err := b.checkout(ctx)
	return d, err
}

// checkout fills a cart, checks it out and checks the order it placed;
// the duration is the checkout's alone.
func (b *benchBuyer) checkout(ctx context.Context) (order.Order, time.Duration, error) {
	cart, err := b.svc.CreateCart(ctx, b.id)
	if err != nil {
		return order.Order{}, 0, err
	}
	if b.ship {
		if _, err := b.svc.SetShipTo(ctx, b.id, cart.ID, shipping.Destination{Country: "DE"}); err != nil {
			return order.Order{}, 0, err
		}
	}
	for _, it := range b.items {
		if _, err := b.svc.AddItem(ctx, b.id, cart.ID, it); err != nil {
			return order.Order{}, 0, err
		}
	}
	req := order.CheckoutRequest{ShippingAddress: order.Address{Name: "B", Line1: "Bench 1", City: "Kiel", PostalCode: "24103", Country: "DE"},
		Payment: order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: order.CardApprove}, Points: b.points}
	if b.flushesOff != nil {
		b.flushesOff.Store(true)
		defer b.flushesOff.Store(false)
	}
	start := time.Now()
	o, _, err := b.svc.Checkout(ctx, b.id, cart.ID, fmt.Sprintf("bench-%d", benchKeys.Add(1)), req)
	d := time.Since(start)
	switch {
	case err != nil:
	case o.Status != order.StatusAccepted:
		err = fmt.Errorf("order %s is %s after checkout", o.ID, o.Status)
	case b.ship && o.Shipping.Amount != 2*490:
		err = fmt.Errorf("order %s charged %s for shipping, want 2 parts at 4.90", o.ID, o.Shipping)
	case b.points > 0 && (o.Points == nil || o.Points.Points != b.points):
		err = fmt.Errorf("order %s: %w: %+v, want %d points", o.ID, errNoPoints, o.Points, b.points)
	case b.points == 0 && o.Points != nil:
		err = fmt.Errorf("order %s spent %d points, asked none", o.ID, o.Points.Points)
	}
	return o, d, err
}

// alternate times runs checkouts of each of buyers, one of each in turn,
// so that all see the same machine, and returns each buyer's times.
func alternate(ctx context.Context, runs int, buyers ...*benchBuyer) ([][]time.Duration, error) {
	out := make([][]time.Duration, len(buyers))
	for i := 0; i < runs; i++ {
		for k, b := range buyers {
			d, err := b.buy(ctx)
			if err != nil {
				return nil, err
			}
			out[k] = append(out[k], d)
		}
	}
	for _, o := range out {
		slices.Sort(o)
	}
	return out, nil
}

// storm is how a storm of checkouts went: sub-orders accepted per
// second, how long it ran, and the process's CPU time meanwhile. Then,
// from when the shoppers stopped until every member's outbox was empty,
// the messages they still held (mostly the homes' copies of statuses
// that rode in answers) and what delivering them took: a storm that
// left them queued did not pay for them, and a steady one would.
type storm struct {
	rate         float64
	elapsed, cpu time.Duration
	faults       int64 // the process's page faults
	queued       int   // messages in the members' outboxes when the shoppers stopped
	drain        time.Duration
	drainCPU     time.Duration
}

// runStorm times checkoutRate, by the wall clock and the process's CPU,
// and counts the process's page faults meanwhile; then it waits for the
// members' outboxes to empty (see storm).
func runStorm(ctx context.Context, nodes []*node.Node, items []order.ItemInput) (storm, error) {
	start, cpuStart, faultsStart := time.Now(), cpuTime(), pageFaults()
	rate, err := checkoutRate(ctx, nodes[0].Orders(), items)
	st := storm{rate: rate, elapsed: time.Since(start), cpu: cpuTime() - cpuStart, faults: pageFaults() - faultsStart}
	if err != nil {
		return st, err
	}
	start, cpuStart = time.Now(), cpuTime()
	st.queued, err = drainOutboxes(ctx, nodes)
	st.drain, st.drainCPU = time.Since(start), cpuTime()-cpuStart
	return st, err
}

// drainOutboxes waits until no member's outbox holds a message, and
// returns how many they held at first. It looks every 10 ms with one
// seek per member, so that its own reads cost the members little.
func drainOutboxes(ctx context.Context, nodes []*node.Node) (int, error) {
	first := 0
	for _, nd := range nodes {
		depths, err := nd.Orders().Outbox(ctx)
		if err != nil {
			return 0, err
		}
		for _, d := range depths {
			first += d.Messages
		}
	}
	for deadline := time.Now().Add(time.Minute); ; {
		empty := true
		for _, nd := range nodes {
			e, err := nd.Orders().OutboxEmpty()
			if err != nil {
				return first, err
			}
			empty = empty && e
		}
		if empty {
			return first, nil
		}
		if time.Now().After(deadline) {
			return first, fmt.Errorf("the members' outboxes still hold messages a minute after the storm (%d at its end)", first)
		}
		select {
		case <-ctx.Done():
			return first, ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// subOrders is how many sub-orders the storm accepted.
func (s storm) subOrders() float64 { return s.rate * s.elapsed.Seconds() }

// cpuPer is the CPU time per sub-order accepted, in ms. The three
// members share the process: its CPU time over the sub-orders accepted
// is what one sub-order costs the federation, and the cores it would
// take to reach the goal follow from it.
func (s storm) cpuPer() float64 { return ms(s.cpu) / s.subOrders() }

// sustained is the sub-orders a second counted until the outboxes were
// empty, and cpuPerAll the CPU time per sub-order with their delivery.
func (s storm) sustained() float64 { return s.subOrders() / (s.elapsed + s.drain).Seconds() }
func (s storm) cpuPerAll() float64 { return ms(s.cpu+s.drainCPU) / s.subOrders() }

// drainCPUPer is the CPU time per message delivered after the storm, in
// µs: what one status copy costs the federation (0 when none was left).
func (s storm) drainCPUPer() float64 {
	if s.queued == 0 {
		return 0
	}
	return float64(s.drainCPU.Nanoseconds()) / 1e3 / float64(s.queued)
}

// faultsPer is the page faults per sub-order accepted, all three members.
func (s storm) faultsPer() float64 { return float64(s.faults) / s.subOrders() }

// checkoutRate has orderShoppers shoppers check out carts of items on
// svc, the storefront's, back to back for orderLoadTime, and returns the
// sub-orders accepted per second.
func checkoutRate(ctx context.Context, svc *order.Service, items []order.ItemInput) (float64, error) {
	var parts atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, orderShoppers)
	deadline := time.Now().Add(orderLoadTime)
	start := time.Now()
	for i := 0; i < orderShoppers; i++ {
		b, err := newBuyer(ctx, svc, items, i+1)
		if err != nil {
			return 0, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if _, err := b.buy(ctx); err != nil {
					errs <- err
					return
				}
				parts.Add(int64(len(items)))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return 0, err
	}
	return float64(parts.Load()) / time.Since(start).Seconds(), nil
}

// bareRoundTrip is the p50 of a request/response over a new stream per
// request between two bare libp2p hosts, 512 bytes each way, and the CPU
// time of one (both hosts are in the process); then the CPU time of one
// on a stream kept open, as order sessions send them.
func bareRoundTrip(ctx context.Context, n int) (p50, cpu, keptCPU time.Duration, err error) {
	a, err := bareHost()
	if err != nil {
		return 0, 0, 0, err
	}
	defer a.Close()
	b, err := bareHost()
	if err != nil {
		return 0, 0, 0, err
	}
	defer b.Close()
	b.SetStreamHandler("/bench/echo", func(s network.Stream) {
		buf := make([]byte, 512)
		for {
			if _, err := io.ReadFull(s, buf); err != nil {
				break
			}
			if _, err := s.Write(buf); err != nil {
				break
			}
		}
		_ = s.Close()
	})
	if err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		return 0, 0, 0, err
	}
	var out []time.Duration
	buf := make([]byte, 512)
	cpuStart := cpuTime()
	for i := 0; i < n; i++ {
		start := time.Now()
		s, err := a.NewStream(ctx, b.ID(), "/bench/echo")
		if err != nil {
			return 0, 0, 0, err
		}
		if _, err := s.Write(buf); err != nil {
			return 0, 0, 0, err
		}
		if _, err := io.ReadFull(s, buf); err != nil {
			return 0, 0, 0, err
		}
		_ = s.Close()
		out = append(out, time.Since(start))
	}
	cpu = (cpuTime() - cpuStart) / time.Duration(n)
	s, err := a.NewStream(ctx, b.ID(), "/bench/echo")
	if err != nil {
		return 0, 0, 0, err
	}
	defer s.Close()
	cpuStart = cpuTime()
	for i := 0; i < n; i++ {
		if _, err := s.Write(buf); err != nil {
			return 0, 0, 0, err
		}
		if _, err := io.ReadFull(s, buf); err != nil {
			return 0, 0, 0, err
		}
	}
	keptCPU = (cpuTime() - cpuStart) / time.Duration(n)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return percentile(out, 50), cpu, keptCPU, nil
}

// fsyncTime is the p50 of appending 4 KiB to a file and syncing it.
func fsyncTime(n int) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "fedmart-fsync-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, "f"))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 4096)
	var out []time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		if _, err := f.Write(buf); err != nil {
			return 0, err
		}
		if err := f.Sync(); err != nil {
			return 0, err
		}
		out = append(out, time.Since(start))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return percentile(out, 50), nil
}
