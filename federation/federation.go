package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"
)

// Federation is a node's membership in its federation: its libp2p host, the
// charter chain, the gate that admits only members, the keeper that holds a
// connection to every member, and the fedmart stream protocols.
//
// Lifecycle: New (host listening, stored charter loaded) -> Run(ctx) (keeper,
// pinger, event loop until ctx ends) -> Close (host closed).
type Federation struct {
	cfg  Config
	self peer.ID
	key  crypto.PrivKey
	host host.Host
	log  *slog.Logger

	store   charterStore
	charter atomic.Pointer[SignedCharter] // current head; nil before the first charter

	applyMu sync.Mutex // serialises charter verification and application, and changes to proposals

	proposals *proposalBook // pending amendments; see Proposal
	tasks     *tasks        // stream handlers running, and the goroutines they leave behind

	states *memberStates
	wake   chan struct{} // nudges the keeper; buffered, never blocks
	// timeouts are the protocols whose inbound streams outlast
	// Config.StreamTimeout; set in New, read-only after.
	timeouts map[protocol.ID]time.Duration
	onChange []func(*Charter) // guarded by applyMu

	metrics *metrics
}

// New creates the host on cfg.Listen, gated by the stored charter, and
// registers the charter protocol. protocols are the limits of the protocol
// services that will be registered on it later (see ProtocolLimit). It does
// not dial yet; Run does.
func New(cfg Config, key crypto.PrivKey, db *badger.DB, log *slog.Logger, reg prometheus.Registerer, protocols ...ProtocolLimit) (*Federation, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	self, err := peer.IDFromPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("federation: identity: %w", err)
	}
	f := &Federation{
		cfg:       cfg,
		self:      self,
		key:       key,
		log:       log,
		store:     charterStore{db: db},
		proposals: newProposalBook(db),
		tasks:     newTasks(),
		states:    newMemberStates(),
		wake:      make(chan struct{}, 1),
		metrics:   newMetrics(reg),
	}
	head, err := f.store.head()
	switch {
	case errors.Is(err, ErrNoCharter):
	case err != nil:
		return nil, err
	default:
		f.charter.Store(head)
		f.metrics.charterVersion.Set(float64(head.Charter.Version))
	}
	if err := f.proposals.load(head, log); err != nil {
		return nil, err
	}
	if f.host, err = newHost(cfg, key, f, protocols); err != nil {
		return nil, err
	}
	f.timeouts = map[protocol.ID]time.Duration{}
	for _, p := range protocols {
		if p.Timeout > 0 {
			f.timeouts[p.ID] = p.Timeout
		}
	}
	f.registerProtocols()
	if head != nil {
		f.learnAddrs(&head.Charter)
	}
	return f, nil
}

// Self is this node's peer ID.
func (f *Federation) Self() peer.ID { return f.self }

// Host is the libp2p host, for the other protocol services of the federation
// package tree (catalog replication, order routing). It never leaves federation/.
func (f *Federation) Host() host.Host { return f.host }

// Addrs are the host's listen addresses, each with /p2p/<self> appended.
func (f *Federation) Addrs() []ma.Multiaddr {
	p2p, _ := ma.NewComponent("p2p", f.self.String())
	var out []ma.Multiaddr
	for _, a := range f.host.Addrs() {
		out = append(out, a.Encapsulate(p2p.Multiaddr()))
	}
	return out
}

// ListenAddrs are the host's listen addresses, without /p2p/.
func (f *Federation) ListenAddrs() []ma.Multiaddr { return f.host.Addrs() }

// Charter returns the current charter, or ErrNoCharter.
func (f *Federation) Charter() (*SignedCharter, error) {
	sc := f.charter.Load()
	if sc == nil {
		return nil, ErrNoCharter
	}
	return sc, nil
}

// IsMember reports whether p is an active member under the current charter.
// This node counts as a member of its own charter.
func (f *Federation) IsMember(p peer.ID) bool {
	sc := f.charter.Load()
	return sc != nil && sc.Charter.IsActive(p)
}

// OnCharter registers fn to be called, after it is stored, with every charter
// version this node applies. Register before Run.
func (f *Federation) OnCharter(fn func(*Charter)) {
	f.applyMu.Lock() // a member may send a charter while the node still registers
	defer f.applyMu.Unlock()
	f.onChange = append(f.onChange, fn)
}

// Run keeps connections to every member until ctx ends.
func (f *Federation) Run(ctx context.Context) error {
	sub, err := f.subscribeConnectedness()
	if err != nil {
		return err
	}
	defer sub.Close()
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return f.keep(ctx) })
	g.Go(func() error { return f.pingLoop(ctx) })
	g.Go(func() error { return f.resendProposals(ctx) })
	g.Go(func() error { return f.watchConnectedness(ctx, sub) })
	return g.Wait()
}

// Close shuts the host down, closing every connection, ends the contexts
// of the stream handlers still running and of the work they left behind,
// and waits for them: once it returns, none of them touches the store.
func (f *Federation) Close() error {
	err := f.host.Close()
	f.tasks.close()
	return err
}

// Submit verifies an operator-submitted charter against the current one (or,
// with none yet, as a bootstrap charter), stores it, applies it at once and
// spreads it to every member.
func (f *Federation) Submit(ctx context.Context, sc *SignedCharter) error {
	f.applyMu.Lock()
	err := f.verifyAndApply(sc, true)
	f.applyMu.Unlock()
	if err != nil {
		return err
	}
	f.spread(ctx)
	return nil
}

// verifyAndApply checks sc against the head and makes it the head. Caller
// holds applyMu. bootstrap allows a first charter of any version.
func (f *Federation) verifyAndApply(sc *SignedCharter, bootstrap bool) error {
	cur := f.charter.Load()
	var err error
	switch {
	case cur != nil:
		err = sc.Verify(&cur.Charter)
	case bootstrap:
		err = sc.VerifyBootstrap()
	default:
		err = ErrNoCharter
	}
	if err != nil {
		return err
	}
	if err := f.store.put(sc); err != nil {
		return fmt.Errorf("federation: storing charter: %w", err)
	}
	f.charter.Store(sc)
	f.apply(&sc.Charter)
	f.log.Info("charter applied", "version", sc.Charter.Version, "members", len(sc.Charter.Members))
	return nil
}

// apply makes a newly stored charter take effect: members learnt, non-members
// cut off, the keeper woken.
func (f *Federation) apply(c *Charter) {
	f.metrics.charterVersion.Set(float64(c.Version))
	f.learnAddrs(c)
	if err := f.proposals.prune(c); err != nil {
		f.log.Warn("pending amendments not pruned; they are dropped at the next start", "err", err)
	}
	for _, p := range f.host.Network().Peers() {
		if !c.IsActive(p) {
			f.log.Info("disconnecting peer outside the charter", "peer", p)
			_ = f.host.Network().ClosePeer(p)
			f.host.ConnManager().Unprotect(p, "member")
		}
	}
	for _, fn := range f.onChange {
		fn(c)
	}
	f.nudge()
}

// learnAddrs puts the charter's member addresses in the peerstore.
func (f *Federation) learnAddrs(c *Charter) {
	for _, m := range c.Members {
		id, err := peer.Decode(m.PeerID)
		if err != nil || id == f.self {
			continue
		}
		var addrs []ma.Multiaddr
		for _, a := range m.Addrs {
			if x, err := ma.NewMultiaddr(a); err == nil {
				if t, _ := peer.SplitAddr(x); t != nil { // drop a trailing /p2p/<id>
					addrs = append(addrs, t)
				}
			}
		}
		f.host.Peerstore().ClearAddrs(id)
		if m.Status == StatusActive {
			f.host.Peerstore().AddAddrs(id, addrs, peerstore.PermanentAddrTTL)
			f.host.ConnManager().Protect(id, "member")
		}
	}
}

func (f *Federation) nudge() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// DefaultStreamTimeout is exposed for protocol services built on Federation.
func (f *Federation) DefaultStreamTimeout() time.Duration { return f.cfg.StreamTimeout }
