package order

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"golang.org/x/time/rate"
)

// budgets cap what another member's storefront can make this home node
// do with its stock: how many reserves per second it may send, how many
// parts and units it may hold unconfirmed at once, and how many of its
// holds may expire unconfirmed in an hour (a storefront that lets holds
// expire and reserves again would otherwise keep stock locked for ever).
// A request over budget is refused with CodeBudget, which the sender may
// retry later; nothing is held. The counts live in memory, rebuilt from
// the holds at start; two reserves racing for the last slot may both get
// in, which bounds the excess by the concurrency.
type budgets struct {
	cfg Config

	mu      sync.Mutex // guards the maps
	limits  map[string]*rate.Limiter
	held    map[string]holding
	expired map[string]expiries
}

// holding is what one storefront holds unconfirmed.
type holding struct{ parts, units int64 }

// expiries counts one storefront's expired holds in the current hour.
type expiries struct {
	since time.Time
	n     int
}

func newBudgets(cfg Config) *budgets {
	return &budgets{cfg: cfg, limits: map[string]*rate.Limiter{}, held: map[string]holding{}, expired: map[string]expiries{}}
}

// admit checks a reserve of units from storefront against its budgets.
func (b *budgets) admit(storefront string, units int64, now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.limits[storefront]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(b.cfg.ReserveRate), b.cfg.ReserveBurst)
		b.limits[storefront] = l
	}
	h, e := b.held[storefront], b.expired[storefront]
	switch {
	case !l.AllowN(now, 1):
		return fmt.Errorf("%w: more than %d reserves per second", ErrBudget, b.cfg.ReserveRate)
	case h.parts+1 > b.cfg.MaxHolds:
		return fmt.Errorf("%w: %d unconfirmed holds already, the most one storefront may have", ErrBudget, h.parts)
	case h.units+units > b.cfg.MaxHeldUnits:
		return fmt.Errorf("%w: %d units held unconfirmed already; %d more would pass %d", ErrBudget, h.units, units, b.cfg.MaxHeldUnits)
	case now.Sub(e.since) < time.Hour && e.n >= b.cfg.MaxExpiredPerHour:
		return fmt.Errorf("%w: %d holds expired unconfirmed in the last hour", ErrBudget, e.n)
	}
	return nil
}

// admitNote checks a conversation note from member against the same
// per-member rate its reserves answer to.
func (b *budgets) admitNote(member string, now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	l := b.limits[member]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(b.cfg.ReserveRate), b.cfg.ReserveBurst)
		b.limits[member] = l
	}
	if !l.AllowN(now, 1) {
		return fmt.Errorf("%w: more than %d requests per second", ErrBudget, b.cfg.ReserveRate)
	}
	return nil
}

// hold adds (sign 1) or removes (sign -1) a storefront's unconfirmed part.
func (b *budgets) hold(storefront string, units int64, sign int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.held[storefront]
	h.parts, h.units = h.parts+sign, h.units+sign*units
	if h.parts <= 0 {
		delete(b.held, storefront)
		return
	}
	b.held[storefront] = h
}

// expire counts a storefront's hold that expired unconfirmed.
func (b *budgets) expire(storefront string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.expired[storefront]
	if now.Sub(e.since) >= time.Hour {
		e = expiries{since: now}
	}
	e.n++
	b.expired[storefront] = e
}

// units is the number of units a part's lines hold.
func (p *HomePart) units() int64 {
	var n int64
	for _, l := range p.Lines {
		n += l.Quantity
	}
	return n
}

// budgeted reports whether a storefront's holds count against a budget:
// this node's own storefront answers to its own shoppers' limits.
func (s *Service) budgeted(storefront string) bool { return storefront != s.self }

// countHolds rebuilds the budgets from the holds at start.
func (s *Service) countHolds(ctx context.Context) error {
	return s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixHold, "", 0) {
			if err := ctx.Err(); err != nil {
				return err
			}
			p, err := loadHome(txn, k[strings.LastIndexByte(k, '/')+1:])
			if err != nil || p.Status != StatusReserved || !s.budgeted(p.Storefront) {
				continue
			}
			s.budget.hold(p.Storefront, p.units(), 1)
		}
		return nil
	})
}

// holdChanged keeps the budgets as a part enters or leaves the reserved
// state.
func (s *Service) holdChanged(before, after *HomePart) {
	if !s.budgeted(after.Storefront) {
		return
	}
	switch {
	case before == nil && after.Status == StatusReserved:
		s.budget.hold(after.Storefront, after.units(), 1)
	case before != nil && before.Status == StatusReserved && after.Status != StatusReserved:
		s.budget.hold(after.Storefront, after.units(), -1)
		if after.Status == statusExpired {
			s.budget.expire(after.Storefront, s.now())
		}
	}
}
