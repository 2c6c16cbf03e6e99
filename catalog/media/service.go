package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"
)

// Transport carries pictures between members; federation/mediawire
// implements it over libp2p, the tests in memory.
type Transport interface {
	// Fetch asks member peer for the canonical file of the picture with
	// hash. An answer over max bytes is refused unread; a member that
	// does not hold it answers ErrNotFound.
	Fetch(ctx context.Context, peer, hash string, max int) ([]byte, error)
}

// Homes names the members to ask for a picture; the catalog satisfies it
// from its index of the pictures live listings show.
type Homes interface {
	// ImageHomes lists the home platforms (peer IDs) of the live
	// listings that show the picture with hash, at most limit of them.
	ImageHomes(hash string, limit int) ([]string, error)
}

// Deps are what a Service needs besides its store.
type Deps struct {
	// Self is this node's peer ID, never asked for a picture.
	Self string
	// Homes names the members to ask (required).
	Homes Homes
	// Transport reaches them (required).
	Transport Transport
	// Log receives refusals of members' bytes; nil discards.
	Log *slog.Logger
	// Registry gets the service's metrics; nil registers none.
	Registry prometheus.Registerer
	// Now is the budgets' clock; nil is time.Now.
	Now func() time.Time
}

// maxHomes bounds the members asked for one picture.
const maxHomes = 4

// Service serves the federation's pictures on this node: those it
// stores, and those only other members hold, which it fetches from the
// home of a listing that shows them, checks against their hash, stores
// and derives sizes of, once. It hands its canonical files out to the
// members that ask. Both ways, each member has a budget (peerBudgets);
// the pages charge the client that makes this node fetch (Open's charge).
// It is safe for concurrent use.
type Service struct {
	store   *Store
	deps    Deps
	log     *slog.Logger
	fetches *peerBudgets // what this node takes from each member
	lends   *peerBudgets // what it hands out to each member
	failed  failures
	flight  singleflight.Group // one fetch per picture at a time
	metrics *metrics
}

// NewService returns the service of store's pictures.
func NewService(store *Store, deps Deps) (*Service, error) {
	if store == nil || deps.Homes == nil || deps.Transport == nil {
		return nil, errors.New("media: NewService needs a store, Homes and a Transport")
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	cfg := store.cfg
	return &Service{store: store, deps: deps, log: deps.Log,
		fetches: newPeerBudgets(cfg, deps.Now), lends: newPeerBudgets(cfg, deps.Now),
		failed: failures{ttl: cfg.RetryAfter, now: deps.Now}, metrics: newMetrics(deps.Registry)}, nil
}

// Store is the service's store.
func (s *Service) Store() *Store { return s.store }

// Open returns a size of the picture with hash. When this node does not
// hold the picture, and live listings here that show it have homes
// elsewhere, it calls charge (nil charges nothing), whose error refuses
// the fetch as ErrBudget, and fetches the picture from those homes. A
// picture no listing here shows, or no member handed out, is
// ErrNotFound; one no member handed out is not asked for again for
// Config.RetryAfter.
func (s *Service) Open(ctx context.Context, hash string, size Size, charge func() error) (*File, error) {
	f, err := s.store.Open(hash, size)
	if !errors.Is(err, ErrNotFound) {
		return f, err
	}
	if s.failed.recent(hash) {
		return nil, fmt.Errorf("%w: %s (no member handed it out a moment ago)", ErrNotFound, hash)
	}
	homes, err := s.homes(hash)
	if err != nil {
		return nil, err
	}
	if len(homes) == 0 {
		return nil, fmt.Errorf("%w: %s: no live listing here shows it", ErrNotFound, hash)
	}
	if charge != nil {
		if err := charge(); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBudget, err)
		}
	}
	// The fetch is shared by every request for the picture, so it must
	// not end with the one that started it.
	_, err, _ = s.flight.Do(hash, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.store.cfg.FetchTimeout)
		defer cancel()
		return nil, s.fetch(fctx, hash, homes)
	})
	if err != nil {
		return nil, err
	}
	return s.store.Open(hash, size)
}

// homes are the members to ask for hash: the other homes of the live
// listings here that show it, at most maxHomes.
func (s *Service) homes(hash string) ([]string, error) {
	all, err := s.deps.Homes.ImageHomes(hash, maxHomes+1)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(all))
	for _, p := range all {
		if p != s.deps.Self && len(out) < maxHomes {
			out = append(out, p)
		}
	}
	return out, nil
}

// fetch asks homes for the canonical file of hash, one after another,
// until one hands out bytes that match. When none does, the picture is
// remembered as missing, unless a member was only over its budget (it
// may hand the picture out in a moment).
func (s *Service) fetch(ctx context.Context, hash string, homes []string) error {
	var errs []error
	for _, peer := range homes {
		err := s.fetchFrom(ctx, peer, hash)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	err := errors.Join(errs...)
	if errors.Is(err, ErrBudget) {
		return err
	}
	s.failed.add(hash)
	return fmt.Errorf("%w: %s: %w", ErrNotFound, hash, err)
}

// fetchFrom takes the picture from one member, within its budget, and
// stores it if the bytes match the hash.
func (s *Service) fetchFrom(ctx context.Context, peer, hash string) error {
	end, err := s.fetches.begin(ctx, peer)
	if err != nil {
		s.metrics.fetches.WithLabelValues("budget").Inc()
		return err
	}
	data, err := s.deps.Transport.Fetch(ctx, peer, hash, MaxCanonicalBytes)
	end(len(data))
	if err != nil {
		s.metrics.fetches.WithLabelValues("failed").Inc()
		return fmt.Errorf("from %s: %w", peer, err)
	}
	if _, err := s.store.Adopt(hash, data); err != nil {
		if errors.Is(err, ErrMismatch) || errors.Is(err, ErrTooLarge) {
			s.metrics.fetches.WithLabelValues("refused").Inc()
			s.log.Warn("media: a member handed out bytes that are not the picture asked for; nothing kept", "peer", peer, "hash", hash, "err", err)
		}
		return fmt.Errorf("from %s: %w", peer, err)
	}
	s.metrics.fetches.WithLabelValues("ok").Inc()
	return nil
}

// Lend returns the canonical file of the picture with hash for member
// peer, within the member's budget: ErrNotFound when this node does not
// hold it, ErrBudget when the member spent its budget.
func (s *Service) Lend(ctx context.Context, peer, hash string) ([]byte, error) {
	end, err := s.lends.begin(ctx, peer)
	if err != nil {
		s.metrics.lends.WithLabelValues("budget").Inc()
		return nil, err
	}
	data, _, err := s.store.Canonical(hash)
	end(len(data))
	switch {
	case errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid):
		s.metrics.lends.WithLabelValues("not_found").Inc()
	case err != nil:
		s.metrics.lends.WithLabelValues("failed").Inc()
	default:
		s.metrics.lends.WithLabelValues("ok").Inc()
	}
	return data, err
}

type metrics struct {
	fetches *prometheus.CounterVec // pictures asked of members, by result
	lends   *prometheus.CounterVec // pictures members asked for, by result
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedmart_media_fetches_total",
			Help: "Pictures this node asked of members, by result (ok, failed, refused: bytes that did not match, budget)."}, []string{"result"}),
		lends: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedmart_media_lends_total",
			Help: "Pictures members asked of this node, by result (ok, not_found, failed, budget)."}, []string{"result"}),
	}
	if reg != nil {
		reg.MustRegister(m.fetches, m.lends)
	}
	return m
}
