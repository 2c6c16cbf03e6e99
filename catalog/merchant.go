package catalog

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fedmart/fedmart/internal/storedjson"

	badger "github.com/dgraph-io/badger/v4"
)

// Merchant is a seller whose home platform is this node.
type Merchant struct {
	// ID is a random lower-case base32 id, the merchant part of its
	// listings' ids.
	ID string `json:"id"`
	// Name is the merchant's display name.
	Name string `json:"name"`
	// CreatedAt is when the operator added the merchant.
	CreatedAt time.Time `json:"created_at"`
	// SuspendedAt is when the operator suspended the merchant; zero while
	// it is active. See SuspendMerchant for what a suspension does.
	SuspendedAt time.Time `json:"suspended_at,omitzero"`
}

// Suspended reports whether the operator suspended the merchant.
func (m Merchant) Suspended() bool { return !m.SuspendedAt.IsZero() }

// storedMerchant is a merchant as kept under c/m/: with the SHA-256 of its
// token, never the token.
type storedMerchant struct {
	Merchant
	TokenHash []byte `json:"token_hash"`
}

// tokenPrefix marks merchant tokens, so that a leaked one is recognizable.
const tokenPrefix = "fmm_"

// maxMerchantName caps a merchant's name, in characters.
const maxMerchantName = 200

// newToken returns a random bearer token and the hash the catalog keeps.
func newToken() (string, [32]byte) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	tok := tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return tok, sha256.Sum256([]byte(tok))
}

// CreateMerchant adds a merchant and returns it with its bearer token. The
// token is shown this once: only its SHA-256 is stored.
func (c *Catalog) CreateMerchant(ctx context.Context, name string) (Merchant, string, error) {
	if err := ctx.Err(); err != nil {
		return Merchant{}, "", err
	}
	if err := c.validMerchantName(name); err != nil {
		return Merchant{}, "", err
	}
	tok, sum := newToken()
	m := storedMerchant{Merchant: Merchant{ID: newLocalID(), Name: strings.TrimSpace(name), CreatedAt: c.now().UTC()}, TokenHash: sum[:]}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	err := c.db.Update(func(txn *badger.Txn) error { return putMerchant(txn, m) })
	if err != nil {
		return Merchant{}, "", fmt.Errorf("catalog: storing merchant: %w", err)
	}
	return m.Merchant, tok, nil
}

// RotateMerchantToken replaces a merchant's token (when it leaked) and
// returns the new one; the old one stops working at once.
func (c *Catalog) RotateMerchantToken(ctx context.Context, merchantID string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	tok, sum := newToken()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	err := c.db.Update(func(txn *badger.Txn) error {
		m, err := getMerchant(txn, merchantID)
		if err != nil {
			return err
		}
		if err := txn.Delete([]byte(prefixToken + string(m.TokenHash))); err != nil {
			return err
		}
		m.TokenHash = sum[:]
		return putMerchant(txn, m)
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// MerchantByToken returns the merchant a bearer token belongs to, or
// ErrNotFound. The lookup is by the token's SHA-256, and the stored hash is
// compared in constant time.
func (c *Catalog) MerchantByToken(ctx context.Context, token string) (Merchant, error) {
	if err := ctx.Err(); err != nil {
		return Merchant{}, err
	}
	sum := sha256.Sum256([]byte(token))
	var m storedMerchant
	err := c.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(prefixToken + string(sum[:])))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("%w: no merchant has this token", ErrNotFound)
		}
		if err != nil {
			return err
		}
		id, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		m, err = getMerchant(txn, string(id))
		return err
	})
	if err != nil {
		return Merchant{}, err
	}
	if subtle.ConstantTimeCompare(m.TokenHash, sum[:]) != 1 {
		return Merchant{}, fmt.Errorf("%w: no merchant has this token", ErrNotFound)
	}
	if m.Suspended() {
		return Merchant{}, fmt.Errorf("%w: merchant %s is suspended until the operator reinstates it", ErrSuspended, m.ID)
	}
	return m.Merchant, nil
}

// Merchant returns one merchant, or ErrNotFound.
func (c *Catalog) Merchant(ctx context.Context, id string) (Merchant, error) {
	if err := ctx.Err(); err != nil {
		return Merchant{}, err
	}
	var m storedMerchant
	err := c.db.View(func(txn *badger.Txn) error {
		var err error
		m, err = getMerchant(txn, id)
		return err
	})
	return m.Merchant, err
}

// Merchants returns every merchant of this node, ordered by id.
func (c *Catalog) Merchants(ctx context.Context) ([]Merchant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Merchant
	err := c.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixMerchant), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var m storedMerchant
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &m) }); err != nil {
				return fmt.Errorf("catalog: stored merchant %s is corrupt: %w", it.Item().Key(), err)
			}
			out = append(out, m.Merchant)
		}
		return nil
	})
	return out, err
}

// validMerchantName checks a merchant's name: 1 to maxMerchantName
// characters, a field error on "name" otherwise.
func (c *Catalog) validMerchantName(name string) error {
	v := &validator{cfg: c.cfg}
	v.text("name", name, true, maxMerchantName, false)
	return v.result()
}

// RenameMerchant gives a merchant another name. This node's pages and
// API show it at once, and the listings the merchant creates or changes
// from now on carry it; listings already published carry the name they
// were signed with until they next change.
func (c *Catalog) RenameMerchant(ctx context.Context, id, name string) (Merchant, error) {
	if err := c.validMerchantName(name); err != nil {
		return Merchant{}, err
	}
	m, err := c.updateMerchant(ctx, id, func(m *storedMerchant) { m.Name = strings.TrimSpace(name) })
	if err != nil {
		return m, err
	}
	// Other members show the name of the merchant's profile record: one
	// new version of it renames the merchant everywhere.
	p, err := c.MerchantProfile(ctx, c.self, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return m, nil
	case err != nil:
		return m, err
	}
	in := p.input()
	in.Name = m.Name
	_, err = c.SetMerchantProfile(ctx, id, in)
	return m, err
}

// SuspendMerchant suspends a merchant, at once and until
// ReinstateMerchant:
//
//   - its token is refused (MerchantByToken answers ErrSuspended), for
//     the API and for its console sessions, which look the token up at
//     every request: it can change no listing, stock or order;
//   - its listings stay published as they are (they are neither taken
//     down nor changed, so every member's storefront still shows them),
//     but this node, their home, refuses every take of their stock
//     (ChangeStock reports the lines short, with none available): no
//     storefront can reserve them, so none is sold;
//   - parts already ordered stay as they are: units held for a reserve
//     made before may still be confirmed within their hold, a shopper may
//     still cancel a part not yet shipped (its units return to stock),
//     and the merchant ships the rest once reinstated.
//
// Suspending a suspended merchant changes nothing.
func (c *Catalog) SuspendMerchant(ctx context.Context, id string) (Merchant, error) {
	now := c.now().UTC()
	return c.updateMerchant(ctx, id, func(m *storedMerchant) {
		if !m.Suspended() {
			m.SuspendedAt = now
		}
	})
}

// ReinstateMerchant ends a suspension: the merchant's token works again
// and its listings sell again, with the stock they had.
func (c *Catalog) ReinstateMerchant(ctx context.Context, id string) (Merchant, error) {
	return c.updateMerchant(ctx, id, func(m *storedMerchant) { m.SuspendedAt = time.Time{} })
}

// updateMerchant changes one stored merchant with edit and returns it.
func (c *Catalog) updateMerchant(ctx context.Context, id string, edit func(m *storedMerchant)) (Merchant, error) {
	if err := ctx.Err(); err != nil {
		return Merchant{}, err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var m storedMerchant
	err := c.db.Update(func(txn *badger.Txn) (err error) {
		if m, err = getMerchant(txn, id); err != nil {
			return err
		}
		edit(&m)
		return putMerchant(txn, m)
	})
	if err != nil {
		return Merchant{}, err
	}
	return m.Merchant, nil
}

// MerchantListingCount counts a merchant's live listings (taken-down ones
// not included). It reads every head of the merchant's listings.
func (c *Catalog) MerchantListingCount(ctx context.Context, id string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := c.db.View(func(txn *badger.Txn) error {
		if err := requireMerchant(txn, id); err != nil {
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: listingKey(FormatID(c.self, id, "")), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			b, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			h, err := decodeHead(b)
			if err != nil {
				return err
			}
			if h.seq != 0 && !h.tomb {
				n++
			}
		}
		return nil
	})
	return n, err
}

// suspendedMerchants answers, within txn, whether the merchant of one of
// this node's listings is suspended, reading each merchant once.
type suspendedMerchants struct {
	txn  *badger.Txn
	seen map[string]bool
}

func (s *suspendedMerchants) of(merchant string) (bool, error) {
	if v, ok := s.seen[merchant]; ok {
		return v, nil
	}
	m, err := getMerchant(s.txn, merchant)
	if isNotFound(err) {
		err = nil // a listing left by a merchant the node no longer has
	}
	if err != nil {
		return false, err
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[merchant] = m.Suspended()
	return s.seen[merchant], nil
}

func putMerchant(txn *badger.Txn, m storedMerchant) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := txn.Set([]byte(prefixMerchant+m.ID), b); err != nil {
		return err
	}
	return txn.Set([]byte(prefixToken+string(m.TokenHash)), []byte(m.ID))
}

func getMerchant(txn *badger.Txn, id string) (storedMerchant, error) {
	var m storedMerchant
	if !isLocalID(id) {
		return m, fmt.Errorf("%w: merchant %q", ErrNotFound, clip(id))
	}
	item, err := txn.Get([]byte(prefixMerchant + id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return m, fmt.Errorf("%w: merchant %s", ErrNotFound, id)
	}
	if err != nil {
		return m, err
	}
	err = item.Value(func(v []byte) error { return storedjson.Unmarshal(v, &m) })
	if err != nil {
		return m, fmt.Errorf("catalog: stored merchant %s is corrupt: %w", id, err)
	}
	return m, nil
}

// requireMerchant fails with ErrNotFound unless id is a merchant of this node.
func requireMerchant(txn *badger.Txn, id string) error {
	_, err := getMerchant(txn, id)
	return err
}
