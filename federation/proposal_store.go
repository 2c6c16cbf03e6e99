package federation

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// keyProposalPrefix holds the pending amendments:
// f/proposal/<hex digest> -> storedProposal JSON.
var keyProposalPrefix = []byte("f/proposal/")

func proposalKey(digest string) []byte {
	return append(slices.Clone(keyProposalPrefix), digest...)
}

// storedProposal is a pending amendment as kept in Badger.
type storedProposal struct {
	Charter    *SignedCharter `json:"charter"`
	ReceivedAt time.Time      `json:"received_at"`
}

// heldProposal is a pending amendment in memory. sc is never changed in
// place: a merge replaces it.
type heldProposal struct {
	sc         *SignedCharter
	receivedAt time.Time
}

// proposalBook is the set of pending amendments, in memory and in Badger.
// Writers hold the Federation's applyMu, so that a proposal is checked,
// merged and applied against one charter version; readers need only mu.
type proposalBook struct {
	db *badger.DB

	mu   sync.Mutex // guards held
	held map[string]heldProposal
}

func newProposalBook(db *badger.DB) *proposalBook {
	return &proposalBook{db: db, held: make(map[string]heldProposal)}
}

// load reads the stored proposals, keeping those that still follow head and
// deleting the rest (they lapsed while the node was down, or were corrupt).
func (b *proposalBook) load(head *SignedCharter, log *slog.Logger) error {
	var stale [][]byte
	err := b.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: keyProposalPrefix, PrefetchValues: true, PrefetchSize: MaxProposals})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			key := it.Item().KeyCopy(nil)
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			var sp storedProposal
			err = json.Unmarshal(v, &sp)
			if err == nil && sp.Charter == nil {
				err = errors.New("no charter")
			}
			if err == nil && head == nil {
				err = ErrNoCharter
			}
			if err == nil {
				err = checkProposal(&head.Charter, sp.Charter)
			}
			if err != nil {
				log.Info("dropping stored amendment", "key", string(key), "reason", err)
				stale = append(stale, key)
				continue
			}
			b.held[sp.Charter.Charter.Digest()] = heldProposal{sc: sp.Charter, receivedAt: sp.ReceivedAt}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("federation: loading pending amendments: %w", err)
	}
	return b.delete(stale)
}

func (b *proposalBook) get(digest string) (heldProposal, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h, ok := b.held[digest]
	return h, ok
}

func (b *proposalBook) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.held)
}

// list returns the held proposals, oldest first.
func (b *proposalBook) list() []heldProposal {
	b.mu.Lock()
	out := make([]heldProposal, 0, len(b.held))
	for _, h := range b.held {
		out = append(out, h)
	}
	b.mu.Unlock()
	slices.SortFunc(out, func(x, y heldProposal) int {
		if c := x.receivedAt.Compare(y.receivedAt); c != 0 {
			return c
		}
		return cmp.Compare(x.sc.Charter.Digest(), y.sc.Charter.Digest())
	})
	return out
}

// put stores h under digest, in Badger first.
func (b *proposalBook) put(digest string, h heldProposal) error {
	v, err := json.Marshal(storedProposal{Charter: h.sc, ReceivedAt: h.receivedAt})
	if err != nil {
		return fmt.Errorf("federation: encoding amendment %s: %w", digest, err)
	}
	if err := b.db.Update(func(txn *badger.Txn) error { return txn.Set(proposalKey(digest), v) }); err != nil {
		return fmt.Errorf("federation: storing amendment %s: %w", digest, err)
	}
	b.mu.Lock()
	b.held[digest] = h
	b.mu.Unlock()
	return nil
}

// prune drops every proposal that does not follow c, the version just
// applied: the one that took force, and its rivals.
func (b *proposalBook) prune(c *Charter) error {
	var keys [][]byte
	b.mu.Lock()
	for d, h := range b.held {
		if checkSuccession(c, &h.sc.Charter) != nil {
			delete(b.held, d)
			keys = append(keys, proposalKey(d))
		}
	}
	b.mu.Unlock()
	return b.delete(keys)
}

func (b *proposalBook) delete(keys [][]byte) error {
	if len(keys) == 0 {
		return nil
	}
	err := b.db.Update(func(txn *badger.Txn) error {
		for _, k := range keys {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("federation: dropping lapsed amendments: %w", err)
	}
	return nil
}
