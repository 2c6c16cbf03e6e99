package catalog

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/internal/groupsync"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Membership tells the catalog which origins it accepts records from. The
// federation package implements it from the current charter.
type Membership interface {
	// IsMember reports whether peerID is an active federation member now.
	IsMember(peerID string) bool
}

// Catalog is one node's catalog: its merchants, the listings they own, and
// every listing replicated from the other members, in the shared Badger
// database under "c/". It is safe for concurrent use.
type Catalog struct {
	cfg     Config
	db      *badger.DB
	key     crypto.PrivKey
	self    string // this node's peer ID: the origin of its records
	members Membership
	log     *slog.Logger
	now     func() time.Time

	// overhead is how many bytes an envelope adds to a payload, measured
	// with this node's key at Open; listingFraming, stockFraming and
	// bothFraming add the rest of a record to its digested JSON (see
	// framing). With them, sizes are checked before anything is signed.
	overhead       int
	listingFraming int
	stockFraming   int
	bothFraming    int

	// wmu serializes the catalog's write transactions. It guards the
	// read-modify-write of seqs, marks, heads, merchants, the SKU index and
	// the listing count, so that those transactions never conflict.
	wmu writerLock
	// syncs counts feeds' syncs (see Synced); durable groups them, with
	// each other and, after SyncWith, with the node's other writers'.
	syncs   feedSyncs
	durable *groupsync.Group
	// small queues small feeds for the writer lock, to share its
	// transactions (batch_small.go).
	small smallFeeds
	// turns keeps change notifications in commit order: a commit takes
	// its turn under wmu (see deliver).
	turns turns

	// hmu guards handlers and batchHandlers.
	hmu           sync.RWMutex
	handlers      []func(Change)
	batchHandlers []func([]Change)

	// views keeps the records listings are read from parsed (see viewCache).
	views *viewCache

	// count mirrors the stored count of live listings; it is changed only
	// under wmu, after a commit.
	count atomic.Int64

	// carriers are the carriers this node's merchants may name (see
	// SetCarriers); nil means the built-in table.
	carriers atomic.Pointer[shipping.Table]
	// publishers says who may publish federation docs (SetPublishers);
	// nil: every member.
	publishers atomic.Pointer[func(string) bool]

	// carryStock lets the home sign a listing's description and stock as
	// one record (SetCarryStock).
	carryStock atomic.Bool

	// adFeeCap is the charter's cap on a campaign's fee in basis points
	// (see SetAdFeeCap); 0: the charter runs no ads.
	adFeeCap atomic.Int64

	// restored is set while the catalog waits to learn its own records
	// back after a restore (see MarkRestored); it changes only under wmu.
	restored atomic.Bool

	// currency is the settlement currency prices must be in ("" when not
	// known); it overrides cfg.Currency, which is read only at Open.
	currency atomic.Pointer[string]

	// images holds the pictures merchants upload (see UseImages); set
	// once before the catalog is written to, read-only after.
	images ImageStore

	// proofs checks reviews' proofs of purchase (see UseProofs); set
	// once before the catalog is written to, read-only after.
	proofs ProofChecker
	// reviewEvent tells the node's back office of a new review (see
	// UseReviewEvents); set once before the catalog is written to.
	reviewEvent func(txn *badger.Txn, e ReviewEvent) error
	// reportForward sends a report of a review another storefront signed
	// to that storefront, in the transaction that keeps the report (see
	// UseReportForwarding); nil keeps reports here only.
	reportForward func(txn *badger.Txn, storefront string, r Report) error
	// editWindow is the charter's review edit window (SetReviewWindow).
	editWindow atomic.Int64
	// ratings are the aggregates derived from the stored reviews.
	ratings *ratingTable
	// signedRating is what the review signSubject is signing changes in
	// the ratings, set by its fill; guarded by wmu.
	signedRating ratingDelta

	// coalesce is true while PublishStock runs: ChangeStock then leaves
	// the signing of stock records to it (stock_publish.go).
	coalesce atomic.Bool
	// stockQ is the listings whose pending stock PublishStock publishes
	// next.
	stockQ stockQueue
	// shards are the top-level categories of other members' listings
	// held here, nil for all (shard.go).
	shards []string
}

// Open returns the catalog stored in db. key is the node's identity: it
// signs the records of this node's merchants, and its peer ID is their
// origin. members decides whose records Apply accepts. A nil log discards;
// a nil now is time.Now.
func Open(cfg Config, db *badger.DB, key crypto.PrivKey, members Membership, log *slog.Logger, now func() time.Time) (*Catalog, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if db == nil || key == nil || members == nil {
		return nil, errors.New("catalog: Open needs a database, a key and a membership")
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("catalog: node key: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	c := &Catalog{cfg: cfg, db: db, key: key, self: id.String(), members: members, log: log, now: now, shards: normalShards(cfg.Shards),
		views: newViewCache(), durable: groupsync.New(db.Sync, 0)}
	c.currency.Store(&cfg.Currency)
	if c.overhead, err = envelopeOverhead(key); err != nil {
		return nil, err
	}
	if c.listingFraming, c.stockFraming, c.bothFraming, err = c.framing(); err != nil {
		return nil, err
	}
	if err := ensureEpoch(db); err != nil {
		return nil, fmt.Errorf("catalog: opening: %w", err)
	}
	if err := buildQuotas(db, c.self); err != nil {
		return nil, fmt.Errorf("catalog: counting listings: %w", err)
	}
	if err := buildSummaries(db, c.self); err != nil {
		return nil, fmt.Errorf("catalog: indexing the merchants' listings: %w", err)
	}
	if err := moveDocs(db); err != nil {
		return nil, fmt.Errorf("catalog: moving the federation docs: %w", err)
	}
	if err := buildCount(db); err != nil {
		return nil, fmt.Errorf("catalog: counting listings: %w", err)
	}
	widened, dropped, err := reconcileShards(db, c.self, c.shards)
	if err != nil {
		return nil, fmt.Errorf("catalog: holding the shards %v: %w", c.shards, err)
	}
	if widened || dropped > 0 {
		log.Info("catalog: the category shards held changed", "shards", c.shards, "catch_up_again", widened, "listings_let_go", dropped)
	}
	var n int64
	if err := db.View(func(txn *badger.Txn) error { n, err = loadCount(txn); return err }); err != nil {
		return nil, fmt.Errorf("catalog: loading: %w", err)
	}
	c.count.Store(n)
	restored, err := loadRestored(db)
	if err != nil {
		return nil, fmt.Errorf("catalog: loading: %w", err)
	}
	c.restored.Store(restored)
	if c.ratings, err = loadRatings(db); err != nil {
		return nil, fmt.Errorf("catalog: loading the ratings: %w", err)
	}
	log.Debug("catalog opened", "platform", c.self, "listings", n)
	return c, nil
}

// envelopeOverhead measures what sealing adds to a payload of the largest
// length-prefix size a record can have, so that it bounds every record.
func envelopeOverhead(key crypto.PrivKey) (int, error) {
	p := signedPayload(make([]byte, 1<<14))
	raw, err := seal(&p, key)
	if err != nil {
		return 0, err
	}
	return len(raw) - len(p) + 1, nil
}

// SetCurrency changes the settlement currency that every price, local or
// replicated, must be in; the node calls it when the charter changes. A
// code that is not ISO 4217 (or "") leaves no valid currency: every
// listing is refused until a valid one is set.
func (c *Catalog) SetCurrency(code string) {
	if code != "" && !isCurrency(code) {
		c.log.Warn("catalog: settlement currency is not an ISO 4217 code; listings are refused", "currency", code)
	}
	c.currency.Store(&code)
}

// config is cfg with the current settlement currency.
func (c *Catalog) config() Config {
	cfg := c.cfg
	cfg.Currency = *c.currency.Load()
	return cfg
}

// Platform is this node's peer ID: the platform part of its listings' ids
// and the origin of its records.
func (c *Catalog) Platform() string { return c.self }

// Count is the number of live listings, local and replicated.
func (c *Catalog) Count() int { return int(c.count.Load()) }
