package adstats

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// Key prefixes.
const (
	prefixDay  = "n/ads/d/"
	prefixSale = "n/ads/s/"
)

// Config configures a Counter.
type Config struct {
	// Interval is how often counts are written to Badger (default 5 s).
	Interval time.Duration
}

// DefaultInterval is Config.Interval's default.
const DefaultInterval = 5 * time.Second

// Validate checks the configuration; messages name the key.
func (c Config) Validate() error {
	if c.Interval < 0 || c.Interval > time.Hour {
		return fmt.Errorf("adstats.interval: must be between 0 (the default, %s) and 1h, not %s", DefaultInterval, c.Interval)
	}
	return nil
}

// Counts are a campaign's impressions and clicks.
type Counts struct {
	Impressions int64 `json:"impressions"`
	Clicks      int64 `json:"clicks"`
}

// dayKey is one campaign's counts of one UTC day.
type dayKey struct{ day, campaign string }

// Counter counts impressions and clicks per campaign per day; it is
// safe for concurrent use.
type Counter struct {
	db       *badger.DB
	now      func() time.Time
	log      *slog.Logger
	interval time.Duration

	mu      sync.Mutex // guards pending
	pending map[dayKey]Counts
	// flushing is held by Flush from taking the pending counts until they
	// are committed, and by Since while it reads the stored and pending
	// counts, so that a read never misses a batch on its way to Badger.
	flushing sync.RWMutex
}

// New returns a counter over db; now is the clock (days are UTC).
func New(cfg Config, db *badger.DB, now func() time.Time, log *slog.Logger) (*Counter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	return &Counter{db: db, now: now, log: log, interval: cfg.Interval, pending: map[dayKey]Counts{}}, nil
}

// day is t's UTC day, YYYY-MM-DD.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// Impressions counts one impression of each of campaigns (a campaign
// named twice was shown in two slots).
func (c *Counter) Impressions(campaigns ...string) {
	d := day(c.now())
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range campaigns {
		k := dayKey{d, id}
		n := c.pending[k]
		n.Impressions++
		c.pending[k] = n
	}
}

// Click counts one click on a slot of campaign.
func (c *Counter) Click(campaign string) {
	k := dayKey{day(c.now()), campaign}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.pending[k]
	n.Clicks++
	c.pending[k] = n
}

// Run writes the counts every interval until ctx ends, then once more.
func (c *Counter) Run(ctx context.Context) error {
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return c.Flush()
		case <-t.C:
			if err := c.Flush(); err != nil {
				c.log.Warn("writing sponsored slot counts", "err", err)
			}
		}
	}
}

// Flush writes the counts not written yet in one transaction; on an
// error they are kept for the next flush.
func (c *Counter) Flush() error {
	c.flushing.Lock()
	defer c.flushing.Unlock()
	c.mu.Lock()
	batch := c.pending
	c.pending = map[dayKey]Counts{}
	c.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := c.db.Update(func(txn *badger.Txn) error {
		for k, n := range batch {
			key := []byte(prefixDay + k.day + "/" + k.campaign)
			had, err := readCounts(txn, key)
			if err != nil {
				return err
			}
			if err := txn.Set(key, encodeCounts(Counts{had.Impressions + n.Impressions, had.Clicks + n.Clicks})); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		c.mu.Lock()
		for k, n := range batch {
			p := c.pending[k]
			c.pending[k] = Counts{p.Impressions + n.Impressions, p.Clicks + n.Clicks}
		}
		c.mu.Unlock()
		return fmt.Errorf("adstats: flushing %d counts: %w", len(batch), err)
	}
	return nil
}

func readCounts(txn *badger.Txn, key []byte) (Counts, error) {
	it, err := txn.Get(key)
	if err == badger.ErrKeyNotFound {
		return Counts{}, nil
	}
	if err != nil {
		return Counts{}, err
	}
	var n Counts
	err = it.Value(func(v []byte) error {
		if len(v) != 16 {
			return fmt.Errorf("adstats: %s: %d bytes, want 16", key, len(v))
		}
		n = Counts{int64(binary.BigEndian.Uint64(v)), int64(binary.BigEndian.Uint64(v[8:]))}
		return nil
	})
	return n, err
}

func encodeCounts(n Counts) []byte {
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b, uint64(n.Impressions))
	binary.BigEndian.PutUint64(b[8:], uint64(n.Clicks))
	return b
}
