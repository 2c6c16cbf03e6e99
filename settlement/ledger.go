package settlement

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
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
	prefixPeriod    = "s/p/"  // + period -> periodRecord (JSON)
	prefixBalance   = "s/b/"  // + currency/account -> int64
	prefixJournal   = "s/j/"  // + event key -> local postings (JSON)
	prefixStatement = "s/st/" // + period/counterparty -> Statement (JSON)
)

// maxPeriodHops bounds the search for an open period after closed ones.
const maxPeriodHops = 100000

// PolicyLookup returns the policy published under a version, as the charter
// holds it, and whether that version exists.
type PolicyLookup func(version uint64) (Policy, bool)

// periodRecord marks a period in which an entry landed; the earliest
// tells an upgraded node's genesis.
type periodRecord struct {
	Name string `json:"name"`
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

	// mu serializes the writers (Post, the queue, SaveStatement, pair
	// records), so the read-modify-write of balances and part records never
	// races and Badger never aborts a ledger transaction on a conflict.
	// Readers use Badger snapshots and do not take it.
	mu sync.Mutex

	// committed holds what the posting transaction under way logs once
	// it commits (posting, afterCommit); guarded by mu.
	committed []func()

	qlast atomic.Int64  // the newest queue key (Unix ns)
	wake  chan struct{} // Notify wakes Run

	// Where drains start reading the queue (queue.go, drainStart).
	dmu    sync.Mutex
	dfloor int64     // the newest queue key a drain posted (Unix ns)
	dfull  time.Time // when a drain last read the queue from its head
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
	l := &Ledger{db: db, self: self, policies: policies, log: log, now: now, wake: make(chan struct{}, 1)}
	return l, l.initGenesis()
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
	created, err := l.postWith(ctx, ev, nil, nil)
	l.logCreated(created)
	return created, err
}

// postWith is Post with pinned placements, and also run in the posting
// transaction. An entry that pin selects goes to pin's period, agreed or
// not, instead of where place would put it: only reconciliation pins (see
// restore). The queue removes the posted event in also.
func (l *Ledger) postWith(ctx context.Context, ev Event, pin *pinning, also func(*badger.Txn) error) ([]Entry, error) {
	pol, err := l.admit(ctx, ev)
	if err != nil {
		return nil, err
	}
	var created []Entry
	err = l.posting(func(txn *badger.Txn) error {
		if also != nil {
			if err := also(txn); err != nil {
				return err
			}
		}
		var err error
		created, err = l.postIn(txn, ev, pol, pin)
		return err
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

// posting runs post in a transaction of its own under mu, the one way
// entries are written: what post left for afterCommit runs once the
// transaction commits, and is dropped if it does not.
func (l *Ledger) posting(post func(txn *badger.Txn) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.db.Update(post)
	if err == nil {
		for _, f := range l.committed {
			f()
		}
	}
	l.committed = nil
	return err
}

// afterCommit has the posting transaction under way do f once it
// commits: what it logs of its entries is not logged for a transaction
// that is then discarded (a round of the queue that one event fails is
// posted again, one event at a time).
func (l *Ledger) afterCommit(f func()) { l.committed = append(l.committed, f) }

// admit checks ev on its own, before any transaction, and returns the
// policy it is posted under.
func (l *Ledger) admit(ctx context.Context, ev Event) (Policy, error) {
	if err := ctx.Err(); err != nil {
		return Policy{}, err
	}
	if err := ev.Validate(); err != nil {
		return Policy{}, err
	}
	pol, err := l.policy(ev.PolicyVersion)
	if err != nil {
		return Policy{}, err
	}
	if ev.Gross.Currency != pol.Currency {
		return Policy{}, fmt.Errorf("%w: event %s of part %q: gross %s, policy %d settles in %s",
			ErrCurrency, ev.Kind, ev.PartID, ev.Gross, pol.Version, pol.Currency)
	}
	return pol, nil
}

// postIn posts ev, admitted under pol, in txn; the caller holds mu.
func (l *Ledger) postIn(txn *badger.Txn, ev Event, pol Policy, pin *pinning) ([]Entry, error) {
	switch {
	case ev.isAd():
		if !adParty(ev, l.self, pol.Treasury) {
			return nil, nil
		}
		return l.postAdTxn(txn, ev, pol, pin)
	case ev.isPoints():
		if !pointsParty(ev, l.self) {
			return nil, nil
		}
		return l.postPointsTxn(txn, ev, pol, pin)
	case ev.Storefront == ev.Home || (l.self != ev.Storefront && l.self != ev.Home && l.self != pol.Treasury):
		return nil, nil
	}
	return l.postTxn(txn, ev, pol, pin)
}

// logCreated logs new entries at debug level.
func (l *Ledger) logCreated(created []Entry) {
	for _, e := range created {
		l.log.Debug("settlement entry posted", "id", e.ID, "kind", e.Kind, "period", e.Period,
			"from", e.From, "to", e.To, "amount", e.Amount.String())
	}
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
		entries := saleEntries(eff.ev, eff.split, eff.ship, pol.Treasury)
		if eff.reversal {
			entries = reversalEntries(eff.ev, eff.split, eff.ship, pol.Treasury)
		}
		for _, e := range entries {
			if e.From != l.self && e.To != l.self {
				continue
			}
			var pinned bool
			if e.Period, pinned = pin.periodOf(e, l.self); !pinned {
				p, err := l.place(txn, eff.ev.At, pol.Period, e.Counterparty(l.self))
				if err != nil {
					return nil, nil, err
				}
				e.Period = p
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

// place returns the period an entry with counterparty, stated at `at`,
// belongs to: the period containing at, unless the two have agreed and
// both signed that period's statement; then the first period after it
// they have not. Both sides hold the same signed statements, so both place
// alike; and since a pair agrees a period only once neither side can
// still state or deliver an event in it (see the package comment on
// watermarks), the exception is a safety net that never moves an entry in
// a federation that keeps the protocol.
func (l *Ledger) place(txn *badger.Txn, at time.Time, length time.Duration, counterparty string) (string, error) {
	p := PeriodOf(at, length)
	orig := p.Name
	for range maxPeriodHops {
		agreed, err := l.agreedTxn(txn, p.Name, counterparty)
		if err != nil || !agreed {
			if p.Name != orig {
				l.afterCommit(func() {
					l.log.Warn("settlement entry placed after an agreed period", "stated", orig, "to", p.Name, "counterparty", counterparty)
				})
			}
			if err == nil {
				err = l.reachBack(txn, p, length)
			}
			return p.Name, err
		}
		p = p.Next()
	}
	return "", fmt.Errorf("%w: no period after %s that is not agreed with %s", ErrInvalid, orig, counterparty)
}

// maxReachBack is how many periods before its first one an entry may move
// a ledger's genesis back: enough for an event stated by a clock a little
// behind in a new member's first moments, not for one dated years back,
// which would have every round walk that many periods. An entry further
// back stays where it was placed, settled only by a session of its period.
const maxReachBack = 3

// reachBack moves the node's genesis back to period p when an entry was
// placed in it before the node's first period (at most maxReachBack
// periods before), so that the pair settles it; every pair's settling
// then starts again from its cursor's beginning, since an earlier genesis
// moves every pair's start.
func (l *Ledger) reachBack(txn *badger.Txn, p Period, length time.Duration) error {
	g, err := genesisTxn(txn)
	if err != nil {
		return err
	}
	first := PeriodOf(g, length)
	if !p.Start.Before(first.Start) || first.Start.Sub(p.Start) > maxReachBack*length {
		return nil
	}
	if err := txn.Set([]byte(keyGenesis), []byte(p.Start.UTC().Format(time.RFC3339Nano))); err != nil {
		return err
	}
	var counterparties []string
	err = scan(context.Background(), txn, []byte(prefixPair), func(k, _ []byte) error {
		counterparties = append(counterparties, string(k[len(prefixPair):]))
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range counterparties {
		pair, err := loadPair(txn, c)
		if err != nil {
			return err
		}
		pair.Cursor = ""
		if err := putJSON(txn, []byte(prefixPair+c), pair); err != nil {
			return err
		}
	}
	l.afterCommit(func() { l.log.Info("settlement genesis moved back for an entry dated before it", "period", p.Name) })
	return nil
}

// agreedTxn reports whether the statement of period with counterparty is
// saved agreed.
func (l *Ledger) agreedTxn(txn *badger.Txn, period, counterparty string) (bool, error) {
	saved, err := readValue(txn, statementKey(period, counterparty))
	if err != nil || saved == nil {
		return false, err
	}
	var st struct {
		Status Status `json:"status"`
	}
	if err := json.Unmarshal(saved, &st); err != nil {
		return false, fmt.Errorf("%w: saved statement %s/%s: %v", ErrInvalid, period, counterparty, err)
	}
	return st.Status == StatusAgreed, nil
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

// Periods lists the periods of the given length from the first any pair
// of this node settles (see Start) to the one running now, oldest first.
func (l *Ledger) Periods(ctx context.Context, length time.Duration) ([]Period, error) {
	g, err := l.genesis()
	if err != nil {
		return nil, err
	}
	err = l.db.View(func(txn *badger.Txn) error {
		return scan(ctx, txn, []byte(prefixPair), func(_, v []byte) error {
			var p Pair
			if json.Unmarshal(v, &p) == nil && !p.Genesis.IsZero() && p.Genesis.Before(g) {
				g = p.Genesis
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return l.PeriodsFrom(ctx, g, length)
}

// PeriodsFrom lists the periods of the given length from the one
// containing from to the one running now, oldest first.
func (l *Ledger) PeriodsFrom(ctx context.Context, from time.Time, length time.Duration) ([]Period, error) {
	var out []Period
	last := PeriodOf(l.now(), length)
	for p := PeriodOf(from, length); !p.Start.After(last.Start); p = p.Next() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ensurePeriod records an open period the first time an entry lands in it.
func (l *Ledger) ensurePeriod(txn *badger.Txn, name string) error {
	v, err := readValue(txn, []byte(prefixPeriod+name))
	if err != nil || v != nil {
		return err
	}
	return putJSON(txn, []byte(prefixPeriod+name), periodRecord{Name: name})
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
	return scanFrom(ctx, txn, prefix, prefix, fn)
}

// scanFrom is scan from key start (under prefix) on.
func scanFrom(ctx context.Context, txn *badger.Txn, prefix, start []byte, fn func(k, v []byte) error) error {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Seek(start); it.ValidForPrefix(prefix); it.Next() {
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
