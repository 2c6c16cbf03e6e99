package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
)

// fakeOrders is an in-memory order service for the page tests. Shoppers
// sign in with plain passwords; carts are priced from the harness's real
// catalog; a checkout refuses as home nodes would when a price or the
// stock changed in the catalog since the cart was filled, declines and
// fails by sandbox card number, and replays per idempotency key. A
// placed order's parts are accepted at once; those of this node's
// merchants are also kept as home parts, which follow the home node's
// rules (ship accepted, deliver shipped, refund accepted, shipped or
// delivered) and show their changes on the shopper's order.
type fakeOrders struct {
	h *harness

	*fakeOutbox // the outbox and parked messages (outbox_fake_test.go)

	mu        sync.Mutex // guards the fields below
	seq       int
	shoppers  map[string]order.Shopper
	passwords map[string]string // by shopper id
	byEmail   map[string]string // lower-case e-mail -> shopper id
	carts     map[string]*fakeCart
	orders    map[string]*order.Order
	placed    []string // order ids, oldest first
	parts     map[string]*order.HomePart
	received  []string             // home part ids, oldest first
	keys      map[string]string    // shopper + "/" + idempotency key -> order id
	digests   map[string]string    // the same keys -> the request they placed
	fail      error                // the next checkout's answer, when set
	checkouts int                  // checkouts that placed an order
	ended     map[string]time.Time // shopper id -> when its sessions were ended
}

// fakeCart is a cart as the fake keeps it.
type fakeCart struct {
	id, shopper string
	lines       []order.CartLine
	created     time.Time
}

func newFakeOrders(h *harness) *fakeOrders {
	return &fakeOrders{h: h, fakeOutbox: &fakeOutbox{}, shoppers: map[string]order.Shopper{}, passwords: map[string]string{}, byEmail: map[string]string{},
		carts: map[string]*fakeCart{}, orders: map[string]*order.Order{}, parts: map[string]*order.HomePart{},
		keys: map[string]string{}, digests: map[string]string{}, ended: map[string]time.Time{}}
}

// failNext makes the next checkout answer err.
func (f *fakeOrders) failNext(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

// placedCount is how many checkouts placed an order.
func (f *fakeOrders) placedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.checkouts
}

func (f *fakeOrders) nextID(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s_%04d", prefix, f.seq)
}

func (f *fakeOrders) CreateShopper(_ context.Context, in order.ShopperInput) (order.Shopper, string, error) {
	if err := in.Validate(); err != nil {
		return order.Shopper{}, "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	email := strings.ToLower(in.Email)
	if _, taken := f.byEmail[email]; taken {
		return order.Shopper{}, "", order.FieldErrors{{Field: "email", Message: "is already registered on this storefront"}}
	}
	sh := order.Shopper{ID: f.nextID("shp"), Name: strings.TrimSpace(in.Name), Email: email, CreatedAt: f.h.clock.Now()}
	f.shoppers[sh.ID], f.byEmail[email], f.passwords[sh.ID] = sh, sh.ID, in.Password
	return sh, "st_" + sh.ID, nil
}

func (f *fakeOrders) Authenticate(_ context.Context, email, password string) (order.Shopper, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.byEmail[strings.ToLower(email)]
	if !ok || f.passwords[id] == "" || f.passwords[id] != password {
		return order.Shopper{}, order.ErrBadCredentials
	}
	return f.shoppers[id], nil
}

func (f *fakeOrders) Shopper(_ context.Context, id string) (order.Shopper, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sh, ok := f.shoppers[id]
	if !ok {
		return order.Shopper{}, fmt.Errorf("%w: shopper %s", order.ErrNotFound, id)
	}
	return sh, nil
}

func (f *fakeOrders) EndSessions(_ context.Context, shopper string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended[shopper] = f.h.clock.Now().Truncate(time.Second)
	return nil
}

func (f *fakeOrders) SessionsEndedAt(_ context.Context, shopper string) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ended[shopper], nil
}

func (f *fakeOrders) CreateCart(_ context.Context, shopper string) (order.Cart, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := &fakeCart{id: f.nextID("crt"), shopper: shopper, created: f.h.clock.Now()}
	f.carts[c.id] = c
	return c.view(), nil
}

func (f *fakeOrders) GetCart(_ context.Context, shopper, id string) (order.Cart, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.cart(shopper, id)
	if err != nil {
		return order.Cart{}, err
	}
	return c.view(), nil
}

// cart returns shopper's cart id; f.mu is held.
func (f *fakeOrders) cart(shopper, id string) (*fakeCart, error) {
	c, ok := f.carts[id]
	if !ok || c.shopper != shopper {
		return nil, fmt.Errorf("%w: cart %s", order.ErrNotFound, id)
	}
	return c, nil
}

// view groups the cart by platform and totals it, as the service does.
func (c *fakeCart) view() order.Cart {
	v := order.Cart{ID: c.id, Shopper: c.shopper, Groups: []order.CartGroup{}, CreatedAt: c.created, UpdatedAt: c.created}
	for _, l := range c.lines {
		l.Subtotal = order.Money{Amount: l.Quantity * l.UnitPrice.Amount, Currency: l.UnitPrice.Currency}
		v.Lines = append(v.Lines, l)
		i := slices.IndexFunc(v.Groups, func(g order.CartGroup) bool { return g.Platform == l.Platform })
		if i < 0 {
			v.Groups = append(v.Groups, order.CartGroup{Platform: l.Platform, Total: order.Money{Currency: l.UnitPrice.Currency}})
			i = len(v.Groups) - 1
		}
		v.Groups[i].Lines = append(v.Groups[i].Lines, l)
		v.Groups[i].Total.Amount += l.Subtotal.Amount
		v.Total = order.Money{Amount: v.Total.Amount + l.Subtotal.Amount, Currency: l.UnitPrice.Currency}
		v.Items += l.Quantity
	}
	slices.SortStableFunc(v.Groups, func(a, b order.CartGroup) int { return cmp.Compare(a.Platform, b.Platform) })
	return v
}

// offer reads a SKU of a listing from the harness's catalog.
func (f *fakeOrders) offer(ctx context.Context, listingID, sku string) (catalog.Listing, catalog.Variant, bool) {
	l, err := f.h.self.cat.Listing(ctx, listingID)
	if err != nil {
		return catalog.Listing{}, catalog.Variant{}, false
	}
	for _, v := range l.Variants {
		if v.SKU == sku {
			return l, v, true
		}
	}
	return catalog.Listing{}, catalog.Variant{}, false
}

func (f *fakeOrders) AddItem(ctx context.Context, shopper, cartID string, in order.ItemInput) (order.Cart, error) {
	return f.putLine(ctx, shopper, cartID, in, true)
}

func (f *fakeOrders) SetQuantity(ctx context.Context, shopper, cartID string, in order.ItemInput) (order.Cart, error) {
	return f.putLine(ctx, shopper, cartID, in, false)
}

// putLine adds units to a line (add, which may open it) or sets its
// quantity, with the order service's errors.
func (f *fakeOrders) putLine(ctx context.Context, shopper, cartID string, in order.ItemInput, add bool) (order.Cart, error) {
	if in.Quantity < 1 || in.Quantity > 100 {
		return order.Cart{}, order.FieldErrors{{Field: "quantity", Message: "must be between 1 and 100"}}
	}
	l, v, ok := f.offer(ctx, in.ListingID, in.SKU)
	if !ok {
		return order.Cart{}, order.FieldErrors{{Field: "listing_id", Message: fmt.Sprintf("no listing %q with SKU %q in the catalog", in.ListingID, in.SKU)}}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.cart(shopper, cartID)
	if err != nil {
		return order.Cart{}, err
	}
	i := slices.IndexFunc(c.lines, func(cl order.CartLine) bool { return cl.ListingID == in.ListingID && cl.SKU == in.SKU })
	want := in.Quantity
	switch {
	case i < 0 && !add:
		return order.Cart{}, fmt.Errorf("%w: no such line", order.ErrNotFound)
	case i >= 0 && add:
		want += c.lines[i].Quantity
	}
	if want > v.Stock {
		return order.Cart{}, &order.CheckoutError{Reason: order.ReasonOutOfStock,
			Shortages: []order.Shortage{{ListingID: l.ID, SKU: v.SKU, Wanted: want, Available: v.Stock}}}
	}
	if i < 0 {
		c.lines = append(c.lines, order.CartLine{ListingID: l.ID, SKU: v.SKU})
		i = len(c.lines) - 1
	}
	cl := &c.lines[i]
	cl.Title, cl.Category, cl.Platform, cl.Merchant = l.Title, l.Category, l.Platform, l.Merchant
	cl.UnitPrice = order.Money{Amount: v.Price.Amount, Currency: v.Price.Currency}
	cl.Quantity = want
	return c.view(), nil
}

func (f *fakeOrders) RemoveItem(_ context.Context, shopper, cartID, sku, listingID string) (order.Cart, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.cart(shopper, cartID)
	if err != nil {
		return order.Cart{}, err
	}
	n := len(c.lines)
	c.lines = slices.DeleteFunc(c.lines, func(l order.CartLine) bool {
		return l.SKU == sku && (listingID == "" || l.ListingID == listingID)
	})
	if len(c.lines) == n {
		return order.Cart{}, fmt.Errorf("%w: no line with SKU %q", order.ErrNotFound, sku)
	}
	return c.view(), nil
}

// validate checks a checkout request as the service does.
func (f *fakeOrders) validate(key string, req order.CheckoutRequest) error {
	var errs order.FieldErrors
	if key == "" || len(key) > 255 {
		errs = append(errs, order.FieldError{Field: "Idempotency-Key", Message: "header is required"})
	}
	var fe order.FieldErrors
	if errors.As(req.ShippingAddress.Validate(), &fe) {
		errs = append(errs, fe...)
	}
	switch req.Payment.Method {
	case order.MethodSandboxCard:
		errs = append(errs, order.SandboxCard{}.Validate(req.Payment)...)
	case order.MethodManual:
		errs = append(errs, order.Manual{}.Validate(req.Payment)...)
	default:
		errs = append(errs, order.FieldError{Field: "payment.method", Message: "is not taken by this storefront, which takes manual, sandbox_card"})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func (f *fakeOrders) Checkout(ctx context.Context, shopper, cartID, key string, req order.CheckoutRequest) (order.Order, bool, error) {
	if err := f.validate(key, req); err != nil {
		return order.Order{}, false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	idem, digest := shopper+"/"+key, cartID+"\x00"+fmt.Sprint(req)
	if id, ok := f.keys[idem]; ok {
		if f.digests[idem] != digest {
			return order.Order{}, false, fmt.Errorf("%w: this Idempotency-Key was used for another checkout request", order.ErrConflict)
		}
		return copyOrder(f.orders[id]), true, nil
	}
	c, err := f.cart(shopper, cartID)
	if err != nil {
		return order.Order{}, false, err
	}
	if len(c.lines) == 0 {
		return order.Order{}, false, fmt.Errorf("%w: cart %s", order.ErrEmptyCart, cartID)
	}
	if err := f.fail; err != nil {
		f.fail = nil
		return order.Order{}, false, err
	}
	if err := f.recheck(ctx, c); err != nil {
		return order.Order{}, false, err
	}
	pay, err := charge(req.Payment, c.view().Total, f.h.clock.Now())
	if err != nil {
		return order.Order{}, false, err
	}
	o := f.place(c, req.ShippingAddress, pay)
	f.keys[idem], f.digests[idem] = o.ID, digest
	return copyOrder(o), false, nil
}

// recheck refuses a cart whose prices or stock changed in the catalog, as
// home nodes would; a price change goes into the cart. f.mu is held.
func (f *fakeOrders) recheck(ctx context.Context, c *fakeCart) error {
	var quote []order.Line
	var short []order.Shortage
	for i, l := range c.lines {
		_, v, ok := f.offer(ctx, l.ListingID, l.SKU)
		switch {
		case !ok:
			short = append(short, order.Shortage{ListingID: l.ListingID, SKU: l.SKU, Wanted: l.Quantity})
		case v.Price.Amount != l.UnitPrice.Amount:
			c.lines[i].UnitPrice.Amount = v.Price.Amount
			quote = append(quote, order.Line{ListingID: l.ListingID, SKU: l.SKU, Title: l.Title, Quantity: l.Quantity,
				UnitPrice: c.lines[i].UnitPrice})
		case v.Stock < l.Quantity:
			short = append(short, order.Shortage{ListingID: l.ListingID, SKU: l.SKU, Wanted: l.Quantity, Available: v.Stock})
		}
	}
	switch {
	case quote != nil:
		return &order.CheckoutError{Reason: order.ReasonPriceChanged, Quote: quote}
	case short != nil:
		return &order.CheckoutError{Reason: order.ReasonOutOfStock, Shortages: short}
	}
	return nil
}

// charge takes a payment as the sandbox card and the manual provider do.
func charge(req order.PaymentRequest, amount order.Money, now time.Time) (order.Payment, error) {
	if req.Method == order.MethodManual {
		return order.Payment{Method: order.MethodManual, ID: "man", Status: order.PaymentPending, Amount: amount, At: now}, nil
	}
	n := strings.ReplaceAll(req.CardNumber, " ", "")
	switch n {
	case order.CardDecline, order.CardInsufficient:
		return order.Payment{}, fmt.Errorf("%w: card declined", order.ErrDeclined)
	case order.CardFail:
		return order.Payment{}, fmt.Errorf("%w: sandbox processing error", order.ErrPaymentFailed)
	}
	return order.Payment{Method: order.MethodSandboxCard, ID: "sbx", Status: order.PaymentCaptured, Amount: amount,
		Last4: n[len(n)-4:], At: now}, nil
}

// place turns a cart into an accepted order, one part per merchant, and
// empties the cart. f.mu is held.
func (f *fakeOrders) place(c *fakeCart, to order.Address, pay order.Payment) *order.Order {
	now := f.h.clock.Now()
	cart := c.view()
	o := &order.Order{ID: f.nextID("ord"), Shopper: c.shopper, Status: order.StatusAccepted, Total: cart.Total, ShipTo: to,
		Payment: pay, CreatedAt: now, UpdatedAt: now}
	lines := slices.Clone(c.lines)
	slices.SortStableFunc(lines, func(a, b order.CartLine) int {
		return cmp.Or(cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.Merchant, b.Merchant))
	})
	for _, l := range lines {
		n := len(o.Parts)
		if n == 0 || o.Parts[n-1].Platform != l.Platform || o.Parts[n-1].Merchant != l.Merchant {
			o.Parts = append(o.Parts, order.Part{ID: fmt.Sprintf("%s-%d", o.ID, n+1), Platform: l.Platform, Merchant: l.Merchant,
				Status: order.StatusAccepted, Total: order.Money{Currency: l.UnitPrice.Currency}, UpdatedAt: now})
			n++
		}
		p := &o.Parts[n-1]
		p.Items = append(p.Items, order.Line{ListingID: l.ListingID, SKU: l.SKU, Title: l.Title, Category: l.Category,
			Quantity: l.Quantity, UnitPrice: l.UnitPrice})
		p.Total.Amount += l.Quantity * l.UnitPrice.Amount
	}
	self := f.h.self.id.String()
	for _, p := range o.Parts {
		if p.Platform != self {
			continue
		}
		f.parts[p.ID] = &order.HomePart{ID: p.ID, Order: o.ID, Storefront: self, Merchant: p.Merchant, Lines: p.Items,
			Total: p.Total, ShipTo: to, Status: order.StatusAccepted, CreatedAt: now, UpdatedAt: now}
		f.received = append(f.received, p.ID)
	}
	f.orders[o.ID] = o
	f.placed = append(f.placed, o.ID)
	delete(f.carts, c.id) // as the order service does
	f.checkouts++
	return o
}

// copyOrder returns a copy the caller may change.
func copyOrder(o *order.Order) order.Order {
	cp := *o
	cp.Parts = slices.Clone(o.Parts)
	for i := range cp.Parts {
		cp.Parts[i].Items = slices.Clone(cp.Parts[i].Items)
	}
	return cp
}

func (f *fakeOrders) GetOrder(_ context.Context, shopper, id string) (order.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok || o.Shopper != shopper {
		return order.Order{}, fmt.Errorf("%w: order %s", order.ErrNotFound, id)
	}
	return copyOrder(o), nil
}

func (f *fakeOrders) Orders(_ context.Context, shopper, cursor string, limit int) ([]order.Order, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for i := len(f.placed) - 1; i >= 0; i-- {
		if f.orders[f.placed[i]].Shopper == shopper {
			ids = append(ids, f.placed[i])
		}
	}
	ids, next, err := pageOf(ids, cursor, limit)
	out := make([]order.Order, 0, len(ids))
	for _, id := range ids {
		out = append(out, copyOrder(f.orders[id]))
	}
	return out, next, err
}

// pageOf returns up to limit of ids after cursor, and the cursor of the
// next page.
func pageOf(ids []string, cursor string, limit int) ([]string, string, error) {
	if cursor != "" {
		i := slices.Index(ids, cursor)
		if i < 0 {
			return nil, "", fmt.Errorf("%w: cursor", order.ErrInvalid)
		}
		ids = ids[i+1:]
	}
	if len(ids) <= limit {
		return ids, "", nil
	}
	return ids[:limit], ids[limit-1], nil
}

func (f *fakeOrders) CancelOrder(_ context.Context, shopper, id string) (order.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok || o.Shopper != shopper {
		return order.Order{}, fmt.Errorf("%w: order %s", order.ErrNotFound, id)
	}
	n := 0
	for i := range o.Parts {
		if p := &o.Parts[i]; p.Status == order.StatusReserved || p.Status == order.StatusAccepted {
			p.Status, p.Reason, n = order.StatusCancelled, "cancelled by the shopper", n+1
			if hp, ok := f.parts[p.ID]; ok {
				hp.Status = order.StatusCancelled
			}
		}
	}
	if n == 0 {
		return order.Order{}, fmt.Errorf("%w: order %s has no part that can still be cancelled", order.ErrConflict, id)
	}
	o.Status = fakeOrderStatus(o.Parts)
	return copyOrder(o), nil
}

func (f *fakeOrders) MerchantParts(_ context.Context, merchant, status, cursor string, limit int) ([]order.HomePart, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for i := len(f.received) - 1; i >= 0; i-- {
		p := f.parts[f.received[i]]
		if p.Merchant == merchant && p.Status != order.StatusReserved && (status == "" || p.Status == status) {
			ids = append(ids, p.ID)
		}
	}
	ids, next, err := pageOf(ids, cursor, limit)
	out := make([]order.HomePart, 0, len(ids))
	for _, id := range ids {
		out = append(out, *f.parts[id])
	}
	return out, next, err
}

func (f *fakeOrders) Ship(_ context.Context, merchant, id, carrier, tracking string) (order.HomePart, error) {
	var errs order.FieldErrors
	if strings.TrimSpace(carrier) == "" {
		errs = append(errs, order.FieldError{Field: "carrier", Message: "must be 1..100 characters"})
	}
	if strings.TrimSpace(tracking) == "" {
		errs = append(errs, order.FieldError{Field: "tracking", Message: "must be 1..100 characters"})
	}
	if errs != nil {
		return order.HomePart{}, errs
	}
	return f.change(merchant, id, "ship", func(p *order.HomePart) bool {
		if p.Status != order.StatusAccepted {
			return false
		}
		p.Status, p.Carrier, p.Tracking = order.StatusShipped, carrier, tracking
		return true
	})
}

func (f *fakeOrders) Deliver(_ context.Context, merchant, id string) (order.HomePart, error) {
	return f.change(merchant, id, "mark delivered", func(p *order.HomePart) bool {
		if p.Status != order.StatusShipped {
			return false
		}
		p.Status = order.StatusDelivered
		return true
	})
}

func (f *fakeOrders) Refund(_ context.Context, merchant, id string) (order.HomePart, error) {
	return f.change(merchant, id, "refund", func(p *order.HomePart) bool {
		switch p.Status {
		case order.StatusAccepted, order.StatusShipped, order.StatusDelivered:
			p.Status, p.Refunded = order.StatusRefunded, p.Total
			return true
		}
		return false
	})
}

func (f *fakeOrders) HomePartOf(_ context.Context, merchant, id string) (order.HomePart, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.parts[id]
	if !ok || merchant != "" && p.Merchant != merchant {
		return order.HomePart{}, fmt.Errorf("%w: part %s", order.ErrNotFound, id)
	}
	return *p, nil
}

// change applies a merchant's action to a home part and to the order the
// shopper sees; apply reports whether the part's status allows it.
func (f *fakeOrders) change(merchant, id, what string, apply func(*order.HomePart) bool) (order.HomePart, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.parts[id]
	if !ok || p.Merchant != merchant {
		return order.HomePart{}, fmt.Errorf("%w: part %s", order.ErrNotFound, id)
	}
	if !apply(p) {
		return order.HomePart{}, fmt.Errorf("%w: part %s is %s and cannot %s", order.ErrConflict, id, p.Status, what)
	}
	p.Seq++
	p.UpdatedAt = f.h.clock.Now()
	if o, ok := f.orders[p.Order]; ok {
		for i := range o.Parts {
			if sp := &o.Parts[i]; sp.ID == id {
				sp.Status, sp.Carrier, sp.Tracking, sp.Refunded, sp.UpdatedAt = p.Status, p.Carrier, p.Tracking, p.Refunded, p.UpdatedAt
			}
		}
		o.Status = fakeOrderStatus(o.Parts)
	}
	return *p, nil
}

// fakeOrderStatus derives an order's status from its parts' roughly as
// the service does: the least advanced live part, "partially_" when
// others ended, else the first part's ending.
func fakeOrderStatus(parts []order.Part) string {
	ended := false
	for _, p := range parts {
		switch p.Status {
		case order.StatusCancelled, order.StatusRefunded, order.StatusRejected:
			ended = true
		}
	}
	for _, s := range []string{order.StatusReserved, order.StatusAccepted, order.StatusShipped, order.StatusDelivered} {
		for _, p := range parts {
			if p.Status == s {
				if ended {
					return "partially_" + s
				}
				return s
			}
		}
	}
	return parts[0].Status
}

func (f *fakeOrders) Flow(_ context.Context, since time.Time, step time.Duration) ([]order.FlowPoint, error) {
	now := f.h.clock.Now()
	if step <= 0 || !since.Before(now) {
		return nil, fmt.Errorf("%w: flow: step must be positive and since before now", order.ErrInvalid)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]order.FlowPoint, int(now.Sub(since)/step)+1)
	for i := range out {
		out[i].Start = since.Add(time.Duration(i) * step)
	}
	bucket := func(t time.Time) int {
		if t.Before(since) || t.After(now) {
			return -1
		}
		return int(t.Sub(since) / step)
	}
	for _, id := range f.placed {
		if i := bucket(f.orders[id].CreatedAt); i >= 0 {
			out[i].Placed++
		}
	}
	for _, id := range f.received {
		if i := bucket(f.parts[id].CreatedAt); i >= 0 {
			out[i].Received++
		}
	}
	return out, nil
}

// The fake serves every method of the interface.
var _ Orders = (*fakeOrders)(nil)
