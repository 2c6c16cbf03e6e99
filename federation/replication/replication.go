package replication

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/fedmart/fedmart/federation"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
)

// Outcome is what applying one record did.
type Outcome int

// Outcomes of Store.StoreVerified.
const (
	// Stored: the record was new and is now stored; relay it.
	Stored Outcome = iota
	// Known: a duplicate or an older version; drop it quietly.
	Known
	// Refused: forged, oversize, malformed or from a non-member; never relay.
	Refused
	// Early: dated too far ahead of this node's clock. Not stored and not
	// relayed, but not held against the member that relayed it (its
	// clock may run a little ahead of this one's): it becomes acceptable
	// later, and a catch-up then brings it.
	Early
)

// Result is what storing one record did.
type Result struct {
	Outcome Outcome
	// Gap reports that the record's origin has stored records above its
	// high-water mark, so some may be missing.
	Gap bool
	// Origin is the stored record's origin (when Gap is set).
	Origin string
	// Err explains a Refused or Early outcome.
	Err error
}

// Verified is a batch of records that Store.Verify decoded and checked and
// that Store.StoreVerified has not stored yet.
type Verified interface{ Len() int }

// Store is the catalog as replication sees it.
type Store interface {
	// Verify decodes and verifies records without storing them (and
	// without taking the store's write lock), so that one batch is
	// verified while the one before is stored.
	Verify(raws [][]byte) Verified
	// StoreVerified stores a batch from Verify, one result per record, in
	// order: what applying each record on its own would have done.
	StoreVerified(v Verified) []Result
	// Marks returns the per-origin high-water marks.
	Marks() map[string]uint64
	// Vouched returns the marks this node vouches for to a member whose
	// catch-up it answers: all of Marks when it holds every record, only
	// those of origins it holds in full otherwise (a node that holds some
	// category shards skips the others' records).
	Vouched() map[string]uint64
	// Since calls fn with batches of stored records above marks.
	Since(marks map[string]uint64, batch int, fn func(raw [][]byte) error) error
	// AdvanceMark raises origin's mark to seq after a complete catch-up.
	AdvanceMark(origin string, seq uint64) error
	// Origin returns origin's mark and the highest of its seqs stored.
	Origin(origin string) (mark, top uint64)
}

// Config tunes replication.
type Config struct {
	// MaxRecordBytes caps one record (default 64 KiB); larger messages are
	// refused by GossipSub before any validator runs.
	MaxRecordBytes int `yaml:"max_record_bytes"`
	// SyncInterval is the mean time between periodic catch-up rounds, one
	// catch-up with every connected member each (default 10s).
	SyncInterval time.Duration `yaml:"sync_interval"`
	// SyncBatch is the number of records per batch on the catch-up stream (default 512).
	SyncBatch int `yaml:"sync_batch"`
	// PublishQueue bounds records waiting to be published (default 8192);
	// when full, records wait for catch-up instead.
	PublishQueue int `yaml:"publish_queue"`
	// MessageSigning is "none" (default: GossipSub carries records bare)
	// or "strict" (GossipSub also signs every message and verifies every
	// signature). Every record is signed end to end by its origin and
	// verified before it is stored or relayed, and every relay is an
	// authenticated member, so "strict" adds no authenticity while costing
	// a signature and, on every member, one more verification per message
	// (README, "Message signing"). All members of a federation must use the
	// same setting.
	MessageSigning string `yaml:"message_signing"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{MaxRecordBytes: 64 << 10, SyncInterval: 10 * time.Second, SyncBatch: 512, PublishQueue: 8192, MessageSigning: "none"}
}

// Validate names the offending key under "replication.".
func (c Config) Validate() error {
	switch {
	case c.MaxRecordBytes < 1024 || c.MaxRecordBytes > 1<<20:
		return fmt.Errorf("replication.max_record_bytes: must be between 1024 and 1048576")
	case c.SyncInterval < 100*time.Millisecond:
		return fmt.Errorf("replication.sync_interval: must be at least 100ms")
	case c.SyncBatch < 1 || c.SyncBatch > 10000:
		return fmt.Errorf("replication.sync_batch: must be between 1 and 10000")
	case c.PublishQueue < 1:
		return fmt.Errorf("replication.publish_queue: must be at least 1")
	case c.MessageSigning != "strict" && c.MessageSigning != "none":
		return fmt.Errorf(`replication.message_signing: must be "strict" or "none"`)
	}
	return nil
}

// QueueSize is the depth of GossipSub's per-peer outbound queue and of its
// validation queue. The defaults (32) drop messages when a merchant's bulk
// feed publishes thousands of records at once; catch-up would repair that,
// but only at its next run.
const QueueSize = 8192

// SeenTTL is how long GossipSub remembers a message id it has seen. Its
// default (2 minutes) holds every id of a bulk load: at 10,000 records/s,
// over a million ids (tens of MB). Copies of a message arrive within the
// flood and the mesh's forwards, and gossip advertises only the last three
// heartbeats (3 s; the message cache keeps five): 30 s covers them six
// times over. A copy that arrives later still is a duplicate to the
// catalog, which ignores it without relaying it.
const SeenTTL = 30 * time.Second

// Replicator runs both paths for one node.
type Replicator struct {
	cfg      Config
	fed      *federation.Federation
	store    Store
	log      *slog.Logger
	ps       *pubsub.PubSub
	outbox   chan []byte    // own records waiting to be published
	applyq   chan applyReq  // records from the topic's validators, for the applier
	applied  chan struct{}  // closed when the applier has stopped
	wanted   chan peer.ID   // catch-up requests; buffered, deduplicated by the worker
	gaps     chan gapNotice // gaps gossip revealed, for the sync loop to watch
	metrics  *metrics
	progress *progress

	totalsMu sync.Mutex // guards totals
	totals   Stats      // all catch-ups as requester, since New
}

// Totals adds up every catch-up this node ran as requester.
func (r *Replicator) Totals() Stats {
	r.totalsMu.Lock()
	defer r.totalsMu.Unlock()
	return r.totals
}

// New creates the GossipSub router on the federation's host and registers
// the catch-up protocol. Run joins the topic once a charter is in force.
func New(ctx context.Context, cfg Config, fed *federation.Federation, store Store, log *slog.Logger, reg prometheus.Registerer) (*Replicator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &Replicator{
		cfg: cfg, fed: fed, store: store, log: log,
		outbox:   make(chan []byte, cfg.PublishQueue),
		applyq:   make(chan applyReq),
		applied:  make(chan struct{}),
		wanted:   make(chan peer.ID, 64),
		gaps:     make(chan gapNotice, 256),
		metrics:  newMetrics(reg),
		progress: newProgress(),
	}
	ps, err := pubsub.NewGossipSub(ctx, fed.Host(),
		pubsub.WithMessageSignaturePolicy(signaturePolicy(cfg.MessageSigning)),
		pubsub.WithMessageIdFn(func(m *pb.Message) string { h := sha256.Sum256(m.Data); return string(h[:]) }),
		pubsub.WithFloodPublish(true),
		pubsub.WithPeerExchange(false),
		pubsub.WithMaxMessageSize(cfg.MaxRecordBytes+4096),
		pubsub.WithPeerFilter(func(p peer.ID, _ string) bool { return fed.IsMember(p) }),
		pubsub.WithPeerOutboundQueueSize(QueueSize),
		pubsub.WithValidateQueueSize(QueueSize),
		pubsub.WithSeenMessagesTTL(SeenTTL),
	)
	if err != nil {
		return nil, fmt.Errorf("replication: gossipsub: %w", err)
	}
	r.ps = ps
	fed.Handle(SyncProtocol, r.serveSync)
	return r, nil
}

// Publish queues one of this node's own records for the live path. It never
// blocks: if the queue is full the record is left to catch-up.
func (r *Replicator) Publish(raw []byte) {
	select {
	case r.outbox <- raw:
	default:
		r.metrics.dropped.Inc()
	}
}

// Run joins the federation's topic and runs the live and catch-up paths
// until ctx ends.
func (r *Replicator) Run(ctx context.Context) error {
	fedID, err := r.waitCharter(ctx)
	if err != nil || fedID == "" {
		return err
	}
	// The applier runs before the validator is registered and stops after
	// the topic is closed (defers run last in, first out).
	actx, stopApply := context.WithCancel(ctx)
	applyDone := make(chan struct{})
	go func() { defer close(applyDone); _ = r.applyLoop(actx) }()
	defer func() { stopApply(); <-applyDone }()
	topic, err := r.join(fedID)
	if err != nil {
		return err
	}
	defer topic.Close()
	sub, err := topic.Subscribe(pubsub.WithBufferSize(4096))
	if err != nil {
		return fmt.Errorf("replication: subscribe: %w", err)
	}
	defer sub.Cancel()
	conns, err := r.watchConnections()
	if err != nil {
		return err
	}
	defer conns.Close()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return r.publishLoop(ctx, topic) })
	g.Go(func() error { return r.drain(ctx, sub) })
	g.Go(func() error { return r.syncLoop(ctx, conns) })
	return g.Wait()
}

// waitCharter returns the federation id once a charter is in force.
func (r *Replicator) waitCharter(ctx context.Context) (string, error) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		if sc, err := r.fed.Charter(); err == nil {
			return sc.Charter.FederationID, nil
		}
		select {
		case <-ctx.Done():
			return "", nil
		case <-t.C:
		}
	}
}

func signaturePolicy(mode string) pubsub.MessageSignaturePolicy {
	if mode == "none" {
		return pubsub.StrictNoSign
	}
	return pubsub.StrictSign
}

// TopicName is the GossipSub topic of a federation's catalog.
func TopicName(federationID string) string { return "/fedmart/catalog/" + federationID + "/1" }

func jitter(mean time.Duration) time.Duration {
	return mean/2 + rand.N(mean)
}
