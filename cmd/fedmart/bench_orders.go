package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fedmart/fedmart/catalog"
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
)

// benchOrders measures checkouts of a two-platform cart on a storefront of
// three members, in process (no HTTP), beside a bare libp2p request/response
// round trip and an fsync measured in the same run.
func benchOrders(cmd *cobra.Command, _ benchOptions) (report, error) {
	ctx := cmd.Context()
	logf := func(f string, a ...any) { fmt.Fprintf(cmd.ErrOrStderr(), f+"\n", a...) }
	logf("starting three members...")
	c, stop, err := benchCluster(ctx, 3, "strict")
	if err != nil {
		return report{}, err
	}
	defer stop()
	items, err := benchListings(ctx, c)
	if err != nil {
		return report{}, err
	}
	shop := c.Nodes[0].Orders()
	logf("checkout latency: %d sequential two-platform checkouts...", orderLatencyRuns)
	lat, err := checkoutLatency(ctx, shop, items)
	if err != nil {
		return report{}, err
	}
	logf("throughput: %d concurrent shoppers for %s...", orderShoppers, orderLoadTime)
	rate, err := checkoutRate(ctx, shop, items)
	if err != nil {
		return report{}, err
	}
	logf("baselines: bare libp2p round trip and fsync...")
	rtt, err := bareRoundTrip(ctx, 500)
	if err != nil {
		return report{}, err
	}
	fsync, err := fsyncTime(200)
	if err != nil {
		return report{}, err
	}
	base := ms(rtt) + 2*ms(fsync)
	return report{Figures: []figure{
		{Name: "checkout of a two-platform cart, p50", Unit: "ms", Value: ms(percentile(lat, 50)), Baseline: "bare libp2p round trip + 2 fsyncs", Base: base},
		{Name: "checkout of a two-platform cart, p99", Unit: "ms", Value: ms(percentile(lat, 99)), Goal: "< 30 ms"},
		{Name: "per sub-order (checkout p50 / 2 parts)", Unit: "ms", Value: ms(percentile(lat, 50)) / 2, Baseline: "bare libp2p round trip + 2 fsyncs", Base: base, Goal: "<= 4x baseline"},
		{Name: fmt.Sprintf("sub-orders accepted per second, %d shoppers", orderShoppers), Unit: "/s", Value: rate, Goal: ">= 500 /s"},
		{Name: "bare libp2p request/response round trip, p50", Unit: "ms", Value: ms(rtt)},
		{Name: "fsync of a 4 KiB write, p50", Unit: "ms", Value: ms(fsync)},
	}}, nil
}

// benchListings lists one product with ample stock on the second and the
// third member and waits until the first member's catalog has both.
func benchListings(ctx context.Context, c *node.Cluster) ([]order.ItemInput, error) {
	var items []order.ItemInput
	for i, n := range c.Nodes[1:] {
		m, _, err := n.Catalog().CreateMerchant(ctx, fmt.Sprintf("Bench merchant %d", i))
		if err != nil {
			return nil, err
		}
		sku := fmt.Sprintf("BENCH-%d", i)
		l, err := n.Catalog().CreateListing(ctx, m.ID, catalog.ListingInput{Title: "Bench kettle", Category: "Home > Kitchen", Brand: "Bench",
			ShippingRegions: []string{"DE"}, Variants: []catalog.Variant{{SKU: sku, Price: catalog.Money{Amount: 1999, Currency: "EUR"}, Stock: 1_000_000}}})
		if err != nil {
			return nil, err
		}
		items = append(items, order.ItemInput{ListingID: l.ID, SKU: sku, Quantity: 1})
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, e1 := c.Nodes[0].Catalog().Listing(ctx, items[0].ListingID)
		_, e2 := c.Nodes[0].Catalog().Listing(ctx, items[1].ListingID)
		if e1 == nil && e2 == nil {
			return items, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("listings did not reach the storefront: %v %v", e1, e2)
		}
	}
}

// benchBuyer is a shopper who fills a fresh cart and checks out.
type benchBuyer struct {
	svc   *order.Service
	id    string
	items []order.ItemInput
	n     int
}

func newBuyer(ctx context.Context, svc *order.Service, items []order.ItemInput, i int) (*benchBuyer, error) {
	sh, _, err := svc.CreateShopper(ctx, order.ShopperInput{Name: "Bench shopper", Email: fmt.Sprintf("bench%d-%d@example.org", i, time.Now().UnixNano())})
	return &benchBuyer{svc: svc, id: sh.ID, items: items}, err
}

// buy times one checkout (the cart is filled before the clock starts).
func (b *benchBuyer) buy(ctx context.Context) (time.Duration, error) {
	cart, err := b.svc.CreateCart(ctx, b.id)
	if err != nil {
		return 0, err
	}
	for _, it := range b.items {
		if _, err := b.svc.AddItem(ctx, b.id, cart.ID, it); err != nil {
			return 0, err
		}
	}
	b.n++
	req := order.CheckoutRequest{ShippingAddress: order.Address{Name: "B", Line1: "Bench 1", City: "Kiel", PostalCode: "24103", Country: "DE"},
		Payment: order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: order.CardApprove}}
	start := time.Now()
	o, _, err := b.svc.Checkout(ctx, b.id, cart.ID, fmt.Sprintf("bench-%d", b.n), req)
	d := time.Since(start)
	if err == nil && o.Status != order.StatusAccepted {
		err = fmt.Errorf("order %s is %s after checkout", o.ID, o.Status)
	}
	return d, err
}

func checkoutLatency(ctx context.Context, svc *order.Service, items []order.ItemInput) ([]time.Duration, error) {
	b, err := newBuyer(ctx, svc, items, 0)
	if err != nil {
		return nil, err
	}
	var out []time.Duration
	for i := 0; i < orderLatencyRuns; i++ {
		d, err := b.buy(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

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
// request between two bare libp2p hosts: 512 bytes each way.
func bareRoundTrip(ctx context.Context, n int) (time.Duration, error) {
	a, err := bareHost()
	if err != nil {
		return 0, err
	}
	defer a.Close()
	b, err := bareHost()
	if err != nil {
		return 0, err
	}
	defer b.Close()
	b.SetStreamHandler("/bench/echo", func(s network.Stream) {
		buf := make([]byte, 512)
		if _, err := io.ReadFull(s, buf); err == nil {
			_, _ = s.Write(buf)
		}
		_ = s.Close()
	})
	if err := a.Connect(ctx, peer.AddrInfo{ID: b.ID(), Addrs: b.Addrs()}); err != nil {
		return 0, err
	}
	var out []time.Duration
	buf := make([]byte, 512)
	for i := 0; i < n; i++ {
		start := time.Now()
		s, err := a.NewStream(ctx, b.ID(), "/bench/echo")
		if err != nil {
			return 0, err
		}
		if _, err := s.Write(buf); err != nil {
			return 0, err
		}
		if _, err := io.ReadFull(s, buf); err != nil {
			return 0, err
		}
		_ = s.Close()
		out = append(out, time.Since(start))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return percentile(out, 50), nil
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
