package order

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/fedmart/fedmart/catalog/shipping"
)

// A merchant's measured record is what this storefront saw of the parts
// it placed with the merchant, read from the home's signed statuses it
// holds itself: how many shipped within the handling time the part was
// sold with, how many the merchant cancelled (refunded whole before
// shipping), and how fast and how often it answered and settled the
// shoppers' issues. Nothing another member says about the merchant goes
// into it, so no member can make a storefront show a better record.
//
// It is kept small and incremental: one entry per part, written in the
// transaction that applies the status that changed it, under the
// merchant's id, so a merchant's record reads its own parts and nothing
// else (no hot counter that every checkout would contend for).
//
//	o/mrec/<platform>.<merchant>/<part>   a part's facts (partFacts)
//	o/mrecbuilt                           the entries hold every order (set once, by the first Run)
const (
	prefixRecord  = "o/mrec/"
	keyRecordDone = "o/mrecbuilt"
)

// RecordMinOrders is the fewest accepted parts a merchant's record is
// shown with: under it, a share says more about chance than about the
// merchant.
const RecordMinOrders = 10

// recordTTL is how long a computed record is served before it is read
// again. A status that changes one of the merchant's parts makes it
// stale: it is read again once it is recordFresh old, so that a busy
// merchant's record is read at most that often however many statuses
// come (reading it decodes every part's facts).
const (
	recordTTL   = 30 * time.Second
	recordFresh = 2 * time.Second
)

// partFacts are what a part tells of its merchant's record.
type partFacts struct {
	// Status is the part's state as last folded.
	Status string `json:"status"`
	// Handling is the business days the part was sold with, -1 when the
	// part holds none (placed before parts kept it).
	Handling int `json:"handling"`
	// AcceptedAt and ShippedAt are the signed times of the home's
	// accepted and shipped statuses (ShippedAt: the delivered status's
	// when no shipped one came).
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	ShippedAt  time.Time `json:"shipped_at,omitzero"`
	// Cancelled: the home refunded the whole part before it shipped.
	Cancelled bool `json:"cancelled,omitempty"`
	// Issues, Answered and Resolved count the part's issues the home
	// stated, those the merchant answered and those resolved by
	// agreement or decision; ResponseSeconds sums the answered ones'
	// first-response times.
	Issues          int   `json:"issues,omitempty"`
	Answered        int   `json:"answered,omitempty"`
	Resolved        int   `json:"resolved,omitempty"`
	ResponseSeconds int64 `json:"response_seconds,omitempty"`
}

// MerchantRecord is a merchant's measured record on this storefront.
type MerchantRecord struct {
	// Merchant is the global merchant id ("<platform>.<merchant>").
	Merchant string `json:"merchant"`
	// Orders counts the merchant's parts the home accepted through this
	// storefront; Enough reports whether it reaches RecordMinOrders.
	Orders int  `json:"orders"`
	Enough bool `json:"enough"`
	// Due counts the parts that shipped, or should have by now, with a
	// known handling time; OnTime those shipped within it.
	Due         int     `json:"due"`
	OnTime      int     `json:"on_time"`
	OnTimeShare float64 `json:"on_time_share"`
	// Cancelled counts the accepted parts the merchant cancelled;
	// CancelRate is Cancelled / Orders.
	Cancelled  int     `json:"cancelled"`
	CancelRate float64 `json:"cancel_rate"`
	// Issues counts the shoppers' issues with those parts; Answered
	// those the merchant answered, in ResponseAverage seconds on average
	// (0 with none answered); Resolved those resolved, ResolutionRate
	// Resolved / Issues.
	Issues          int     `json:"issues"`
	Answered        int     `json:"answered"`
	ResponseAverage int64   `json:"response_average_seconds"`
	Resolved        int     `json:"resolved"`
	ResolutionRate  float64 `json:"resolution_rate"`
}

// recordCache keeps computed records.
type recordCache struct {
	mu sync.Mutex // guards at
	at map[string]cachedRecord
}

type cachedRecord struct {
	r     MerchantRecord
	read  time.Time
	stale bool
}

func (c *recordCache) get(id string, now time.Time) (MerchantRecord, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.at[id]
	age := now.Sub(e.read)
	return e.r, ok && age >= 0 && age < recordTTL && (!e.stale || age < recordFresh)
}

func (c *recordCache) put(r MerchantRecord, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at == nil || len(c.at) > 10000 { // a bound on what strangers' queries can grow
		c.at = map[string]cachedRecord{}
	}
	c.at[r.Merchant] = cachedRecord{r: r, read: now}
}

// stale marks a merchant's record as changed since it was read.
func (c *recordCache) stale(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.at[id]; ok {
		e.stale = true
		c.at[id] = e
	}
}

// drop forgets a merchant's record.
func (c *recordCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.at, id)
}

func recordPrefix(platform, merchant string) string {
	return prefixRecord + platform + "." + merchant + "/"
}

// factsOf derives a part's facts from the part as folded and the facts
// before (which keep the times of statuses already applied), with status
// message m just applied to it (nil in a rebuild, which passes every
// status in turn).
func factsOf(prev partFacts, p *Part, m *Message) partFacts {
	f := prev
	f.Status, f.Handling = p.Status, -1
	if p.Handling != nil {
		f.Handling = *p.Handling
	}
	if m != nil && m.Status != nil {
		at := m.At.UTC()
		switch m.Status.Status {
		case StatusAccepted:
			if f.AcceptedAt.IsZero() || at.Before(f.AcceptedAt) {
				f.AcceptedAt = at
			}
		case StatusShipped, StatusDelivered:
			if f.ShippedAt.IsZero() || m.Status.Status == StatusShipped && at.Before(f.ShippedAt) {
				f.ShippedAt = at
			}
		}
	}
	// The merchant cancels by refunding a part whole before it ships;
	// a shopper's cancellation is a cancel message of the storefront.
	f.Cancelled = p.Status == StatusRefunded && f.ShippedAt.IsZero() && p.Carrier == ""
	f.Issues, f.Answered, f.Resolved, f.ResponseSeconds = 0, 0, 0, 0
	for _, i := range p.Issues {
		if i.Seq == 0 {
			continue
		}
		f.Issues++
		if !i.FirstResponseAt.IsZero() {
			f.Answered++
			f.ResponseSeconds += int64(max(i.FirstResponseAt.Sub(i.OpenedAt), 0).Seconds())
		}
		if i.State == IssueResolved || i.State == IssueDecided {
			f.Resolved++
		}
	}
	return f
}

// noteRecord updates the facts of part p after status m was applied to
// it, in the transaction that applies it.
func (s *Service) noteRecord(txn *badger.Txn, p *Part, m *Message) error {
	key := recordPrefix(p.Platform, p.Merchant) + p.ID
	var prev partFacts
	if _, err := getJSON(txn, key, &prev); err != nil {
		return err
	}
	f := factsOf(prev, p, m)
	if f == prev {
		return nil
	}
	s.records.stale(p.Platform + "." + p.Merchant)
	return putJSON(txn, key, f)
}

// MerchantRecord returns the measured record of merchant (of platform)
// from the parts this storefront placed with it.
func (s *Service) MerchantRecord(ctx context.Context, platform, merchant string) (MerchantRecord, error) {
	id := platform + "." + merchant
	now := s.now()
	if r, ok := s.records.get(id, now); ok {
		return r, nil
	}
	r := MerchantRecord{Merchant: id}
	var waited int64
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(recordPrefix(platform, merchant))
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var f partFacts
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &f) }); err != nil {
				return err
			}
			waited += r.count(f, now)
		}
		return nil
	})
	if err != nil {
		return MerchantRecord{}, err
	}
	r.Enough = r.Orders >= RecordMinOrders
	r.OnTimeShare, r.CancelRate, r.ResolutionRate = share(r.OnTime, r.Due), share(r.Cancelled, r.Orders), share(r.Resolved, r.Issues)
	if r.Answered > 0 {
		r.ResponseAverage = waited / int64(r.Answered)
	}
	s.records.put(r, now)
	return r, nil
}

// count adds a part's facts to r and returns its issues' response
// seconds. A part counts once the home accepted it; it is due once it
// shipped or its handling time ran out unshipped and uncancelled.
func (r *MerchantRecord) count(f partFacts, now time.Time) int64 {
	if f.AcceptedAt.IsZero() {
		return 0
	}
	r.Orders++
	if f.Cancelled {
		r.Cancelled++
	}
	if f.Handling >= 0 {
		by := shipBy(f.AcceptedAt, f.Handling)
		switch {
		case !f.ShippedAt.IsZero():
			r.Due++
			if !f.ShippedAt.After(by) {
				r.OnTime++
			}
		case f.Status == StatusAccepted && now.After(by):
			r.Due++
		}
	}
	r.Issues += f.Issues
	r.Answered += f.Answered
	r.Resolved += f.Resolved
	return f.ResponseSeconds
}

// shipBy is the end of the last business day of handling after a part
// was accepted at: handling 0 is the same (business) day.
func shipBy(accepted time.Time, handling int) time.Time {
	y, m, d := accepted.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return shipping.AddBusinessDays(day, handling).Add(24*time.Hour - time.Nanosecond)
}

// buildRecords writes the facts of every order held before the
// measured record was kept, once: an order at a time, each in its own
// transaction (a status applied meanwhile conflicts and the order is
// read again).
func (s *Service) buildRecords(ctx context.Context) error {
	var done bool
	if err := s.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get([]byte(keyRecordDone))
		done = err == nil
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		return err
	}); err != nil || done {
		return err
	}
	var ids []string
	if err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixOrder, "", 0) {
			ids = append(ids, strings.TrimPrefix(k, prefixOrder))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil
		}
		for {
			err := s.db.Update(func(txn *badger.Txn) error { return s.buildOrderRecord(txn, id) })
			if !errors.Is(err, badger.ErrConflict) {
				if err != nil {
					return err
				}
				break
			}
		}
	}
	return s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(keyRecordDone), nil) })
}

// buildOrderRecord writes the facts of one order's parts from the home's
// statuses the storefront holds.
func (s *Service) buildOrderRecord(txn *badger.Txn, id string) error {
	o, err := loadOrder(txn, id)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	for i := range o.Parts {
		p := &o.Parts[i]
		f := partFacts{}
		for _, k := range keys(txn, prefixMessages+p.ID+"/", "", 0) {
			raw, err := getRaw(txn, k)
			if err != nil {
				return err
			}
			if m, err := DecodeMessage(raw); err == nil && m.From == p.Platform && m.Kind == KindStatus {
				f = factsOf(f, p, m)
			}
		}
		f = factsOf(f, p, nil)
		s.records.drop(p.Platform + "." + p.Merchant)
		if err := putJSON(txn, recordPrefix(p.Platform, p.Merchant)+p.ID, f); err != nil {
			return err
		}
	}
	return nil
}
