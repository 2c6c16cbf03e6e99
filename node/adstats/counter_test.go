package adstats

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newCounter(t *testing.T) (*Counter, *badger.DB, *clock) {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := &clock{t: time.Date(2026, 3, 2, 23, 0, 0, 0, time.UTC)}
	c, err := New(Config{Interval: time.Millisecond}, db, clk.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return c, db, clk
}

func figures(t *testing.T, c *Counter, from time.Time) map[string]Campaign {
	t.Helper()
	list, err := c.Since(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Campaign{}
	for _, cp := range list {
		out[cp.Campaign] = cp
	}
	return out
}

// TestCountsAddUpAcrossFlushesAndDays: counts made by many goroutines
// while Run flushes add up exactly, flushed or not; a day before from is
// left out.
func TestCountsAddUpAcrossFlushesAndDays(t *testing.T) {
	c, _, clk := newCounter(t)
	c.Impressions("p.m.a", "p.m.b")
	c.Click("p.m.a")
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	clk.add(2 * time.Hour) // the next UTC day
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- c.Run(ctx) }()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				c.Impressions("p.m.a")
			}
			c.Click("p.m.a")
		}()
	}
	wg.Wait()
	got := figures(t, c, clk.Now().Add(-48*time.Hour))
	if a := got["p.m.a"]; a.Impressions != 4001 || a.Clicks != 9 {
		t.Errorf("p.m.a over both days, while Run flushes: %+v, want 4001 impressions and 9 clicks", a)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	today := figures(t, c, clk.Now())
	if a, b := today["p.m.a"], today["p.m.b"]; a.Impressions != 4000 || a.Clicks != 8 || b.Impressions != 0 {
		t.Errorf("today only: a %+v, b %+v, want 4000 impressions and 8 clicks of a, nothing of b", a, b)
	}
}

// TestSaleStepsCountOnce: a charge and a reversal add up to the net
// share; a step recorded again counts once; a bad id is refused.
func TestSaleStepsCountOnce(t *testing.T) {
	c, db, clk := newCounter(t)
	at := clk.Now()
	steps := []struct {
		step string
		s    Sale
	}{
		{"charge", Sale{At: at, Sales: 1, Share: 300}},
		{"charge", Sale{At: at, Sales: 1, Share: 300}},
		{"r1", Sale{At: at, Share: -100}},
	}
	for _, st := range steps {
		if err := db.Update(func(txn *badger.Txn) error { return RecordSale(txn, "p.m.a", "part1", st.step, st.s) }); err != nil {
			t.Fatal(err)
		}
	}
	if a := figures(t, c, at)["p.m.a"]; a.Sales != 1 || a.Revenue != 200 {
		t.Errorf("figures %+v, want 1 sale and 200 of revenue", a)
	}
	if err := db.Update(func(txn *badger.Txn) error { return RecordSale(txn, "p/m", "part1", "charge", Sale{}) }); err == nil {
		t.Error("a campaign id with a slash was kept")
	}
}
