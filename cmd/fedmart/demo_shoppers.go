package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
	"golang.org/x/sync/errgroup"
)

// demoWords are what simulated shoppers search for.
var demoWords = []string{"pan", "kettle", "lamp", "chair", "shirt", "knife", "mug", "towel", "jacket", "bowl", "shoes", "table", ""}

// simulate runs shoppers buying across platforms and the merchants of every
// member shipping and delivering, until ctx ends, printing what happens.
// After the sale, shoppers cancel, return, write to merchants and open
// issues; merchants answer; the charter's arbiter decides the escalated
// issues. seed fixes the shoppers' and merchants' choices (0: a new one
// each run); what they meet still depends on timing. It prints a summary
// now and then and when it stops.
func simulate(ctx context.Context, c *node.Cluster, shoppers int, seed uint64, out io.Writer) error {
	var mu sync.Mutex // guards out
	say := func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, time.Now().Format("15:04:05 ")+f+"\n", a...)
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t := &demoTally{currency: c.Charter.Charter.Currency}
	g, gctx := errgroup.WithContext(ctx)
	for i := 0; i < shoppers; i++ {
		g.Go(func() error { return shopLoop(gctx, c, i, rand.New(rand.NewPCG(uint64(i), seed)), t, say) })
	}
	for k, n := range c.Nodes {
		g.Go(func() error { return merchantLoop(gctx, n, rand.New(rand.NewPCG(uint64(1000+k), seed)), t, say) })
	}
	g.Go(func() error { return settlementLoop(gctx, c, t, say) })
	g.Go(func() error { return arbiterLoop(gctx, c, seed, t, say) })
	g.Go(func() error { return summaryLoop(gctx, t, 20*time.Second, func() string { return diskWords(c) }, say) })
	err := g.Wait()
	say("in this run: %s; %s", t, diskWords(c))
	return err
}

func shopLoop(ctx context.Context, c *node.Cluster, i int, rng *rand.Rand, t *demoTally, say func(string, ...any)) error {
	home := c.Nodes[i%len(c.Nodes)]
	email := fmt.Sprintf("shopper%d-%d@demo.example", i+1, time.Now().UnixNano())
	account, _, err := home.Orders().CreateShopper(ctx, order.ShopperInput{Name: fmt.Sprintf("Demo shopper %d", i+1), Email: email, Password: demoPassword})
	if err != nil {
		return err
	}
	who := fmt.Sprintf("shopper %d", i+1)
	store, sh := home, account // where the shopper shops, and as whom
	if traveller(i, len(c.Nodes)) {
		store = c.Nodes[(i+1)%len(c.Nodes)]
		linked, err := allianceSignIn(ctx, home, store, email, demoPassword)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil
		case err != nil:
			say("%-14s %s could not sign in with %s, and shops there instead: %v", store.Name(), who, home.Name(), err)
			store = home
		default:
			t.signins.Add(1)
			say("%-14s %s signed in with its account on %s (OpenID Connect, through both storefronts' pages), which keeps its points",
				store.Name(), who, home.Name())
			sh, who = linked, who+" of "+home.Name()
		}
	}
	points := &pointsSeen{issuer: home, account: account.ID}
	// The shopper's use of points and of the coupon has its own stream, so
	// that a seed replays the rest of the story as before them.
	promo := rand.New(rand.NewPCG(uint64(i), rng.Uint64()))
	usedCoupon := false
	told := map[string]bool{} // issues whose end the shopper told
	for n := 0; ctx.Err() == nil; n++ {
		if !sleepCtx(ctx, time.Duration(2000+rng.IntN(4000))*time.Millisecond) {
			return nil
		}
		followIssues(ctx, store, sh.ID, who, rng, told, t, say)
		to := demoAddresses[rng.IntN(len(demoAddresses))]
		pay := demoPay{}
		if !usedCoupon {
			pay.Coupon = demoCoupon
		}
		if pv := points.look(ctx, who, t, say); pv.Balance.Spendable > 0 && promo.IntN(2) == 0 {
			pay.Points, pay.PointValue, pay.MaxShareBPS = pv.Balance.Spendable, pv.PointValue, loyaltyOf(store).MaxShare()
		}
		o, err := buyOnce(ctx, store, sh.ID, fmt.Sprintf("demo-%d", n), to, rng, pay, func(f string, a ...any) {
			say("%-14s %s: "+f, append([]any{store.Name(), who}, a...)...)
		})
		switch {
		case err != nil && ctx.Err() == nil:
			say("%-14s %s: checkout to %s refused: %v", store.Name(), who, to.Country, err)
			continue
		case err != nil:
			return nil
		}
		t.orders.Add(1)
		say("%-14s %s bought %d part(s) from %d platform(s), shipped to %s: %s (shipping %s%s): %s",
			store.Name(), who, len(o.Parts), platforms(o), to.Country, o.Total, o.Shipping, promoWords(o, t), o.Status)
		usedCoupon = usedCoupon || o.Coupon != ""
		shopperAfterSale(ctx, store, sh.ID, who, o, rng, t, say)
		reviewDelivered(ctx, store, sh.ID, who, rng, say)
	}
	return nil
}

// shopperAfterSale does now and then, after a purchase, what shoppers do after
// the sale: cancel the order or one unit, return a delivered item, write
// to a merchant, complain about a delivered (or late) part.
func shopperAfterSale(ctx context.Context, home *node.Node, shopper, who string, o order.Order, rng *rand.Rand, t *demoTally, say func(string, ...any)) {
	switch rng.IntN(10) {
	case 0:
		if o, err := home.Orders().CancelOrder(ctx, shopper, o.ID); err == nil {
			t.cancels.Add(1)
			say("%-14s %s cancelled %s: %s", home.Name(), who, o.ID, o.Status)
		}
	case 1:
		if cancelOne(ctx, home, shopper, who, o, say) {
			t.cancels.Add(1)
		}
	case 2:
		if returnOne(ctx, home, shopper, who, say) {
			t.returns.Add(1)
		}
	case 3, 4:
		writeOne(ctx, home, shopper, who, rng, t, say)
	case 5, 6, 7:
		complainOne(ctx, home, shopper, who, rng, t, say)
	}
}

// demoAddresses are where the simulated shoppers live: the sample
// merchants ship to most of these countries, and none to all of them.
var demoAddresses = []order.Address{
	{Name: "Demo Shopper", Line1: "Am Markt 1", City: "Bremen", PostalCode: "28195", Country: "DE"},
	{Name: "Demo Shopper", Line1: "1 rue de la République", City: "Lyon", PostalCode: "69001", Country: "FR"},
	{Name: "Demo Shopper", Line1: "Oudegracht 10", City: "Utrecht", PostalCode: "3511 AL", Country: "NL"},
	{Name: "Demo Shopper", Line1: "Via Roma 5", City: "Torino", PostalCode: "10121", Country: "IT"},
	{Name: "Demo Shopper", Line1: "Drottninggatan 3", City: "Stockholm", PostalCode: "111 51", Country: "SE"},
	{Name: "Demo Shopper", Line1: "1 Bridge Street", City: "London", PostalCode: "N1 9GU", Country: "GB"},
	{Name: "Demo Shopper", Line1: "1 Market Street", City: "Portland", PostalCode: "97201", Country: "US"},
	{Name: "Demo Shopper", Line1: "Rua Augusta 100", City: "São Paulo", PostalCode: "01305-000", Country: "BR"},
}

// buyOnce searches the federation from home, fills a cart shipped to
// to's country with one or two in-stock results (a line whose merchant
// does not ship there is refused, and said; a line a merchant's "buy X
// get Y" covers is raised to X+Y units, when in stock), now and then
// picks the fastest shipping, and checks it out (now and then with a
// card that is declined), with the coupon and the points pay offers when
// they fit. A coupon or points refused are said, and the checkout is
// tried again without them.
func buyOnce(ctx context.Context, home *node.Node, shopper, key string, to order.Address, rng *rand.Rand, pay demoPay, say func(string, ...any)) (order.Order, error) {
	res, err := home.Search().Search(search.Query{Text: demoWords[rng.IntN(len(demoWords))], InStock: true, Limit: 20})
	if err != nil || len(res.Items) == 0 {
		return order.Order{}, errors.Join(err, errors.New("nothing found"))
	}
	svc := home.Orders()
	cart, err := svc.CreateCart(ctx, shopper)
	if err != nil {
		return order.Order{}, err
	}
	if cart, err = svc.SetShipTo(ctx, shopper, cart.ID, shipping.Destination{Country: to.Country}); err != nil {
		return order.Order{}, err
	}
	for k := 0; k < 1+rng.IntN(2); k++ {
		doc := res.Items[rng.IntN(len(res.Items))]
		if k == 0 {
			if d, ok := sponsoredPick(ctx, home, shopper, res, rng); ok {
				say("took a sponsored slot: %s", d.Title)
				doc = d
			}
		}
		l, err := home.Catalog().Listing(ctx, doc.ID)
		if err != nil {
			continue
		}
		c, err := svc.AddItem(ctx, shopper, cart.ID, order.ItemInput{ListingID: l.ID, SKU: l.Variants[rng.IntN(len(l.Variants))].SKU, Quantity: 1 + int64(rng.IntN(2))})
		var fe order.FieldErrors
		switch {
		case errors.As(err, &fe):
			say("%s", fe[0].Message)
		case err == nil:
			cart = takeBuyGet(ctx, home, shopper, c, say)
		}
	}
	if cart.Items == 0 {
		return order.Order{}, fmt.Errorf("nothing in the cart ships to %s", to.Country)
	}
	if cart.Shipping != nil && rng.IntN(4) == 0 {
		for _, p := range cart.Shipping.Parts {
			if len(p.Options) > 1 { // the options come cheapest first; the last is the fastest
				_, _ = svc.ChooseShipping(ctx, shopper, cart.ID, p.Platform, p.Merchant, p.Options[len(p.Options)-1].Rate)
			}
		}
	}
	card := order.CardApprove
	if rng.IntN(10) == 0 {
		card = order.CardDecline
	}
	req := order.CheckoutRequest{ShippingAddress: to, Payment: order.PaymentRequest{Method: order.MethodSandboxCard, CardNumber: card},
		Points: pay.pointsFor(cart)}
	if pay.couponFits(cart) {
		req.Coupon = pay.Coupon
	}
	for try := 0; ; try++ {
		o, _, err := svc.Checkout(ctx, shopper, cart.ID, fmt.Sprintf("%s-%d", key, try), req)
		var fe order.FieldErrors
		switch {
		case errors.As(err, &fe) && fe[0].Field == "coupon" && req.Coupon != "":
			say("coupon %s refused: %s; checking out without it", req.Coupon, fe[0].Message)
			req.Coupon = ""
		case (errors.As(err, &fe) && fe[0].Field == "points" || errors.Is(err, order.ErrPointsUnavailable)) && req.Points > 0:
			say("%d points refused: %v; checking out without them", req.Points, err)
			req.Points = 0
		default:
			return o, err
		}
	}
}

// cancelOne cancels one unit of a line the shopper bought two or more
// of, while its part is not shipped: the home puts it back in stock and
// the storefront refunds it.
func cancelOne(ctx context.Context, home *node.Node, shopper, who string, o order.Order, say func(string, ...any)) bool {
	for _, p := range o.Parts {
		for _, it := range p.Items {
			if it.Quantity < 2 || p.Status != order.StatusAccepted {
				continue
			}
			_, err := home.Orders().CancelUnits(ctx, shopper, o.ID, p.ID, []order.Units{{ListingID: it.ListingID, SKU: it.SKU, Quantity: 1}}, "demo-one")
			if err == nil {
				say("%-14s %s cancelled one of %d %q in part %s", home.Name(), who, it.Quantity, it.Title, p.ID)
			}
			return err == nil
		}
	}
	return false
}

// returnOne asks to return one unit of the shopper's latest delivered
// part whose merchant takes returns: the request travels to the home,
// whose merchant loop approves it and then receives the parcel, and the
// refund follows.
func returnOne(ctx context.Context, home *node.Node, shopper, who string, say func(string, ...any)) bool {
	svc := home.Orders()
	orders, _, err := svc.Orders(ctx, shopper, "", 20)
	if err != nil {
		return false
	}
	for _, o := range orders {
		for _, p := range o.Parts {
			if p.Status != order.StatusDelivered || len(p.Returns) > 0 || len(p.Refunds) > 0 {
				continue
			}
			it := p.Items[0]
			r, err := svc.RequestReturn(ctx, shopper, o.ID, p.ID, order.ReturnInput{Lines: []order.Units{{ListingID: it.ListingID, SKU: it.SKU, Quantity: 1}},
				Reason: "no_longer_needed", Note: "It does not suit the kitchen after all."}, "demo-return")
			if err == nil {
				say("%-14s %s asked to return one %q of part %s (%s)", home.Name(), who, it.Title, p.ID, r.State)
				return true
			}
		}
	}
	return false
}

func platforms(o order.Order) int {
	seen := map[string]bool{}
	for _, p := range o.Parts {
		seen[p.Platform] = true
	}
	return len(seen)
}

// merchantLoop ships the accepted parts of n's merchants and delivers the
// shipped ones, a few seconds apart, and answers their shoppers' messages
// and issues. Every restockRounds rounds, the merchants restock what they
// shipped meanwhile (see restock).
func merchantLoop(ctx context.Context, n *node.Node, rng *rand.Rand, t *demoTally, say func(string, ...any)) error {
	shipped := map[string][]order.Line{} // by merchant, since the last restock
	for round := 1; sleepCtx(ctx, 3*time.Second); round++ {
		ms, err := n.Catalog().Merchants(ctx)
		if err != nil {
			return nil
		}
		for _, m := range ms {
			shipped[m.ID] = append(shipped[m.ID], moveOn(ctx, n, m.ID, m.Name, say)...)
			answerNotes(ctx, n, m.ID, m.Name, t, say)
			answerIssues(ctx, n, m.ID, m.Name, rng, t, say)
			replyToReviews(ctx, n, m.ID, m.Name, say)
		}
		if round%restockRounds == 0 {
			restock(ctx, n, ms, shipped, t, say)
			clear(shipped)
		}
	}
	return nil
}

// restockRounds is how many of merchantLoop's rounds pass between
// restocks.
const restockRounds = 3

// restock has the stock system of each merchant of ms send a feed that
// tops the variants it shipped up to restockTo units: a supplier's
// delivery, booked for all at the same moment. The catalog writes the
// small feeds that wait for its writer lock together, in one
// transaction. A feed states the stock the merchant has, so a sale
// between its making and its arrival is one the delivery made good.
func restock(ctx context.Context, n *node.Node, ms []catalog.Merchant, shipped map[string][]order.Line, t *demoTally, say func(string, ...any)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, m := range ms {
		feed := restockFeed(ctx, n, shipped[m.ID])
		if len(feed) == 0 {
			continue
		}
		wg.Go(func() {
			<-start
			r, err := n.Catalog().UpsertBatch(ctx, m.ID, feed)
			if err != nil {
				if ctx.Err() == nil {
					say("%-14s %s: restocking failed: %v", n.Name(), m.Name, err)
				}
				return
			}
			t.restocks.Add(1)
			t.restocked.Add(int64(r.Updated))
		})
	}
	close(start)
	wg.Wait()
}

const (
	// restockListings is the most listings one restocking feed names.
	restockListings = 16
	// restockTo is the stock a restocked variant has: the sample
	// catalog's listings start with fewer.
	restockTo = 40
)

// restockFeed is the feed a merchant's stock system sends after it
// shipped lines: each listing shipped, as it stands, with the variants
// shipped at restockTo units.
func restockFeed(ctx context.Context, n *node.Node, lines []order.Line) []catalog.ListingInput {
	skus := map[string]map[string]bool{} // listing -> SKUs shipped
	var ids []string
	for _, l := range lines {
		if skus[l.ListingID] == nil {
			if len(ids) == restockListings {
				continue
			}
			skus[l.ListingID] = map[string]bool{}
			ids = append(ids, l.ListingID)
		}
		skus[l.ListingID][l.SKU] = true
	}
	var feed []catalog.ListingInput
	for _, id := range ids {
		l, err := n.Catalog().Listing(ctx, id)
		if err != nil {
			continue
		}
		in, low := l.Input(), false
		for i, v := range in.Variants {
			if skus[id][v.SKU] && v.Stock < restockTo {
				in.Variants[i].Stock, low = restockTo, true
			}
		}
		if low {
			feed = append(feed, in)
		}
	}
	return feed
}

func moveOn(ctx context.Context, n *node.Node, merchant, name string, say func(string, ...any)) (shippedLines []order.Line) {
	svc := n.Orders()
	shipped, _, _ := svc.MerchantParts(ctx, merchant, order.StatusShipped, "", 20)
	for _, p := range shipped {
		if _, err := svc.Deliver(ctx, merchant, p.ID); err == nil {
			say("%-14s %s: part %s delivered", n.Name(), name, p.ID)
			goodwill(ctx, n, merchant, name, p, say)
		}
	}
	answerReturns(ctx, n, merchant, name, say)
	accepted, _, _ := svc.MerchantParts(ctx, merchant, order.StatusAccepted, "", 20)
	for _, p := range accepted {
		carrier := carrierFor(ctx, n, merchant, p)
		tracking := fmt.Sprintf("%s%010d", strings.ToUpper(carrier[:2]), rand.Int64N(1e10))
		if sp, err := svc.ShipWith(ctx, merchant, p.ID, order.Shipment{Carrier: carrier, Tracking: tracking}); err == nil {
			say("%-14s %s: part %s shipped %s with %s: %s", n.Name(), name, p.ID, p.ShippingRate, sp.Carrier, sp.TrackingURL)
			shippedLines = append(shippedLines, p.Lines...)
		}
	}
	return shippedLines
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// settlementLoop reports each period once every pair of members agreed on
// it: the statements are signed and the netting is known, with the
// points entries every pair's statement holds.
func settlementLoop(ctx context.Context, c *node.Cluster, t *demoTally, say func(string, ...any)) error {
	n := c.Nodes[0]
	told := map[string]bool{}
	for sleepCtx(ctx, 5*time.Second) {
		periods, err := n.Settlement().Periods(ctx)
		if err != nil {
			continue
		}
		for _, p := range periods {
			if told[p.Period] || (p.Status != "agreed" && p.Status != "disputed") {
				continue
			}
			net, err := n.Settlement().NettingReport(ctx, p.Period)
			if err != nil {
				continue // another pair has not agreed yet
			}
			told[p.Period] = true
			say("settlement     period %s %s by every pair; netting:", p.Period, p.Status)
			names := map[string]string{}
			for _, pos := range net.Positions {
				names[pos.PeerID] = pos.Name
				say("settlement       %-16s net %+d %s", pos.Name, pos.Net.Amount, pos.Net.Currency)
			}
			for _, tr := range net.Transfers {
				say("settlement       transfer %s pays %s %d %s", names[tr.From], names[tr.To], tr.Amount.Amount, tr.Amount.Currency)
			}
			sayPointsEntries(ctx, c, p.Period, names, t, say)
		}
	}
	return nil
}

// carrierFor is the carrier a merchant ships part with: the first of the
// chosen rate's carriers in the merchant's default shipping profile, DHL
// when it names none.
func carrierFor(ctx context.Context, n *node.Node, merchant string, p order.HomePart) string {
	mp, err := n.Catalog().MerchantProfile(ctx, n.PeerID().String(), merchant)
	if err != nil || mp.DefaultShipping == "" {
		return "dhl"
	}
	sp, err := n.Catalog().ShippingProfile(ctx, mp.DefaultShipping)
	if err != nil {
		return "dhl"
	}
	if z := sp.ZoneOf(shipping.Destination{Country: p.ShipTo.Country, Region: p.ShipTo.Region}); z != nil {
		for _, r := range z.Rates {
			if r.Name == p.ShippingRate && len(r.Carriers) > 0 {
				return r.Carriers[0]
			}
		}
	}
	return "dhl"
}

// goodwillEvery is how many delivered parts get one goodwill refund, on
// average; 0 for none.
var goodwillEvery = 5

// goodwill now and then refunds a tenth of a delivered part's items, as
// a merchant does for a parcel that arrived late: a partial refund that
// every member's settlement books in proportion.
func goodwill(ctx context.Context, n *node.Node, merchant, name string, p order.HomePart, say func(string, ...any)) {
	items := p.Total.Amount - p.Shipping.Amount
	if goodwillEvery == 0 || rand.IntN(goodwillEvery) != 0 || items < 100 {
		return
	}
	amount := items / 10
	if _, err := n.Orders().RefundPart(ctx, merchant, p.ID, order.RefundRequest{Amount: &amount, Reason: "goodwill: the parcel arrived late", Key: "goodwill"}); err == nil {
		say("%-14s %s: part %s partly refunded, %s back for a late parcel", n.Name(), name, p.ID, order.Money{Amount: amount, Currency: p.Total.Currency})
	}
}

// answerReturns approves the merchant's new return requests with a
// drop-off code, and receives the approved ones a loop later, which
// refunds their units less the merchant's restocking fee.
func answerReturns(ctx context.Context, n *node.Node, merchant, name string, say func(string, ...any)) {
	svc := n.Orders()
	open, err := svc.MerchantReturns(ctx, merchant, "", 20)
	if err != nil {
		return
	}
	for _, mr := range open {
		switch mr.Return.State {
		case order.ReturnRequested:
			code := fmt.Sprintf("RET-%06d", rand.IntN(1_000_000))
			if _, err := svc.ApproveReturn(ctx, merchant, mr.Part, mr.Return.ID, order.ReturnInstructions{DropOffCode: code}); err == nil {
				say("%-14s %s: return of part %s approved, drop-off code %s", n.Name(), name, mr.Part, code)
			}
		case order.ReturnApproved:
			if p, err := svc.ReceiveReturn(ctx, merchant, mr.Part, mr.Return.ID); err == nil {
				say("%-14s %s: return of part %s received, %s refunded in all", n.Name(), name, mr.Part, p.Refunded)
			}
		}
	}
}
