package catalog

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// A bulk change applies one operation to every variant of several of a
// merchant's listings: set or add stock, set a price or change it by a
// percentage. PlanBulk says what it would do, variant by variant, without
// writing; ApplyBulk does it all or nothing, in one transaction. A change
// is applied whole or not at all because the merchant reviews it as one:
// had part of a 10% price rise been written, applying it again after a
// fix would raise the written part twice. So a plan with any problem
// writes nothing and names the listings and variants at fault.

// BulkOp names what a BulkChange does to each variant.
type BulkOp string

// Bulk operations.
const (
	// BulkSetStock sets each variant's units to Amount.
	BulkSetStock BulkOp = "set_stock"
	// BulkAddStock adds Amount units to each variant; a negative Amount
	// takes units, and no variant may go below zero.
	BulkAddStock BulkOp = "add_stock"
	// BulkSetPrice sets each variant's price to Amount minor units.
	BulkSetPrice BulkOp = "set_price"
	// BulkPricePercent changes each price by Amount basis points (1000
	// raises it by 10%, -2500 lowers it by 25%), rounded half up to the
	// minor unit.
	BulkPricePercent BulkOp = "price_percent"
)

// Limits of a bulk change.
const (
	// MaxBulkListings caps the listings one bulk change names.
	MaxBulkListings = 100
	// MinBulkPercentBPS and MaxBulkPercentBPS bound a price change:
	// -99.99% to +1000%.
	MinBulkPercentBPS = -9_999
	MaxBulkPercentBPS = 100_000
)

// BulkChange is one operation and its amount (see BulkOp).
type BulkChange struct {
	Op     BulkOp `json:"op"`
	Amount int64  `json:"amount"`
}

// Stock reports whether the change is to stock (else it is to prices).
func (ch BulkChange) Stock() bool { return ch.Op == BulkSetStock || ch.Op == BulkAddStock }

// validate checks the change against cfg; problems name "op" or "amount".
func (ch BulkChange) validate(cfg Config) error {
	v := &validator{cfg: cfg}
	switch ch.Op {
	case BulkSetStock:
		if ch.Amount < 0 || ch.Amount > cfg.MaxStock {
			v.add("amount", "must be between 0 and %d units, not %d", cfg.MaxStock, ch.Amount)
		}
	case BulkAddStock:
		if ch.Amount == 0 || ch.Amount < -cfg.MaxStock || ch.Amount > cfg.MaxStock {
			v.add("amount", "must be a number of units between -%d and %d other than 0, not %d", cfg.MaxStock, cfg.MaxStock, ch.Amount)
		}
	case BulkSetPrice:
		if ch.Amount <= 0 {
			v.add("amount", ProblemPositiveMinor)
		}
	case BulkPricePercent:
		if ch.Amount == 0 || ch.Amount < MinBulkPercentBPS || ch.Amount > MaxBulkPercentBPS {
			v.add("amount", "must be a change between %d and %d basis points other than 0, not %d", MinBulkPercentBPS, MaxBulkPercentBPS, ch.Amount)
		}
	default:
		v.add("op", "must be %s, %s, %s or %s, not %q", BulkSetStock, BulkAddStock, BulkSetPrice, BulkPricePercent, clip(string(ch.Op)))
	}
	return v.result()
}

// BulkPlan is what a bulk change does, listing by listing.
type BulkPlan struct {
	Change   BulkChange    `json:"change"`
	Listings []BulkListing `json:"listings"`
}

// BulkListing is what a bulk change does to one listing.
type BulkListing struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Version is the description's version the plan was made from;
	// ApplyBulk can insist on it.
	Version uint64 `json:"version"`
	// Problem says why the listing cannot change at all; "" when it can.
	Problem  string        `json:"problem,omitempty"`
	Variants []BulkVariant `json:"variants"`
}

// BulkVariant is what a bulk change does to one variant: units for a
// stock change, minor units for a price change.
type BulkVariant struct {
	SKU    string `json:"sku"`
	Before int64  `json:"before"`
	After  int64  `json:"after"`
	// Problem says why the variant cannot change; "" when it can.
	Problem string `json:"problem,omitempty"`
}

// Problems counts the listings and variants that cannot change.
func (p BulkPlan) Problems() int {
	n := 0
	for _, l := range p.Listings {
		if l.Problem != "" {
			n++
		}
		for _, v := range l.Variants {
			if v.Problem != "" {
				n++
			}
		}
	}
	return n
}

// Changes counts the variants whose value changes.
func (p BulkPlan) Changes() int {
	n := 0
	for _, l := range p.Listings {
		for _, v := range l.Variants {
			if v.After != v.Before {
				n++
			}
		}
	}
	return n
}

// PlanBulk says what ch would do to each variant of merchantID's listings
// ids, and what stands in the way, without writing anything.
func (c *Catalog) PlanBulk(ctx context.Context, merchantID string, ids []string, ch BulkChange) (BulkPlan, error) {
	b, err := c.newBulk(ctx, merchantID, ids, ch, nil)
	if err != nil {
		return BulkPlan{}, err
	}
	err = c.db.View(func(txn *badger.Txn) error { return b.run(txn) })
	return b.plan, err
}

// ApplyBulk applies ch to every variant of merchantID's listings ids in
// one transaction, signing a new stock record or description for each
// listing that changes. When any listing or variant cannot change (too
// few units to take, a listing gone, or, with versions, a description
// whose version is no longer the one reviewed) nothing is written, and
// the plan names every problem with an error matching ErrInvalid. The
// plan is returned in every case.
func (c *Catalog) ApplyBulk(ctx context.Context, merchantID string, ids []string, ch BulkChange, versions map[string]uint64) (BulkPlan, error) {
	b, err := c.newBulk(ctx, merchantID, ids, ch, versions)
	if err != nil {
		return BulkPlan{}, err
	}
	err = c.write(func(txn *badger.Txn) ([]*draft, error) {
		if err := b.run(txn); err != nil {
			return nil, err
		}
		if n := b.plan.Problems(); n > 0 {
			return nil, fmt.Errorf("%w: %d of the bulk change's listings and variants cannot change; nothing was changed", ErrInvalid, n)
		}
		return b.drafts, nil
	})
	return b.plan, err
}

// bulk is one bulk change on its way through a transaction.
type bulk struct {
	c        *Catalog
	cfg      Config
	merchant string
	name     string // the merchant's name, signed with a new description
	ids      []string
	ch       BulkChange
	versions map[string]uint64

	plan   BulkPlan
	drafts []*draft
}

// newBulk checks the change and the ids.
func (c *Catalog) newBulk(ctx context.Context, merchantID string, ids []string, ch BulkChange, versions map[string]uint64) (*bulk, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := c.config()
	if err := ch.validate(cfg); err != nil {
		return nil, err
	}
	var unique []string
	for _, id := range ids {
		if !slices.Contains(unique, id) {
			unique = append(unique, id)
		}
	}
	if len(unique) == 0 || len(unique) > MaxBulkListings {
		return nil, &ValidationError{Errors: []FieldError{{Field: "ids", Message: fmt.Sprintf("must name 1 to %d listings, not %d", MaxBulkListings, len(unique))}}}
	}
	m, err := c.Merchant(ctx, merchantID)
	if err != nil {
		return nil, err
	}
	return &bulk{c: c, cfg: cfg, merchant: merchantID, name: m.Name, ids: unique, ch: ch, versions: versions}, nil
}

// run plans the change over txn and builds the drafts that make it.
func (b *bulk) run(txn *badger.Txn) error {
	b.plan, b.drafts = BulkPlan{Change: b.ch}, nil
	for _, id := range b.ids {
		d, err := b.c.loadOwned(txn, b.merchant, id)
		if isNotFound(err) {
			b.plan.Listings = append(b.plan.Listings, BulkListing{ID: id, Problem: "is not one of your live listings (taken down, or never yours)"})
			continue
		}
		if err != nil {
			return err
		}
		bl := BulkListing{ID: id, Title: d.desc.Title, Version: d.prevL.version}
		if v, ok := b.versions[id]; b.versions != nil && (!ok || v != bl.Version) {
			bl.Problem = "was changed since you reviewed it; review the change again"
		}
		if err := b.listing(d, &bl); err != nil {
			return err
		}
		b.plan.Listings = append(b.plan.Listings, bl)
	}
	return nil
}

// listing plans one listing and, when nothing stands in its way, adds
// the draft that changes it.
func (b *bulk) listing(d *draft, bl *BulkListing) error {
	ok := bl.Problem == ""
	for _, v := range d.desc.Variants {
		bv := BulkVariant{SKU: v.SKU}
		if b.ch.Stock() {
			bv.Before = d.stock[v.SKU]
		} else {
			bv.Before = v.Price.Amount
		}
		bv.After, bv.Problem = b.apply(bv.Before)
		ok = ok && bv.Problem == ""
		bl.Variants = append(bl.Variants, bv)
	}
	if !ok {
		return nil
	}
	if b.ch.Stock() {
		next := maps.Clone(d.stock)
		for _, bv := range bl.Variants {
			next[bv.SKU] = bv.After
		}
		if sum := stockDigest(next); sum != d.prevS.sum {
			d.stock, d.stockSum, d.signStock = next, sum, true
			b.drafts = append(b.drafts, d)
		}
		return nil
	}
	in := d.desc.input()
	in.Variants = slices.Clone(in.Variants)
	for i := range in.Variants {
		in.Variants[i].Price.Amount = bl.Variants[i].After
		in.Variants[i].Stock = d.stock[in.Variants[i].SKU]
	}
	p, errs := b.c.prepare(b.merchant, b.name, in)
	if errs != nil {
		msgs := make([]string, len(errs))
		for i, fe := range errs {
			msgs[i] = strings.TrimPrefix(fe.Field+": "+fe.Message, ": ")
		}
		bl.Problem = "cannot be signed with the new prices: " + strings.Join(msgs, "; ")
		return nil
	}
	d.update(b.c.self, p)
	if d.changed() {
		b.drafts = append(b.drafts, d)
	}
	return nil
}

// apply computes a variant's new value from before, or says why it
// cannot have one.
func (b *bulk) apply(before int64) (int64, string) {
	switch b.ch.Op {
	case BulkSetStock, BulkSetPrice:
		return b.ch.Amount, ""
	case BulkAddStock:
		after := before + b.ch.Amount
		switch {
		case after < 0:
			return before, fmt.Sprintf("only %d in stock, so %d cannot be taken", before, -b.ch.Amount)
		case after > b.cfg.MaxStock:
			return before, fmt.Sprintf("would hold %d units, more than the %d allowed", after, b.cfg.MaxStock)
		}
		return after, ""
	}
	after, ok := percentOf(before, b.ch.Amount)
	switch {
	case !ok:
		return before, "the new price would be too large"
	case after < 1:
		return before, "the new price would be less than the currency's smallest unit"
	}
	return after, ""
}

// percentOf is amount changed by bps basis points, rounded half up, and
// false when it does not fit an int64. amount > 0 and bps > -10000.
func percentOf(amount, bps int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(amount), uint64(10_000+bps))
	lo, carry := bits.Add64(lo, 5_000, 0)
	hi += carry
	if hi >= 10_000 {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, 10_000)
	if q > math.MaxInt64 {
		return 0, false
	}
	return int64(q), true
}
