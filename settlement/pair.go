package settlement

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Badger keys of the pair records.
const (
	keyGenesis = "s/genesis" // the time the node's first period contains (RFC 3339)
	prefixPair = "s/pw/"     // + counterparty -> Pair (JSON)
)

// Pair is what this node knows of settling with one counterparty: the
// watermarks the two last declared to each other, when they last talked,
// what went wrong last, and the first period not yet settled between them.
type Pair struct {
	// Counterparty is the other member's peer ID.
	Counterparty string `json:"counterparty"`
	// Theirs is the watermark the counterparty last declared to this
	// node: it has delivered everything it stated before it, and states
	// nothing earlier any more.
	Theirs time.Time `json:"theirs,omitzero"`
	// Ours is the watermark this node last declared to it.
	Ours time.Time `json:"ours,omitzero"`
	// Contact is when a session with it last got as far as the hellos.
	Contact time.Time `json:"contact,omitzero"`
	// Attempt is when this node last tried a session, and Error what
	// stopped the last one that failed ("" when it did not).
	Attempt time.Time `json:"attempt,omitzero"`
	Error   string    `json:"error,omitempty"`
	// Cursor names the first period, oldest first, that is neither agreed
	// nor disputed with it ("" before the first session).
	Cursor string `json:"cursor,omitempty"`
	// Genesis is a time in the counterparty's first period, as its hellos
	// say (zero until one did).
	Genesis time.Time `json:"genesis,omitzero"`
}

// Start is a time in the first period the pair settles: the earlier of
// the two members' first periods, as far as this node knows them.
func (l *Ledger) Start(ctx context.Context, counterparty string) (time.Time, error) {
	g, err := l.genesis()
	if err != nil {
		return time.Time{}, err
	}
	p, err := l.Pair(ctx, counterparty)
	if err == nil && !p.Genesis.IsZero() && p.Genesis.Before(g) {
		g = p.Genesis
	}
	return g, err
}

// initGenesis records the node's first period on a new ledger: the
// earliest period with an entry on a ledger kept before genesis was, and
// now on a new one.
func (l *Ledger) initGenesis() error {
	return l.db.Update(func(txn *badger.Txn) error {
		have, err := readValue(txn, []byte(keyGenesis))
		if err != nil || have != nil {
			return err
		}
		g := l.now().UTC()
		err = scanLimit(context.Background(), txn, []byte(prefixPeriod), 1, func(k, _ []byte) error {
			if t, err := parsePeriodName(string(k[len(prefixPeriod):])); err == nil && t.Before(g) {
				g = t
			}
			return nil
		})
		if err != nil {
			return err
		}
		return txn.Set([]byte(keyGenesis), []byte(g.Format(time.RFC3339Nano)))
	})
}

// genesis is the time the node's first period contains.
func (l *Ledger) genesis() (time.Time, error) {
	var g time.Time
	err := l.db.View(func(txn *badger.Txn) (err error) { g, err = genesisTxn(txn); return err })
	return g, err
}

func genesisTxn(txn *badger.Txn) (time.Time, error) {
	raw, err := readValue(txn, []byte(keyGenesis))
	if err != nil {
		return time.Time{}, err
	}
	g, err := time.Parse(time.RFC3339Nano, string(raw))
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: stored genesis %q: %v", ErrInvalid, raw, err)
	}
	return g, nil
}

// Pair returns what this node knows of settling with counterparty.
func (l *Ledger) Pair(_ context.Context, counterparty string) (Pair, error) {
	var p Pair
	err := l.db.View(func(txn *badger.Txn) (err error) { p, err = loadPair(txn, counterparty); return err })
	return p, err
}

func loadPair(txn *badger.Txn, counterparty string) (Pair, error) {
	p := Pair{Counterparty: counterparty}
	raw, err := readValue(txn, []byte(prefixPair+counterparty))
	if err != nil || raw == nil {
		return p, err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("%w: pair record %s: %v", ErrInvalid, counterparty, err)
	}
	return p, nil
}

// UpdatePair changes the pair record of counterparty with fn.
func (l *Ledger) UpdatePair(_ context.Context, counterparty string, fn func(*Pair)) error {
	if !validPeer(counterparty) {
		return fmt.Errorf("%w: counterparty %q is not a peer id", ErrInvalid, counterparty)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.db.Update(func(txn *badger.Txn) error {
		p, err := loadPair(txn, counterparty)
		if err != nil {
			return err
		}
		fn(&p)
		return putJSON(txn, []byte(prefixPair+counterparty), p)
	})
}

// Received returns the watermark counterparty last declared to this node
// (zero when it never did).
func (l *Ledger) Received(ctx context.Context, counterparty string) (time.Time, error) {
	p, err := l.Pair(ctx, counterparty)
	return p.Theirs, err
}
