package order

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/groupsync"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
)

// Config tunes the order service. Zero fields take the defaults.
type Config struct {
	// HoldTTL is how long a home node holds stock for a reservation that
	// has not been confirmed.
	HoldTTL time.Duration `yaml:"hold_ttl"`
	// ConfirmWait is how long a checkout waits for the home nodes to
	// accept before it answers the shopper (the order is safe either way).
	ConfirmWait time.Duration `yaml:"confirm_wait"`
	// RequestTimeout bounds one request to a home node.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// RetryMax is the longest wait between two attempts to deliver an
	// outbox message.
	RetryMax time.Duration `yaml:"retry_max"`
	// ParkAfter is how long an outbox message about a part its receiver
	// does not know is retried (the receiver may be catching up after a
	// restore) before it is parked for the operator.
	ParkAfter time.Duration `yaml:"park_after"`
	// ReserveRate and ReserveBurst bound the reserves per second one other
	// member's storefront may send this home node.
	ReserveRate  int `yaml:"reserve_rate"`
	ReserveBurst int `yaml:"reserve_burst"`
	// MaxHolds and MaxHeldUnits bound the parts and units one other
	// member's storefront may hold here unconfirmed at once.
	MaxHolds     int64 `yaml:"max_holds"`
	MaxHeldUnits int64 `yaml:"max_held_units"`
	// MaxExpiredPerHour bounds the holds of one other member's storefront
	// that may expire unconfirmed in an hour before its reserves are
	// refused for the rest of it.
	MaxExpiredPerHour int `yaml:"max_expired_per_hour"`
	// PruneAfter is how long a part that never became an order (its hold
	// expired or was released) is kept, with its messages, before it is
	// forgotten.
	PruneAfter time.Duration `yaml:"prune_after"`
	// UnpaidAfter is how long an order paid by the manual method may stay
	// unpaid before it is cancelled and its stock given back.
	UnpaidAfter time.Duration `yaml:"unpaid_after"`
	// MaxCarts is how many carts one shopper may keep open.
	MaxCarts int `yaml:"max_carts"`
	// IssueDueWarning is how long before an issue's deadline (the first
	// response's, the resolution's) the home reminds the merchant.
	IssueDueWarning time.Duration `yaml:"issue_due_warning"`
	// PointsHoldGrace is how long after its deadline an issuer keeps a
	// points hold nobody confirmed or released before it gives the
	// points back (a confirm queued before the deadline may arrive
	// late); zero means 30m.
	PointsHoldGrace time.Duration `yaml:"points_hold_grace"`
	// CommitDelay is the longest a flush of order commits to disk waits
	// for the commits already under way that will sync, so that they
	// share it; a commit with none beside it is flushed at once, and zero
	// never waits (see groupsync.Group).
	CommitDelay time.Duration `yaml:"commit_delay"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{HoldTTL: 10 * time.Minute, ConfirmWait: 3 * time.Second, RequestTimeout: 5 * time.Second, RetryMax: 5 * time.Second,
		ParkAfter: 24 * time.Hour, ReserveRate: 200, ReserveBurst: 400, MaxHolds: 2000, MaxHeldUnits: 50000,
		MaxExpiredPerHour: 500, PruneAfter: 24 * time.Hour, UnpaidAfter: 72 * time.Hour, MaxCarts: 1000, IssueDueWarning: 6 * time.Hour,
		CommitDelay: time.Millisecond}
}

// Validate names the first bad key.
func (c Config) Validate() error {
	switch {
	case c.HoldTTL < time.Second || c.HoldTTL > 24*time.Hour:
		return fmt.Errorf("orders.hold_ttl: must be between 1s and 24h, not %s", c.HoldTTL)
	case c.ConfirmWait < 0 || c.ConfirmWait > time.Minute:
		return fmt.Errorf("orders.confirm_wait: must be between 0 and 1m, not %s", c.ConfirmWait)
	case c.RequestTimeout < 100*time.Millisecond || c.RequestTimeout > 5*time.Minute:
		return fmt.Errorf("orders.request_timeout: must be between 100ms and 5m, not %s", c.RequestTimeout)
	case c.RetryMax < 10*time.Millisecond || c.RetryMax > time.Hour:
		return fmt.Errorf("orders.retry_max: must be between 10ms and 1h, not %s", c.RetryMax)
	case c.ParkAfter < time.Second || c.ParkAfter > 30*24*time.Hour:
		return fmt.Errorf("orders.park_after: must be between 1s and 720h, not %s", c.ParkAfter)
	case c.ReserveRate < 1 || c.ReserveRate > 100000:
		return fmt.Errorf("orders.reserve_rate: must be between 1 and 100000 per second, not %d", c.ReserveRate)
	case c.ReserveBurst < 1 || c.ReserveBurst > 1000000:
		return fmt.Errorf("orders.reserve_burst: must be between 1 and 1000000, not %d", c.ReserveBurst)
	case c.MaxHolds < 1 || c.MaxHolds > 10000000:
		return fmt.Errorf("orders.max_holds: must be between 1 and 10000000, not %d", c.MaxHolds)
	case c.MaxHeldUnits < 1 || c.MaxHeldUnits > 1<<40:
		return fmt.Errorf("orders.max_held_units: must be between 1 and %d, not %d", int64(1)<<40, c.MaxHeldUnits)
	case c.MaxExpiredPerHour < 1 || c.MaxExpiredPerHour > 10000000:
		return fmt.Errorf("orders.max_expired_per_hour: must be between 1 and 10000000, not %d", c.MaxExpiredPerHour)
	case c.PruneAfter < time.Minute || c.PruneAfter > 365*24*time.Hour:
		return fmt.Errorf("orders.prune_after: must be between 1m and 8760h, not %s", c.PruneAfter)
	case c.UnpaidAfter < time.Second || c.UnpaidAfter > 365*24*time.Hour:
		return fmt.Errorf("orders.unpaid_after: must be between 1s and 8760h, not %s", c.UnpaidAfter)
	case c.MaxCarts < 1 || c.MaxCarts > 10000:
		return fmt.Errorf("orders.max_carts: must be between 1 and 10000, not %d", c.MaxCarts)
	case c.PointsHoldGrace < 0 || c.PointsHoldGrace > 24*time.Hour:
		return fmt.Errorf("orders.points_hold_grace: must be between 0 (30m) and 24h, not %s", c.PointsHoldGrace)
	case c.CommitDelay < 0 || c.CommitDelay > 10*time.Millisecond:
		return fmt.Errorf("orders.commit_delay: must be between 0 and 10ms, not %s", c.CommitDelay)
	case c.IssueDueWarning < time.Minute || c.IssueDueWarning > 7*24*time.Hour:
		return fmt.Errorf("orders.issue_due_warning: must be between 1m and 168h, not %s", c.IssueDueWarning)
	}
	return nil
}

// Transport carries one request to member to and returns its reply. The
// federation's libp2p streams implement it (see P2P).
type Transport interface {
	Request(ctx context.Context, to string, raw []byte) ([]byte, error)
}

// Books is the settlement ledger as the order service feeds it. Enqueue
// runs inside the transaction that commits a part's status, on the
// storefront and on the home node alike, so that no crash can commit a
// status and lose its booking; Notify follows the commit. The node adapts
// the settlement ledger's queue to it.
type Books interface {
	Enqueue(txn *badger.Txn, ev PartEvent) error
	Notify()
}

// Reachability tells whether a member answers now. A checkout with lines
// homed on a member that does not fails at once, naming it, instead of
// waiting for a request to time out.
type Reachability interface {
	Reachable(peer string) bool
}

// Emitter queues a webhook to the platform's back office inside the
// transaction of the change that causes it, and is told after commit.
type Emitter interface {
	Enqueue(txn *badger.Txn, event string, payload any) error
	Notify()
}

// Deps are what the service works with.
type Deps struct {
	DB *badger.DB
	// Durable, when set, makes the service's commits durable, in flushes
	// of DB it shares with the node's other writers (see
	// groupsync.Group); without it the service groups its own flushes,
	// leaders waiting at most the config's CommitDelay.
	Durable   *groupsync.Group
	Key       crypto.PrivKey
	Inventory Inventory
	Listings  Listings
	Transport Transport
	Payments  []Provider
	Emitter   Emitter // nil: no webhooks
	// Notifier, when set, hears of the changes people are e-mailed about.
	Notifier Notifier
	// Policy returns the charter version sales are priced under now.
	Policy func() uint64
	// Books, when set, books every settlement-relevant status.
	Books Books
	// Loyalty, when set, gives the charter's loyalty terms at a policy
	// version; without it (or with terms off) no points are earned or
	// spent.
	Loyalty func(version uint64) (LoyaltyTerms, bool)
	// PointsAuth, when set, checks that a shopper of this node let
	// another member's storefront spend its points: auth is what the
	// storefront's hold carries (the shopper's ID token this node issued
	// to that storefront). Without it, only this node's own storefront
	// spends its shoppers' points.
	PointsAuth func(ctx context.Context, storefront, account string, auth []byte) error
	// Ads, when set, gives the charter's ad terms at a policy version,
	// and Campaigns the home's own campaigns; without both no sale is
	// attributed or charged.
	Ads       func(version uint64) (AdTerms, bool)
	Campaigns Campaigns
	// Reports, when set, keeps the reports other storefronts forward of
	// the reviews this one signed (review_report.go); without it they are
	// refused.
	Reports Reports
	// Profiles, when set, gives the merchants' return policies; without
	// it no part can be returned.
	Profiles Profiles
	// Terms, when set, gives the charter's complaint terms in force;
	// without it issues run on the defaults and cannot be escalated.
	Terms func() ServiceTerms
	// Reach, when set, tells which members answer now.
	Reach Reachability
	// Sync, when set, fetches catch-up pages from members (CatchUp).
	Sync SyncTransport
	// Recovering starts the service catching up after a restore: it holds
	// no new stock and lets no hold expire until EndRecovery.
	Recovering bool
	Log        *slog.Logger
	Registry   prometheus.Registerer
	Now        func() time.Time
}

// PartEvent is a status of a part, with what settlement needs.
type PartEvent struct {
	Part       string
	Storefront string
	Home       string
	Status     *Status
	At         time.Time
	// Points, when set, makes this a points event instead (Status then
	// is the status that states it, if any): earned or reversed points
	// of Part, or points redeemed by hold Part at Storefront, or given
	// back to the shopper by a refund of that hold's order.
	Points *PointsEvent
}

// PointsEvent is a points step settlement books (settlement/points.go).
type PointsEvent struct {
	// Step is PointsEarn, PointsReverse, PointsRedeem or PointsReturned.
	Step   string
	Issuer string
	// Points of this step; Earned and ReversedBefore for reversals, and
	// for returns what the hold spent and what earlier returns gave back.
	Points, Earned, ReversedBefore int64
	// Refund names a reversal's or a return's refund.
	Refund string
	// Policy is the charter version whose point value applies.
	Policy uint64
}

// Service is one node's order service: the storefront role (shoppers,
// carts, checkout, the orders shoppers follow) and the home role (holds,
// accepted parts, merchants' shipping), joined by signed messages over
// the federation. Lifecycle: New -> Run(ctx) (outbox, hold expiry,
// refunds) -> done when ctx ends; state is in Badger under "o/".
type Service struct {
	cfg       Config
	db        *badger.DB
	key       crypto.PrivKey
	self      string
	inv       Inventory
	listings  Listings
	net       Transport
	payments  map[string]Provider
	emit      Emitter
	notify    Notifier
	policy    func() uint64
	books     Books
	loyalty   func(uint64) (LoyaltyTerms, bool)
	ptsAuth   func(context.Context, string, string, []byte) error
	ads       func(uint64) (AdTerms, bool)
	campaigns Campaigns
	profiles  Profiles
	termsOf   func() ServiceTerms
	reach     Reachability
	syncer    SyncTransport
	// durable flushes committed writes to disk, shared by concurrent
	// commits (groupsync.go).
	durable *groupsync.Group
	// taken marks the statuses taken from answers (takeAnswer) until
	// their copies come (receiveStatus).
	taken   takenMarks
	handled atomic.Uint64 // messages Handle answered, for Handled
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics
	records recordCache
	reports Reports

	// homeLocks serialize the changes of one home part, shopLocks those of
	// one storefront order (and of one idempotency key), both striped by
	// id. A goroutine may take a shop lock while it holds a home lock (a
	// node's own status applied to its own order), never the reverse.
	homeLocks [lockStripes]sync.Mutex
	shopLocks [lockStripes]sync.Mutex
	// keyLocks serialize the checkouts of one Idempotency-Key and the
	// sign-ups of one e-mail address. A checkout holds its key's lock while
	// it takes shop and home locks, so they are a separate set.
	keyLocks [lockStripes]sync.Mutex
	out      *outbox
	stamps   stamps
	budget   *budgets
	// recovering is true from a start on restored data until EndRecovery.
	recovering atomic.Bool
	// restoredNewest is, per member, the newest message the restored data
	// held with it: where a catch-up during recovery starts.
	restoredNewest map[string]time.Time
}

// New returns the service; Run starts its background work.
func New(cfg Config, d Deps) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if d.DB == nil || d.Key == nil || d.Inventory == nil || d.Listings == nil || d.Transport == nil || d.Policy == nil {
		return nil, errors.New("order: New needs a database, a key, an inventory, listings, a transport and a policy")
	}
	id, err := peer.IDFromPrivateKey(d.Key)
	if err != nil {
		return nil, fmt.Errorf("order: node key: %w", err)
	}
	durable := d.Durable
	if durable == nil {
		durable = groupsync.New(d.DB.Sync, cfg.CommitDelay)
	}
	s := &Service{
		cfg: cfg, db: d.DB, key: d.Key, self: id.String(), inv: d.Inventory, listings: d.Listings, net: d.Transport,
		payments: map[string]Provider{}, emit: d.Emitter, notify: d.Notifier, policy: d.Policy, books: d.Books, loyalty: d.Loyalty, ptsAuth: d.PointsAuth, ads: d.Ads, campaigns: d.Campaigns, reports: d.Reports, profiles: d.Profiles, termsOf: d.Terms, reach: d.Reach, syncer: d.Sync,
		log: d.Log, now: d.Now, metrics: newMetrics(d.Registry, durable), durable: durable,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, p := range d.Payments {
		s.payments[p.Method()] = p
	}
	s.out = newOutbox(s)
	s.budget = newBudgets(cfg)
	s.recovering.Store(d.Recovering)
	if d.Recovering {
		if s.restoredNewest, err = s.newestPerPeer(); err != nil {
			return nil, err
		}
	}
	if err := s.loadFloor(); err != nil {
		return nil, fmt.Errorf("order: reading the stamp floor: %w", err)
	}
	if err := s.countHolds(context.Background()); err != nil {
		return nil, fmt.Errorf("order: counting holds: %w", err)
	}
	return s, nil
}

// Self is this node's peer ID.
func (s *Service) Self() string { return s.self }

// Run delivers the outbox, expires holds, pays refunds, prunes parts
// that never became orders and reminds merchants of issues' deadlines
// until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.out.run(ctx) })
	g.Go(func() error { return s.buildRecords(ctx) })
	g.Go(func() error { return s.every(ctx, time.Second, s.expireHolds) })
	g.Go(func() error { return s.every(ctx, time.Second, s.payRefunds) })
	g.Go(func() error { return s.every(ctx, time.Minute, s.pruneEnded) })
	g.Go(func() error { return s.every(ctx, min(time.Minute, s.cfg.UnpaidAfter), s.cancelUnpaid) })
	g.Go(func() error { return s.every(ctx, time.Minute, s.remindIssues) })
	g.Go(func() error { return s.every(ctx, s.pointsSweepEvery(), s.sweepPoints) })
	return g.Wait()
}

func (s *Service) every(ctx context.Context, d time.Duration, fn func(context.Context) error) error {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("order: background work failed", "err", err)
			}
		}
	}
}

// lockHome serializes the changes of one home part.
func (s *Service) lockHome(part string) func() { return stripe(&s.homeLocks, part) }

// lockKey serializes the checkouts of one Idempotency-Key.
func (s *Service) lockKey(id string) func() { return stripe(&s.keyLocks, id) }

// lockShop serializes the changes of one storefront order or cart.
func (s *Service) lockShop(id string) func() { return stripe(&s.shopLocks, id) }

// lockStripes is how many locks each set stripes its ids over. Two ids on
// one stripe wait for each other, and a checkout holds its key's stripe
// for its whole length, round trips to the homes included: with 64
// stripes, a third of 32 concurrent checkouts waited on a stranger's
// (`fedmart bench orders --mutexprofile`). With 4,096, one in a hundred
// does; the three sets take 96 KiB.
const lockStripes = 4096

func stripe(locks *[lockStripes]sync.Mutex, id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	m := &locks[h.Sum32()%uint32(len(locks))]
	m.Lock()
	return m.Unlock
}

// Flushes returns how many flushes of the database to disk the service's
// commits have joined (with the node's feeds, when it shares them: see
// Deps.Durable) and how many commits they made durable.
func (s *Service) Flushes() (flushes, commits uint64) { return s.durable.Counts() }

// Handled returns how many order messages this node has answered, refused
// ones included, for tools that measure what an order costs (fedmart
// bench).
func (s *Service) Handled() uint64 { return s.handled.Load() }

// update runs fn in a read-write transaction, retrying on conflicts, and
// syncs the commit to disk before returning: order state is acknowledged
// only once it would survive a crash.
func (s *Service) update(fn func(txn *badger.Txn) error) error {
	s.durable.Begin()
	return s.synced(s.commit(fn))
}

// commit runs fn in a read-write transaction, retrying on conflicts,
// without syncing: the caller syncs before it acknowledges anything the
// commit holds.
func (s *Service) commit(fn func(txn *badger.Txn) error) error {
	for attempt := 0; ; attempt++ {
		err := s.db.Update(fn)
		if errors.Is(err, badger.ErrConflict) && attempt < 20 {
			continue
		}
		return err
	}
}

// synced ends a commit announced with s.durable.begin, whose error is
// err: when it committed, it returns once the commit is durable (and
// every other committed before the call); when it failed, it returns err
// at once. Concurrent callers share one flush (see groupsync.Group): a
// checkout storm costs the disk a flush per batch of commits, not one
// per commit.
func (s *Service) synced(err error) error {
	if err != nil {
		s.durable.End(false)
		return err
	}
	if err := s.durable.End(true); err != nil {
		return fmt.Errorf("order: syncing: %w", err)
	}
	return nil
}

// newSigned builds and signs a message from this node.
func (s *Service) newSigned(kind, to, part string, fill func(*Message)) (*Message, []byte, error) {
	m := &Message{ID: newMessageID(), Kind: kind, From: s.self, To: to, At: s.now().UTC(), Part: part}
	if fill != nil {
		fill(m)
	}
	if err := m.sign(s.key); err != nil {
		return nil, nil, err
	}
	return m, m.Encode(), nil
}

// emitEvent queues a webhook in txn when an emitter is set.
func (s *Service) emitEvent(txn *badger.Txn, event string, payload any) error {
	if s.emit == nil {
		return nil
	}
	return s.emit.Enqueue(txn, event, payload)
}

func (s *Service) notifyEmitter() {
	if s.emit != nil {
		s.emit.Notify()
	}
}

// book queues ev for settlement in txn when books are set.
func (s *Service) book(txn *badger.Txn, ev PartEvent) error {
	if s.books == nil {
		return nil
	}
	return s.books.Enqueue(txn, ev)
}

func (s *Service) notifyBooks() {
	if s.books != nil {
		s.books.Notify()
	}
}
