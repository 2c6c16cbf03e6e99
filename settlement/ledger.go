package settlement

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Badger keys, all under the package prefix "s/".
const (
	prefixEvent     = "s/ev/" // + event key -> event digest
	prefixEventRec  = "s/er/" // + event key -> the Event (JSON)
	prefixEntryEv   = "s/ee/" // + entry id -> key of the event that produced it
	prefixPart      = "s/pt/" // + part id -> part record (JSON)
	prefixEntry     = "s/e/"  // + period/counterparty/id -> canonical entry
	prefixEntryID   = "s/i/"  // + id -> period/counterparty
	prefixPeriod    = "s/p/"  // + period -> PeriodInfo (JSON)
	prefixBalance   = "s/b/"  // + currency/account -> int64
	prefixJournal   = "s/j/"  // + event key -> local postings (JSON)
	prefixStatement = "s/st/" // + period/counterparty -> Statement (JSON)
)

// maxPeriodHops bounds the search for an open period after closed ones.
const maxPeriodHops = 100000

// PolicyLookup returns the policy published under a version, as the charter
// holds it, and whether that version exists.
type PolicyLookup func(version uint64) (Policy, bool)

// PeriodInfo is what the ledger knows about one period.
type PeriodInfo struct {
	// Name is the period name.
	Name string `json:"name"`
	// Closed is true once ClosePeriod ran; no entry is posted into it after.
	Closed bool `json:"closed"`
	// ClosedAt is when the period was closed.
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

// Ledger is one node's settlement ledger: the entries in which the node is
// payer or payee, its double-entry balances, the parts' settlement state
// and which periods are closed. All state lives in Badger under "s/".
type Ledger struct {
	db       *badger.DB
	self     string
	policies PolicyLookup
	log      *slog.Logger
	now      func() time.Time

	// mu serializes the writers (Post, ClosePeriod, SaveStatement), so the
	// read-modify-write of balances and part records never races and
	// Badger never aborts a ledger transaction on a conflict. Readers use
	// Badger snapshots and do not take it.
	mu sync.Mutex
}

// Open returns the ledger of node self kept in db. policies resolves an
// event's policy version; log may be nil; now defaults to time.Now.
func Open(db *badger.DB, self string, policies PolicyLookup, log *slog.Logger, now func() time.Time) (*Ledger, error) {
	switch {
	case db == nil:
		return nil, fmt.Errorf("%w: settlement.Open: nil database", ErrInvalid)
	case policies == nil:
		return nil, fmt.Errorf("%w: settlement.Open: nil policy lookup", ErrInvalid)
	case !validPeer(self):
		return nil, fmt.Errorf("%w: settlement.Open: self %q is not a peer id", ErrInvalid, self)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Ledger{db: db, self: self, policies: policies, log: log, now: now}, nil
}

// Self returns the peer ID the ledger keeps books for.
func (l *Ledger) Self() string { return l.self }

// Post folds an event into the ledger and stores the entries it causes in
// which this node is payer or payee (the treasury is payee of fees). It
// returns the entries this call created: none for a replayed event, for an
// event that causes no money movement yet, for a domestic sale (storefront =
// home) and for an event that concerns other members only. An event that
// contradicts an earlier one with the same part, kind and refund name, or
// an entry id that exists with other content, is an ErrConflict.
func (l *Ledger) Post(ctx context.Context, ev Event) ([]Entry, error) {
	return l.post(ctx, ev, nil)
}

// post is Post with pinned placements: an entry that pin selects goes to
// pin's period, closed or not, instead of where place would put it. Only
// reconciliation pins (see restore); Post pins nothing.
func (l *Ledger) post(ctx context.Context, ev Event, pin *pinning) ([]Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	pol, err := l.policy(ev.PolicyVersion)
	if err != nil {
		return nil, err
	}
	if ev.Gross.Currency != pol.Currency {
		return nil, fmt.Errorf("%w: event %s of part %q: gross %s, policy %d settles in %s",
			ErrCurrency, ev.Kind, ev.PartID, ev.Gross, pol.Version, pol.Currency)
	}
	if ev.Storefront == ev.Home || (l.self != ev.Storefront && l.self != ev.Home && l.self != pol.Treasury) {
		return nil, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var created []Entry
	err = l.db.Update(func(txn *badger.Txn) error {
		var err error
		created, err = l.postTxn(txn, ev, pol, pin)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, e := range created {
		l.log.Debug("settlement entry posted", "id", e.ID, "kind", e.Kind, "period", e.Period,
			"from", e.From, "to", e.To, "amount", e.Amount.String())
	}
	return created, nil
}

// policy resolves and validates a policy version.
func (l *Ledger) policy(version uint64) (Policy, error) {
	pol, ok := l.policies(version)
	if !ok {
		return Policy{}, fmt.Errorf("%w: %d", ErrUnknownPolicy, version)
	}
	if err := pol.Validate(); err != nil {
		return Policy{}, fmt.Errorf("policy version %d: %w", version, err)
	}
	return pol, nil
}

// postTxn is post inside one transaction: idempotency check, part fold,
// entry derivation and placement, balances, journal, and the event record
// that lets reconciliation find the event behind each entry.
func (l *Ledger) postTxn(txn *badger.Txn, ev Event, pol Policy, pin *pinning) ([]Entry, error) {
	key := ev.key()
	digest := ev.digest()
	switch seen, err := readValue(txn, []byte(prefixEvent+key)); {
	case err != nil:
		return nil, err
	case seen != nil && bytes.Equal(seen, digest[:]):
		return nil, nil
	case seen != nil:
		return nil, fmt.Errorf("%w: part %q: a different %s event was posted before", ErrConflict, ev.PartID, ev.Kind)
	}
	p, err := loadPart(txn, ev.PartID)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = newPart(ev)
	} else if err := p.consistent(ev); err != nil {
		return nil, err
	}
	effects, err := p.apply(ev, pol)
	if err != nil {
		return nil, err
	}
	created, journal, err := l.book(txn, effects, pol, pin)
	if err != nil {
		return nil, err
	}
	if err := saveEventRecord(txn, key, ev); err != nil {
		return nil, err
	}
	if err := l.saveJournal(txn, key, journal); err != nil {
		return nil, err
	}
	if err := p.save(txn, ev.PartID); err != nil {
		return nil, err
	}
	return created, txn.Set([]byte(prefixEvent+key), digest[:])
}

// book turns effects into stored entries and balance postings; it returns
// the created entries and the local journal lines. Each new entry is
// indexed to the event that produced it (for a refund that waited for the
// sale, the refund, not the event that made the sale payable).
func (l *Ledger) book(txn *badger.Txn, effects []effect, pol Policy, pin *pinning) ([]Entry, []posting, error) {
	var created []Entry
	var journal []posting
	for _, eff := range effects {
		entries := saleEntries(eff.ev, eff.split, pol.Treasury)
		if eff.reversal {
			entries = reversalEntries(eff.ev, eff.split, pol.Treasury)
		}
		period := ""
		for _, e := range entries {
			if e.From != l.self && e.To != l.self {
				continue
			}
			var pinned bool
			if e.Period, pinned = pin.periodOf(e, l.self); !pinned {
				if period == "" {
					p, err := l.place(txn, eff.ev.At, pol.Period)
					if err != nil {
						return nil, nil, err
					}
					period = p
				}
				e.Period = period
			}
			fresh, err := l.storeEntryOf(txn, e, eff.ev)
			if err != nil {
				return nil, nil, err
			}
			if fresh {
				created = append(created, e)
			}
		}
		journal = append(journal, localPostings(l.self, pol.Treasury, eff)...)
	}
	return created, journal, applyPostings(txn, journal)
}

// storeEntryOf stores e, caused by ev, and indexes a new e to ev.
func (l *Ledger) storeEntryOf(txn *badger.Txn, e Entry, ev Event) (bool, error) {
	fresh, err := l.storeEntry(txn, e)
	if err != nil || !fresh {
		return fresh, err
	}
	return true, txn.Set([]byte(prefixEntryEv+e.ID), []byte(ev.key()))
}

// place returns the period an entry stated at `at` belongs to: the period
// containing at, unless that one is closed; then the period containing now,
// or the first open period after it.
func (l *Ledger) place(txn *badger.Txn, at time.Time, length time.Duration) (string, error) {
	p := PeriodOf(at, length)
	info, err := l.periodInfo(txn, p.Name)
	if err != nil || !info.Closed {
		return p.Name, err
	}
	orig := p.Name
	if cur := PeriodOf(l.now(), length); cur.Start.After(p.Start) {
		p = cur
	}
	for range maxPeriodHops {
		if info, err = l.periodInfo(txn, p.Name); err != nil || !info.Closed {
			l.log.Info("settlement entry moved out of a closed period", "closed", orig, "to", p.Name)
			return p.Name, err
		}
		p = p.Next()
	}
	return "", fmt.Errorf("%w: no open period after %s", ErrInvalid, orig)
}

// storeEntry writes e (and its period record) unless it exists. It reports
// whether e is new; an existing id with other content is an ErrConflict.
func (l *Ledger) storeEntry(txn *badger.Txn, e Entry) (bool, error) {
	enc, _ := e.MarshalBinary()
	loc, err := readValue(txn, []byte(prefixEntryID+e.ID))
	if err != nil {
		return false, err
	}
	if loc != nil {
		old, err := readValue(txn, append([]byte(prefixEntry), loc...))
		if err != nil {
			return false, err
		}
		if !bytes.Equal(old, enc) {
			return false, fmt.Errorf("%w: entry %s exists with other content", ErrConflict, e.ID)
		}
		return false, nil
	}
	loc = []byte(e.Period + "/" + e.Counterparty(l.self) + "/" + e.ID)
	if err := txn.Set(append([]byte(prefixEntry), loc...), enc); err != nil {
		return false, err
	}
	if err := txn.Set([]byte(prefixEntryID+e.ID), loc); err != nil {
		return false, err
	}
	if err := l.ensurePeriod(txn, e.Period); err != nil {
		return false, err
	}
	lines := entryPostings(l.self, e)
	return true, applyPostings(txn, lines[:])
}

// saveJournal appends local postings to the event's journal record.
func (l *Ledger) saveJournal(txn *badger.Txn, key string, lines []posting) error {
	if len(lines) == 0 {
		return nil
	}
	b, err := json.Marshal(lines)
	if err != nil {
		return err
	}
	return txn.Set([]byte(prefixJournal+key), b)
}

// Entries calls fn for each entry of period with counterparty, in id order
// (with counterparty "", for every entry of the period, by counterparty
// then id). An error from fn stops the iteration and is returned.
func (l *Ledger) Entries(ctx context.Context, period, counterparty string, fn func(Entry) error) error {
	if _, err := parsePeriodName(period); err != nil {
		return err
	}
	prefix := prefixEntry + period + "/"
	if counterparty != "" {
		if !validPeer(counterparty) {
			return fmt.Errorf("%w: counterparty %q is not a peer id", ErrInvalid, counterparty)
		}
		prefix += counterparty + "/"
	}
	return l.db.View(func(txn *badger.Txn) error {
		return scan(ctx, txn, []byte(prefix), func(k, v []byte) error {
			var e Entry
			if err := e.UnmarshalBinary(v); err != nil {
				return fmt.Errorf("entry %q: %w", k, err)
			}
			return fn(e)
		})
	})
}

// ItemSet returns the reconciliation items of period with counterparty.
func (l *Ledger) ItemSet(ctx context.Context, period, counterparty string) (ItemSet, error) {
	if counterparty == "" {
		return nil, fmt.Errorf("%w: item set needs a counterparty", ErrInvalid)
	}
	var set ItemSet
	err := l.Entries(ctx, period, counterparty, func(e Entry) error {
		it, err := e.Item()
		set = append(set, it)
		return err
	})
	return set, err
}

// ClosePeriod closes a period: from now on, entries that belong to it are
// posted to the next open period instead. Closing is idempotent.
func (l *Ledger) ClosePeriod(ctx context.Context, name string) error {
	if _, err := parsePeriodName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.db.Update(func(txn *badger.Txn) error {
		info, err := l.periodInfo(txn, name)
		if err != nil || info.Closed {
			return err
		}
		info = PeriodInfo{Name: name, Closed: true, ClosedAt: l.now().UTC()}
		return putJSON(txn, []byte(prefixPeriod+name), info)
	})
}

// Periods lists the periods that have entries or were closed, by name
// (which is chronological for periods of equal length).
func (l *Ledger) Periods(ctx context.Context) ([]PeriodInfo, error) {
	var out []PeriodInfo
	err := l.db.View(func(txn *badger.Txn) error {
		return scan(ctx, txn, []byte(prefixPeriod), func(k, v []byte) error {
			var info PeriodInfo
			if err := json.Unmarshal(v, &info); err != nil {
				return fmt.Errorf("%w: period record %q: %v", ErrInvalid, k, err)
			}
			out = append(out, info)
			return nil
		})
	})
	return out, err
}

// periodInfo reads a period record; a period never seen is open.
func (l *Ledger) periodInfo(txn *badger.Txn, name string) (PeriodInfo, error) {
	v, err := readValue(txn, []byte(prefixPeriod+name))
	if err != nil || v == nil {
		return PeriodInfo{Name: name}, err
	}
	var info PeriodInfo
	if err := json.Unmarshal(v, &info); err != nil {
		return PeriodInfo{}, fmt.Errorf("%w: period record %q: %v", ErrInvalid, name, err)
	}
	return info, nil
}

// ensurePeriod records an open period the first time an entry lands in it.
func (l *Ledger) ensurePeriod(txn *badger.Txn, name string) error {
	v, err := readValue(txn, []byte(prefixPeriod+name))
	if err != nil || v != nil {
		return err
	}
	return putJSON(txn, []byte(prefixPeriod+name), PeriodInfo{Name: name})
}

// partKey is the key of a part record.
func partKey(id string) []byte { return []byte(prefixPart + id) }

// balanceKey is the key of an account balance.
func balanceKey(currency, account string) []byte {
	return []byte(prefixBalance + currency + "/" + account)
}

// readValue returns a copy of the value at key, or nil when it is missing.
func readValue(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("settlement: read %q: %w", key, err)
	}
	return item.ValueCopy(nil)
}

// putJSON stores v as JSON at key.
func putJSON(txn *badger.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return txn.Set(key, b)
}

// scan calls fn with every key and value under prefix in key order,
// stopping early when ctx is done.
func scan(ctx context.Context, txn *badger.Txn, prefix []byte, fn func(k, v []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		item := it.Item()
		v, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		if err := fn(item.KeyCopy(nil), v); err != nil {
			return err
		}
	}
	return nil
}
