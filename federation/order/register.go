package order

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// The register is every part this node knows as the operator follows
// them: the parts of orders shoppers placed on this storefront (whatever
// their home), and the parts this node's merchants received from any
// storefront. A part both sold and homed here is listed once, as its
// home keeps it (the authority on its status). Home parts that never
// became orders (holds not confirmed yet, expired or released) are not
// listed; a storefront's part waiting for its home's answer is, as
// reserved.
//
// Parts are listed newest first, by the time their order was placed
// (storefront) or their reserve arrived (home). A walk reads the keys of
// both order indexes (o/sorders/, o/hmerch/: their time is in the key,
// so a date range costs no value reads) and then loads only the orders
// and parts in range, until the page is full: an operator's page, not a
// shopper's, whose cost grows with the orders the node holds.

// Roles a member plays in a part.
const (
	RoleStorefront = "storefront" // it sold the part
	RoleHome       = "home"       // its merchant fulfils it
)

// PartRecord is one part in the register.
type PartRecord struct {
	Part       string `json:"part_id"`
	Order      string `json:"order_id"`
	Storefront string `json:"storefront"` // peer ID of the member that sold it
	Home       string `json:"home"`       // peer ID of the merchant's home
	Merchant   string `json:"merchant"`   // the merchant's id on its home
	Status     string `json:"status"`
	// Title is the first line's title, Listing its listing id; Lines
	// counts the lines and Units the units of them all.
	Title     string    `json:"title"`
	Listing   string    `json:"listing_id"`
	Lines     int       `json:"lines"`
	Units     int64     `json:"units"`
	Total     Money     `json:"total"`
	Refunded  Money     `json:"refunded,omitzero"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PartFilter narrows the register. Zero fields match everything.
type PartFilter struct {
	// Status is the part's status (StatusReserved and the others).
	Status string
	// Member is a member's peer ID, in the Role given: RoleStorefront,
	// RoleHome, or "" for either.
	Member, Role string
	// Merchant is a merchant's id on its home.
	Merchant string
	// From and Until bound CreatedAt: From <= CreatedAt < Until.
	From, Until time.Time
}

// Validate names the first bad field.
func (f PartFilter) Validate() error {
	var errs FieldErrors
	if f.Status != "" && !knownStatus(f.Status) {
		errs.add("status", "must be one of reserved, accepted, shipped, delivered, cancelled, refunded, rejected")
	}
	if f.Role != "" && f.Role != RoleStorefront && f.Role != RoleHome {
		errs.add("role", `must be "storefront" or "home"`)
	}
	if !f.From.IsZero() && !f.Until.IsZero() && !f.From.Before(f.Until) {
		errs.add("until", "must be after from")
	}
	return errs.err()
}

// matches reports whether r passes f.
func (f PartFilter) matches(r *PartRecord) bool {
	switch {
	case f.Status != "" && r.Status != f.Status,
		f.Merchant != "" && r.Merchant != f.Merchant,
		!f.From.IsZero() && r.CreatedAt.Before(f.From),
		!f.Until.IsZero() && !r.CreatedAt.Before(f.Until):
		return false
	}
	switch f.Role {
	case RoleStorefront:
		return f.Member == "" || r.Storefront == f.Member
	case RoleHome:
		return f.Member == "" || r.Home == f.Member
	}
	return f.Member == "" || r.Storefront == f.Member || r.Home == f.Member
}

// inRange reports whether a time key (ns) lies within f's dates.
func (f PartFilter) inRange(ns int64) bool {
	return (f.From.IsZero() || ns >= f.From.UnixNano()) && (f.Until.IsZero() || ns < f.Until.UnixNano())
}

// Parts pages through the register, newest first, as f narrows it: at
// most limit parts after cursor ("" for the first page), and the cursor
// of the next page ("" after the last).
func (s *Service) Parts(ctx context.Context, f PartFilter, cursor string, limit int) ([]PartRecord, string, error) {
	if limit <= 0 {
		return nil, "", fmt.Errorf("%w: limit: must be positive", ErrInvalid)
	}
	var out []PartRecord
	more := false
	err := s.walkParts(ctx, f, cursor, func(r PartRecord) bool {
		if len(out) == limit {
			more = true
			return false
		}
		out = append(out, r)
		return true
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		next = partCursor(out[len(out)-1])
	}
	return out, next, nil
}

// EachPart calls fn with every part f matches, newest first, until fn
// returns an error, which EachPart returns.
func (s *Service) EachPart(ctx context.Context, f PartFilter, fn func(PartRecord) error) error {
	var ferr error
	err := s.walkParts(ctx, f, "", func(r PartRecord) bool {
		ferr = fn(r)
		return ferr == nil
	})
	if err != nil {
		return err
	}
	return ferr
}

// PartTotals sums the parts a filter matches.
type PartTotals struct {
	// Parts and Orders count the parts and their distinct orders.
	Parts, Orders int
	// ByStatus counts the parts in each status.
	ByStatus map[string]int
	// Sales sums the totals of the parts sold: accepted, shipped,
	// delivered or refunded (a cancelled or rejected part was never
	// paid for in the end); Refunds what was refunded of them. One
	// entry per currency, by code.
	Sales, Refunds []Money
}

// Totals sums the parts f matches.
func (s *Service) Totals(ctx context.Context, f PartFilter) (PartTotals, error) {
	t := PartTotals{ByStatus: map[string]int{}}
	orders := map[string]bool{}
	sales, refunds := map[string]int64{}, map[string]int64{}
	err := s.walkParts(ctx, f, "", func(r PartRecord) bool {
		t.Parts++
		t.ByStatus[r.Status]++
		orders[r.Order] = true
		switch r.Status {
		case StatusAccepted, StatusShipped, StatusDelivered, StatusRefunded:
			sales[r.Total.Currency] += r.Total.Amount
		}
		if r.Refunded.Amount != 0 {
			refunds[r.Refunded.Currency] += r.Refunded.Amount
		}
		return true
	})
	t.Orders, t.Sales, t.Refunds = len(orders), moneyList(sales), moneyList(refunds)
	return t, err
}

// moneyList lists amounts by currency code.
func moneyList(m map[string]int64) []Money {
	out := make([]Money, 0, len(m))
	for c, a := range m {
		out = append(out, Money{Amount: a, Currency: c})
	}
	slices.SortFunc(out, func(a, b Money) int { return cmp.Compare(a.Currency, b.Currency) })
	return out
}

// partRef is one key of an order index: a storefront order or a home
// part, at the time in its key.
type partRef struct {
	at   int64 // Unix ns
	home bool  // a home part (id is a part), else a storefront order
	id   string
}

// partCursor is where a page ends: "<time key>/<part id>".
func partCursor(r PartRecord) string { return timeKey(r.CreatedAt) + "/" + r.Part }

// parseCursor reads a cursor; "" starts at the newest part.
func parseCursor(c string) (at int64, part string, err error) {
	if c == "" {
		return 0, "", nil
	}
	t, part, ok := strings.Cut(c, "/")
	at, perr := strconv.ParseInt(t, 10, 64)
	if !ok || len(t) != 20 || perr != nil || part == "" {
		return 0, "", FieldErrors{{Field: "cursor", Message: fmt.Sprintf("%q is not a cursor this list gave", clipText(c))}}
	}
	return at, part, nil
}

// walkParts calls fn with every part f matches, newest first (by time,
// then by part id, both descending), after cursor, until fn returns
// false.
func (s *Service) walkParts(ctx context.Context, f PartFilter, cursor string, fn func(PartRecord) bool) error {
	if err := f.Validate(); err != nil {
		return err
	}
	after, afterPart, err := parseCursor(cursor)
	if err != nil {
		return err
	}
	return s.db.View(func(txn *badger.Txn) error {
		refs := s.partRefs(txn, f, after)
		for i := 0; i < len(refs); {
			if err := ctx.Err(); err != nil {
				return err
			}
			// The parts of refs of one time, sorted by part id.
			j := i
			var batch []PartRecord
			for ; j < len(refs) && refs[j].at == refs[i].at; j++ {
				recs, err := s.recordsOf(txn, refs[j])
				if err != nil {
					return err
				}
				batch = append(batch, recs...)
			}
			i = j
			slices.SortFunc(batch, func(a, b PartRecord) int { return cmp.Compare(b.Part, a.Part) })
			for _, r := range batch {
				if afterPart != "" && r.CreatedAt.UnixNano() == after && r.Part >= afterPart {
					continue
				}
				if f.matches(&r) && !fn(r) {
					return nil
				}
			}
		}
		return nil
	})
}

// partRefs lists the index keys within f's dates and, when a cursor is
// given, at or before its time, newest first. A merchant filter reads
// only that merchant's home parts.
func (s *Service) partRefs(txn *badger.Txn, f PartFilter, before int64) []partRef {
	var refs []partRef
	add := func(home bool) func(string) {
		return func(k string) {
			// .../<time>/<id>
			parts := strings.Split(k, "/")
			if len(parts) < 2 {
				return
			}
			at, err := strconv.ParseInt(parts[len(parts)-2], 10, 64)
			if err != nil || !f.inRange(at) || (before != 0 && at > before) {
				return
			}
			refs = append(refs, partRef{at: at, home: home, id: parts[len(parts)-1]})
		}
	}
	// Orders placed here were sold by this node; parts homed here are
	// this node's merchants': another member is only ever the other side.
	other := f.Member != "" && f.Member != s.self
	if !(other && f.Role == RoleStorefront) {
		eachKey(txn, prefixShopOrder, add(false))
	}
	if !(other && f.Role == RoleHome) {
		home := prefixMerchant
		if f.Merchant != "" {
			home += f.Merchant + "/"
		}
		eachKey(txn, home, add(true))
	}
	slices.SortFunc(refs, func(a, b partRef) int {
		return cmp.Or(cmp.Compare(b.at, a.at), cmp.Compare(b.id, a.id))
	})
	return refs
}

// recordsOf loads the parts one index key stands for: a home part that
// became an order, or a storefront order's parts, less those homed here
// that the home record lists.
func (s *Service) recordsOf(txn *badger.Txn, ref partRef) ([]PartRecord, error) {
	if ref.home {
		p, err := loadHome(txn, ref.id)
		if err != nil || !listedHome(p) {
			return nil, ignoreNotFound(err)
		}
		return []PartRecord{homeRecord(p, s.self)}, nil
	}
	o, err := loadOrder(txn, ref.id)
	if err != nil {
		return nil, ignoreNotFound(err)
	}
	var out []PartRecord
	for _, p := range o.Parts {
		if p.Platform == s.self {
			h, err := loadHome(txn, p.ID)
			if err != nil && !isNotFound(err) {
				return nil, err
			}
			if h != nil && listedHome(h) {
				continue
			}
		}
		out = append(out, shopRecord(o, &p, s.self))
	}
	return out, nil
}

// listedHome reports whether a home part is in the register: it became
// an order (a hold not confirmed yet, expired or released did not).
func listedHome(p *HomePart) bool { return knownStatus(p.Status) && p.Status != StatusReserved }

func homeRecord(p *HomePart, self string) PartRecord {
	r := PartRecord{Part: p.ID, Order: p.Order, Storefront: p.Storefront, Home: self, Merchant: p.Merchant, Status: p.Status,
		Total: p.Total, Refunded: p.Refunded, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	r.Title, r.Listing, r.Lines, r.Units = linesOf(p.Lines)
	return r
}

func shopRecord(o *Order, p *Part, self string) PartRecord {
	r := PartRecord{Part: p.ID, Order: o.ID, Storefront: self, Home: p.Platform, Merchant: p.Merchant, Status: p.Status,
		Total: p.Total, Refunded: p.Refunded, CreatedAt: o.CreatedAt, UpdatedAt: p.UpdatedAt}
	r.Title, r.Listing, r.Lines, r.Units = linesOf(p.Items)
	return r
}

// linesOf sums a part's lines: the first's title and listing, how many
// lines and units.
func linesOf(lines []Line) (title, listing string, n int, units int64) {
	if len(lines) > 0 {
		title, listing = lines[0].Title, lines[0].ListingID
	}
	for _, l := range lines {
		units += l.Quantity
	}
	return title, listing, len(lines), units
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// ignoreNotFound is nil for ErrNotFound (a part pruned or an order
// forgotten between reading its key and its value), err otherwise.
func ignoreNotFound(err error) error {
	if isNotFound(err) {
		return nil
	}
	return err
}

// clipText shortens text quoted in an error.
func clipText(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
