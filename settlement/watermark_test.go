package settlement

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// enqueue queues events in one transaction, committed or not.
func enqueue(t testing.TB, l *Ledger, commit bool, events ...Event) {
	t.Helper()
	txn := l.db.NewTransaction(true)
	defer txn.Discard()
	for _, e := range events {
		if err := l.Enqueue(txn, e); err != nil {
			t.Fatal(err)
		}
	}
	if commit {
		if err := txn.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQueuePostsWhatCommitted: an event queued in a transaction that is
// discarded (the status never committed) is never posted; one that
// committed is posted exactly once, however often the queue drains; an
// event the ledger refuses is kept aside and holds nothing up.
func TestQueuePostsWhatCommitted(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	s := newLedger(t, "S", clk)
	enqueue(t, s, false, ev("gone", EventDelivered, t0, 100))
	conflicting := ev("p1", EventDelivered, t0, 999) // same part and kind, other amount
	enqueue(t, s, true, ev("p1", EventDelivered, t0, 10000), ev("p1", EventDelivered, t0, 10000), conflicting,
		ev("p2", EventDelivered, t0, 500))
	for range 2 {
		if err := s.Drain(ctx); err != nil {
			t.Fatal(err)
		}
	}
	parts := map[string]int{}
	for _, e := range entriesOf(t, s, day1, "") {
		parts[e.PartID]++
	}
	if parts["gone"] != 0 || parts["p1"] != 2 || parts["p2"] != 2 {
		t.Errorf("entries per part %v, want p1 and p2 each booked once (sale and fee)", parts)
	}
	if n, err := s.Queued(ctx); err != nil || n != 0 {
		t.Errorf("%d still queued (%v)", n, err)
	}
	refused, err := s.Refused(ctx)
	if err != nil || len(refused) != 1 || refused[0].Event.Gross.Amount != 999 || refused[0].Reason == "" {
		t.Errorf("refused %+v (%v), want the conflicting event", refused, err)
	}
	if err := s.CheckBalances(ctx); err != nil {
		t.Error(err)
	}
}

// TestARoundOfQueuedEventsIsOneCommit: a drain posts the events it reads
// in one transaction (Badger gives every entry it wrote one version);
// when the ledger refuses one of them, the round is posted one event at
// a time, the others booked and the refused one kept aside.
func TestARoundOfQueuedEventsIsOneCommit(t *testing.T) {
	ctx := context.Background()
	s := newLedger(t, "S", &clock{t: t0})
	var round []Event
	for i := range 5 {
		round = append(round, ev(fmt.Sprint("a", i), EventDelivered, t0, int64(1000+i)))
	}
	enqueue(t, s, true, round...)
	if err := s.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if v := entryVersions(t, s, "a"); len(v) != 1 {
		t.Errorf("the round's entries were written in %d commits, want 1 (%v)", len(v), v)
	}

	round = round[:0]
	for i := range 4 {
		round = append(round, ev(fmt.Sprint("b", i), EventDelivered, t0, int64(1000+i)))
	}
	round = append(round[:2], append([]Event{ev("a0", EventDelivered, t0, 999)}, round[2:]...)...) // contradicts a0
	enqueue(t, s, true, round...)
	if err := s.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if v := entryVersions(t, s, "b"); len(v) != 4 {
		t.Errorf("after a refusal the round's four events were written in %d commits, want one each (%v)", len(v), v)
	}
	parts := map[string]int{}
	for _, e := range entriesOf(t, s, day1, "") {
		parts[e.PartID]++
	}
	for i := range 4 {
		if p := fmt.Sprint("b", i); parts[p] != 2 {
			t.Errorf("part %s has %d entries, want 2 (sale and fee)", p, parts[p])
		}
	}
	refused, err := s.Refused(ctx)
	if err != nil || len(refused) != 1 || refused[0].Event.Gross.Amount != 999 {
		t.Errorf("refused %+v (%v), want the contradicting event", refused, err)
	}
	if n, err := s.Queued(ctx); err != nil || n != 0 {
		t.Errorf("%d still queued (%v)", n, err)
	}
	if err := s.CheckBalances(ctx); err != nil {
		t.Error(err)
	}
}

// TestARoundThatFailsPostsTheEventsAheadOfTheFault: an event that cannot
// be posted for now (its stored part does not decode) holds up only
// itself and what follows, as when each event had its own transaction;
// and what a discarded round logged of its entries is not logged twice.
func TestARoundThatFailsPostsTheEventsAheadOfTheFault(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	s, err := Open(newDB(t), "S", lookup(testPolicy()), slog.New(slog.NewTextHandler(&logs, nil)), (&clock{t: t0}).now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Post(ctx, ev("p1", EventDelivered, t0, 1000)); err != nil {
		t.Fatal(err)
	}
	// A round refused for its last event, after one that moves the
	// ledger's genesis back (and logs that it did).
	enqueue(t, s, true, ev("early", EventDelivered, t0.Add(-24*time.Hour), 1000), ev("p1", EventDelivered, t0, 999))
	if err := s.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "genesis moved back"); n != 1 {
		t.Errorf("the genesis's move was logged %d times, want once:\n%s", n, logs.String())
	}

	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	if err := txn.Set(partKey("bad"), []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	if err := txn.Commit(); err != nil {
		t.Fatal(err)
	}
	enqueue(t, s, true, ev("ok0", EventDelivered, t0, 1000), ev("ok1", EventDelivered, t0, 1000), ev("bad", EventDelivered, t0, 1000))
	if err := s.Drain(ctx); err == nil {
		t.Error("the drain posted an event whose stored part does not decode")
	}
	if n, err := s.Queued(ctx); err != nil || n != 1 {
		t.Errorf("%d events still queued (%v), want 1: the one whose part is corrupt", n, err)
	}
}

// entryVersions returns the Badger versions (commit timestamps) of the
// entries of the parts whose id starts with part.
func entryVersions(t *testing.T, l *Ledger, part string) map[uint64]int {
	t.Helper()
	out := map[uint64]int{}
	err := l.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixEntry), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var e Entry
			if err := it.Item().Value(e.UnmarshalBinary); err != nil {
				return err
			}
			if strings.HasPrefix(e.PartID, part) {
				out[it.Item().Version()]++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWatermarksHoldBackAPeriod: a session ends after the hellos while
// either side's watermark is short of the period's end, each side having
// recorded the other's.
func TestWatermarksHoldBackAPeriod(t *testing.T) {
	f := newFixture(t)
	f.post(t, true, true, scenario()...)
	ps, ph := f.params(true), f.params(false)
	ps.Through, ph.Through = t0.Add(30*time.Hour), t0.Add(time.Hour) // H still owes day1's statuses
	rs, rh := f.run(ps, ph)
	if !errors.Is(rs.err, ErrPeriodOpen) || !errors.Is(rh.err, ErrPeriodOpen) {
		t.Fatalf("S %v, H %v; want both waiting", rs.err, rh.err)
	}
	p, _ := f.s.Pair(context.Background(), "H")
	q, _ := f.h.Pair(context.Background(), "S")
	if !p.Theirs.Equal(ph.Through) || !q.Theirs.Equal(ps.Through) || !p.Ours.Equal(ps.Through) || p.Contact.IsZero() {
		t.Errorf("pairs after the hellos: S %+v, H %+v", p, q)
	}
	// A watermark never goes back.
	ph.Through = t0.Add(-time.Hour)
	f.run(ps, ph)
	if p, _ := f.s.Pair(context.Background(), "H"); !p.Theirs.Equal(t0.Add(time.Hour)) {
		t.Errorf("S's record of H's watermark went back to %v", p.Theirs)
	}
}

// delivery is one event reaching one side at a time.
type delivery struct {
	at   time.Time
	toS  bool
	ev   Event
	home time.Time // when H stated it
}

// TestLateTwiceReorderedAndAcrossCrashesEveryPeriodAgrees runs a month
// of random events between S and H through the queue: statuses reach S
// late, twice and out of order, S restarts now and then, and each period
// is settled as soon as both watermarks pass its end. Every period agrees
// at the first session, with no entry restored, moved or disputed.
func TestLateTwiceReorderedAndAcrossCrashesEveryPeriodAgrees(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(21, 4))
	f := newFixture(t)
	start := t0.Add(-14 * time.Hour) // midnight of day1
	var plan []delivery
	for i := range 120 {
		part := "q" + string(rune('A'+i%26)) + string(rune('a'+i/26))
		at := start.Add(time.Duration(rng.IntN(8*24*3600)) * time.Second)
		gross := 100 + rng.Int64N(50000)
		evs := []Event{ev(part, EventAccepted, at, gross), ev(part, EventDelivered, at.Add(time.Duration(rng.IntN(36*3600))*time.Second), gross)}
		if rng.IntN(4) == 0 {
			evs = append(evs, refund(part, "r", evs[1].At.Add(time.Duration(rng.IntN(72*3600))*time.Second), 1+rng.Int64N(gross)))
		}
		for _, e := range evs {
			plan = append(plan, delivery{at: e.At, ev: e, home: e.At})
			lag := time.Duration(rng.IntN(3*24*3600)) * time.Second
			plan = append(plan, delivery{at: e.At.Add(lag), toS: true, ev: e, home: e.At})
			if rng.IntN(10) == 0 {
				plan = append(plan, delivery{at: e.At.Add(lag + time.Hour), toS: true, ev: e, home: e.At})
			}
		}
	}
	slices.SortStableFunc(plan, func(a, b delivery) int { return a.at.Compare(b.at) })
	settled := 0
	next := start
	for now := start; now.Before(start.Add(14 * 24 * time.Hour)); now = now.Add(time.Hour) {
		f.clk.set(now)
		for len(plan) > 0 && !plan[0].at.After(now) {
			d := plan[0]
			plan = plan[1:]
			l := map[bool]*Ledger{true: f.s, false: f.h}[d.toS]
			enqueue(t, l, true, d.ev)
		}
		if rng.IntN(50) == 0 {
			reopened, err := Open(f.s.db, "S", f.s.policies, nil, f.clk.now)
			if err != nil {
				t.Fatal(err)
			}
			f.s = reopened
		}
		// H's watermark to S: nothing it stated before it is still on its
		// way to S.
		through := now
		for _, d := range plan {
			if d.toS && d.home.Before(through) {
				through = d.home
			}
		}
		for PeriodOf(next, 24*time.Hour).End.Before(through) && PeriodOf(next, 24*time.Hour).End.Before(now) {
			period := PeriodOf(next, 24*time.Hour).Name
			ps, ph := f.params(true), f.params(false)
			ps.Period, ph.Period = period, period
			ps.Through, ph.Through = now, through
			f.sameBefore(t, period)
			rs, rh := f.run(ps, ph)
			f.checkAgreedAt(t, rs, rh, period)
			settled++
			next = next.Add(24 * time.Hour)
		}
	}
	if settled < 10 {
		t.Fatalf("only %d periods settled", settled)
	}
	for _, l := range []*Ledger{f.s, f.h} {
		if err := l.CheckBalances(ctx); err != nil {
			t.Error(err)
		}
	}
	t.Logf("%d periods agreed at their first session", settled)
}

// sameBefore asserts that S and H hold the same entries of period before
// they meet: the watermarks let nothing be missing.
func (f *fixture) sameBefore(t *testing.T, period string) {
	t.Helper()
	for _, l := range []*Ledger{f.s, f.h} {
		if err := l.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := encoded(t, f.s, period, "H"), encoded(t, f.h, period, "S"); !sameBytes(a, b) {
		t.Fatalf("period %s: S holds %d entries, H %d, before they meet", period, len(a), len(b))
	}
}

// checkAgreedAt asserts that a session agreed period with nothing to
// restore: both sides held the same entries when they met.
func (f *fixture) checkAgreedAt(t *testing.T, rs, rh sessionResult, period string) {
	t.Helper()
	if rs.err != nil || rh.err != nil {
		t.Fatalf("period %s: S %v, H %v", period, rs.err, rh.err)
	}
	if rs.st.Status != StatusAgreed || rh.st.Status != StatusAgreed || rs.st.Digest != rh.st.Digest {
		t.Fatalf("period %s: S %s %s, H %s %s", period, rs.st.Status, rs.st.Digest, rh.st.Status, rh.st.Digest)
	}
}

// TestRunDrainsFromTheNewestPosted: Run's drains start a little before
// the newest event drains posted, past the deleted entries before it; an
// event whose transaction committed long after its Enqueue is posted by
// the drain from the head that Run makes every fullDrainEvery, and by
// Drain, which a session calls before it counts.
func TestRunDrainsFromTheNewestPosted(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	l := newLedger(t, "S", clk)
	runDrain := func() {
		t.Helper()
		if err := l.drain(ctx, l.drainStart()); err != nil {
			t.Fatal(err)
		}
	}
	queued := func() int {
		t.Helper()
		n, err := l.Queued(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	enqueue(t, l, true, ev("p1", EventDelivered, t0, 100))
	runDrain()
	if n := queued(); n != 0 || l.dfloor == 0 {
		t.Fatalf("%d queued after the first drain, floor %d", n, l.dfloor)
	}
	late := func(part string) {
		t.Helper()
		b, err := json.Marshal(ev(part, EventDelivered, t0, 100))
		if err != nil {
			t.Fatal(err)
		}
		key := fmt.Appendf(nil, "%s%020d", prefixQueue, l.dfloor-int64(2*floorLag))
		if err := l.db.Update(func(txn *badger.Txn) error { return txn.Set(key, b) }); err != nil {
			t.Fatal(err)
		}
	}
	late("p2")
	runDrain()
	if n := queued(); n != 1 {
		t.Fatalf("%d queued, want the late event still there", n)
	}
	clk.set(t0.Add(fullDrainEvery))
	runDrain()
	if n := queued(); n != 0 {
		t.Fatalf("%d queued after the drain from the head", n)
	}
	late("p3")
	if err := l.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := queued(); n != 0 {
		t.Fatalf("%d queued after Drain", n)
	}
	parts := map[string]int{}
	for _, e := range entriesOf(t, l, day1, "") {
		parts[e.PartID]++
	}
	if parts["p1"] != 2 || parts["p2"] != 2 || parts["p3"] != 2 {
		t.Errorf("entries per part %v, want p1, p2 and p3 each booked once (sale and fee)", parts)
	}
}
