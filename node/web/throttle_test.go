package web

import (
	"fmt"
	"testing"
	"time"

	"github.com/fedmart/fedmart/node/budget"
)

func TestThrottleDelaysDoubleUpToACap(t *testing.T) {
	want := []time.Duration{0, 0, 5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, 320 * time.Second, 640 * time.Second, MaxDelay, MaxDelay, MaxDelay}
	c := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	th := NewThrottle(c.Now)
	for i, w := range want {
		if got := th.Failed("pair"); got != w {
			t.Errorf("failure %d: wait %s, want %s", i+1, got, w)
		}
		c.Advance(w)
	}
	// A pair that has not failed for a day starts from nothing.
	c.Advance(ForgetAfter)
	if got := th.Failed("pair"); got != 0 {
		t.Errorf("a day later: wait %s, want none", got)
	}
}

func TestThrottleTableEvictsTheOldestPairsOnly(t *testing.T) {
	c := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	th := &Throttle{now: c.Now, pairs: budget.NewTable[failures](100)}
	fail := func(pair string, n int) {
		for range n {
			th.Failed(pair)
		}
	}
	fail("early", FreeFailures+1)
	for i := range 99 {
		fail(fmt.Sprint("flood", i), 1)
	}
	fail("late", FreeFailures+1)
	for i := range 50 {
		fail(fmt.Sprint("more", i), 1)
	}
	if n := th.pairs.Len(); n != 100 {
		t.Errorf("%d pairs kept, want 100", n)
	}
	if th.Wait("early") != 0 {
		t.Error("the oldest pair is still kept")
	}
	if th.Wait("late") == 0 {
		t.Error("a recent pair was forgotten with the oldest")
	}
}

// testClock is a clock the test moves on.
type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time          { return c.t }
func (c *testClock) Advance(d time.Duration) { c.t = c.t.Add(d) }
