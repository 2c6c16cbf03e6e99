package settlement

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// t0 is inside period 2026-11-24 of testPolicy (one day).
var t0 = time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)

const day1, day2, day3 = "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z", "2026-11-26T00:00:00Z"

// clock is a settable clock for ledgers.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func newDB(t testing.TB) *badger.DB {
	t.Helper()
	// Small memtables: a property test opens a ledger per member per
	// round, each kept until the test ends, and Badger's default of 64 MiB
	// each would hold gigabytes.
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil).WithMemTableSize(16 << 20))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func lookup(ps ...Policy) PolicyLookup {
	return func(v uint64) (Policy, bool) {
		for _, p := range ps {
			if p.Version == v {
				return p, true
			}
		}
		return Policy{}, false
	}
}

func newLedger(t testing.TB, self string, clk *clock, ps ...Policy) *Ledger {
	t.Helper()
	if len(ps) == 0 {
		ps = []Policy{testPolicy()}
	}
	l, err := Open(newDB(t), self, lookup(ps...), nil, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// ev builds an event of a part sold on S for a merchant of H.
func ev(part, kind string, at time.Time, gross int64) Event {
	return Event{PartID: part, Kind: kind, Storefront: "S", Home: "H", Merchant: "m1", Category: "toys/",
		Gross: Money{Amount: gross, Currency: "EUR"}, PolicyVersion: 1, At: at}
}

func refund(part, name string, at time.Time, gross int64) Event {
	e := ev(part, EventRefunded, at, gross)
	e.RefundOf = name
	return e
}

// refundAfter states that earlier refunds of e's part gave back before of
// its items.
func refundAfter(e Event, before int64) Event {
	e.ItemsRefundedBefore = before
	return e
}

func postAll(t testing.TB, events []Event, ls ...*Ledger) {
	t.Helper()
	for _, l := range ls {
		for _, e := range events {
			if _, err := l.Post(context.Background(), e); err != nil {
				t.Fatalf("%s: Post(%s %s): %v", l.Self(), e.PartID, e.Kind, err)
			}
		}
	}
}

// encoded returns the canonical bytes of the entries of a period with cp.
func encoded(t testing.TB, l *Ledger, period, cp string) [][]byte {
	t.Helper()
	var out [][]byte
	err := l.Entries(context.Background(), period, cp, func(e Entry) error {
		b, _ := e.MarshalBinary()
		out = append(out, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func entriesOf(t testing.TB, l *Ledger, period, cp string) []Entry {
	t.Helper()
	var out []Entry
	if err := l.Entries(context.Background(), period, cp, func(e Entry) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameBytes(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func balance(t testing.TB, l *Ledger, account string) int64 {
	t.Helper()
	bs, err := l.Balances(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Account == account {
			return b.Amount.Amount
		}
	}
	return 0
}

// scenario is a day of business across two periods.
func scenario() []Event {
	return []Event{
		ev("p1", EventAccepted, t0, 10000),
		ev("p1", EventDelivered, t0.Add(time.Hour), 10000),
		ev("p2", EventAccepted, t0, 2599),
		ev("p2", EventDelivered, t0.Add(2*time.Hour), 2599),
		refund("p2", "r1", t0.Add(3*time.Hour), 1000),
		refundAfter(refund("p2", "r2", t0.Add(26*time.Hour), 1599), 1000),
		ev("p3", EventAccepted, t0, 500),
		ev("p3", EventCancelled, t0.Add(time.Hour), 500), // never payable: no entry
		ev("p4", EventAccepted, t0, 777),                 // not delivered yet: no entry
		ev("p5", EventDelivered, t0.Add(20*time.Hour), 12345),
	}
}

func TestLedgerBothSidesHoldIdenticalEntries(t *testing.T) {
	clk := &clock{t: t0.Add(48 * time.Hour)}
	s, h, tr := newLedger(t, "S", clk), newLedger(t, "H", clk), newLedger(t, "T", clk)
	postAll(t, scenario(), s, h, tr)

	for _, period := range []string{day1, day2} {
		if a, b := encoded(t, s, period, "H"), encoded(t, h, period, "S"); len(a) == 0 || !sameBytes(a, b) {
			t.Errorf("period %s: S holds %d entries with H, H holds %d with S, or they differ", period, len(a), len(b))
		}
		if a, b := encoded(t, s, period, "T"), encoded(t, tr, period, "S"); len(a) == 0 || !sameBytes(a, b) {
			t.Errorf("period %s: S and T fee entries differ (%d vs %d)", period, len(a), len(b))
		}
	}
	if got := encoded(t, h, day1, "T"); len(got) != 0 {
		t.Errorf("H holds %d entries with T; fees are between S and T", len(got))
	}
	// p1: 10000 at 10 % commission, 1.5 % fee.
	var sale, fee Entry
	for _, e := range entriesOf(t, s, day1, "") {
		if e.PartID == "p1" && e.Kind == EntrySale {
			sale = e
		}
		if e.PartID == "p1" && e.Kind == EntryFee {
			fee = e
		}
	}
	if sale.Amount.Amount != 8850 || sale.From != "S" || sale.To != "H" || fee.Amount.Amount != 150 || fee.To != "T" {
		t.Errorf("p1 entries: sale %+v, fee %+v", sale, fee)
	}
	for _, l := range []*Ledger{s, h, tr} {
		if err := l.CheckBalances(context.Background()); err != nil {
			t.Errorf("%s: %v", l.Self(), err)
		}
	}
	// p2 was refunded in full in two pieces, so only p1 and p5 remain owed.
	wantOwed := int64(8850 + 10925) // p5: 12345 - 1235 - 185 (rounded half up)
	if got := -balance(t, s, PrefixPayable+"H") - balance(t, s, PrefixReceivable+"H"); got != wantOwed {
		t.Errorf("S owes H %d net, want %d", got, wantOwed)
	}
	if got := balance(t, h, PrefixReceivable+"S") + balance(t, h, PrefixPayable+"S"); got != wantOwed {
		t.Errorf("H is owed %d net by S, want %d", got, wantOwed)
	}
	if got := balance(t, tr, AccountFee); got != -(150 + 185) {
		t.Errorf("T fee revenue %d, want %d", got, -(150 + 185))
	}
	if got := balance(t, s, AccountCommission); got != -(1000 + 1235) {
		t.Errorf("S commission revenue %d, want %d", got, -(1000 + 1235))
	}
}

func TestLedgerReplayCreatesNothing(t *testing.T) {
	clk := &clock{t: t0}
	s := newLedger(t, "S", clk)
	postAll(t, scenario(), s)
	before := encoded(t, s, day1, "")
	bal, _ := s.Balances(context.Background())
	for _, e := range scenario() {
		got, err := s.Post(context.Background(), e)
		if err != nil || len(got) != 0 {
			t.Fatalf("replay of %s %s: %d entries, %v", e.PartID, e.Kind, len(got), err)
		}
	}
	after, _ := s.Balances(context.Background())
	if !sameBytes(before, encoded(t, s, day1, "")) || fmt.Sprint(bal) != fmt.Sprint(after) {
		t.Error("replay changed entries or balances")
	}
}

func TestLedgerConflicts(t *testing.T) {
	clk := &clock{t: t0}
	s := newLedger(t, "S", clk)
	postAll(t, scenario(), s)
	changedGross := ev("p1", EventDelivered, t0.Add(time.Hour), 10001)
	otherHome := ev("p1", EventRefunded, t0.Add(5*time.Hour), 100)
	otherHome.Home = "H2"
	tooMuch := refund("p1", "big", t0.Add(5*time.Hour), 10001)
	tests := []struct {
		name string
		ev   Event
		want error
	}{
		{"same event, other content", changedGross, ErrConflict},
		{"part facts differ", otherHome, ErrConflict},
		{"refund exceeds sale", tooMuch, ErrInvalid},
		{"unknown policy", func() Event { e := ev("p9", EventDelivered, t0, 1); e.PolicyVersion = 7; return e }(), ErrUnknownPolicy},
		{"currency", func() Event { e := ev("p9", EventDelivered, t0, 1); e.Gross.Currency = "USD"; return e }(), ErrCurrency},
		{"bad event", Event{PartID: "x"}, ErrInvalid},
	}
	for _, tt := range tests {
		if _, err := s.Post(context.Background(), tt.ev); !errors.Is(err, tt.want) {
			t.Errorf("%s: Post = %v, want %v", tt.name, err, tt.want)
		}
	}
	if err := s.CheckBalances(context.Background()); err != nil {
		t.Errorf("failed posts left a trace: %v", err)
	}
}

func TestLedgerEntryConflict(t *testing.T) {
	clk := &clock{t: t0}
	s := newLedger(t, "S", clk)
	e := ev("p1", EventDelivered, t0, 10000)
	postAll(t, []Event{e}, s)
	// Forget the event, so that posting it again re-derives the entry, and
	// change the stored entry behind the ledger's back.
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Delete([]byte(prefixEvent + e.key())); err != nil {
			return err
		}
		if err := txn.Delete(partKey("p1")); err != nil {
			return err
		}
		entries := entriesOf(t, s, day1, "H")
		entries[0].Amount.Amount++
		b, _ := entries[0].MarshalBinary()
		return txn.Set([]byte(prefixEntry+day1+"/H/"+entries[0].ID), b)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Post(context.Background(), e); !errors.Is(err, ErrConflict) {
		t.Errorf("Post over a changed entry = %v, want ErrConflict", err)
	}
}

// markAgreed saves l's statement of period with cp as agreed, as a
// session does once both parties signed.
func markAgreed(t testing.TB, l *Ledger, period, cp string) {
	t.Helper()
	st, err := l.Statement(context.Background(), period, cp)
	if err != nil {
		t.Fatal(err)
	}
	st.Status = StatusAgreed
	err = l.db.Update(func(txn *badger.Txn) error { return putJSON(txn, statementKey(period, cp), st) })
	if err != nil {
		t.Fatal(err)
	}
}

// TestLedgerPlacement: an entry goes to the period its event states,
// whatever the node's clock says and however late it arrives; only a
// period the pair agreed is skipped, for the first one after it they have
// not, on both sides alike.
func TestLedgerPlacement(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	s, h := newLedger(t, "S", clk), newLedger(t, "H", clk)
	postAll(t, []Event{ev("p1", EventDelivered, t0, 10000)}, s, h)
	clk.set(t0.Add(49 * time.Hour)) // in day3
	for _, l := range []*Ledger{s, h} {
		markAgreed(t, l, day1, map[string]string{"S": "H", "H": "S"}[l.Self()])
	}
	late := []Event{
		refund("p1", "r1", t0.Add(24*time.Hour), 1000), // stated in day2, never agreed
		refund("p1", "r2", t0.Add(time.Hour), 1000),    // stated in the agreed day1: the next one, day2
		ev("p2", EventDelivered, t0.Add(2*time.Hour), 500),
	}
	postAll(t, late, s, h)
	want := map[string]string{"p1/r1": day2, "p1/r2": day2, "p2/": day2}
	for _, l := range []*Ledger{s, h} {
		for _, period := range []string{day1, day2, day3} {
			for _, e := range entriesOf(t, l, period, "") {
				if (e.Kind == EntrySale || e.Kind == EntryFee) && e.PartID == "p1" {
					if period != day1 {
						t.Errorf("%s: sale moved to %s", l.Self(), period)
					}
					continue
				}
				key := e.PartID + "/"
				if e.Kind == EntryRefund || e.Kind == EntryFeeRefund {
					key += map[bool]string{true: "r1", false: "r2"}[e.At.Equal(t0.Add(24*time.Hour))]
				}
				want := want[key]
				if e.Counterparty(l.Self()) == "T" { // S and the treasury agreed nothing
					want = PeriodOf(e.At, 24*time.Hour).Name
				}
				if want != period {
					t.Errorf("%s: %s entry of %s in %s, want %s", l.Self(), e.Kind, key, period, want)
				}
			}
		}
	}
	if !sameBytes(encoded(t, s, day2, "H"), encoded(t, h, day2, "S")) {
		t.Error("late entries differ between S and H")
	}
	ps, err := s.Periods(ctx, 24*time.Hour)
	if err != nil || len(ps) != 3 || ps[0].Name != day1 || ps[2].Name != day3 {
		t.Errorf("Periods = %+v, %v", ps, err)
	}
}

func TestLedgerAgreedPeriodsSkipForward(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	s := newLedger(t, "S", clk)
	for _, p := range []string{day1, day2} {
		markAgreed(t, s, p, "H")
	}
	got, err := s.Post(ctx, ev("p1", EventDelivered, t0, 100))
	if err != nil || len(got) == 0 || got[0].Period != day3 {
		t.Fatalf("Post into agreed day1 with day2 agreed = %+v, %v; want period %s", got, err, day3)
	}
	// The fee to the treasury T is another pair: day1 is not agreed with T.
	for _, e := range got {
		if want := map[bool]string{true: day3, false: day1}[e.Counterparty("S") == "H"]; e.Period != want {
			t.Errorf("%s entry with %s in %s, want %s", e.Kind, e.Counterparty("S"), e.Period, want)
		}
	}
}

func TestLedgerRefundBeforePayableWaits(t *testing.T) {
	clk := &clock{t: t0}
	inOrder, outOfOrder := newLedger(t, "S", clk), newLedger(t, "S", clk)
	delivered := ev("p1", EventDelivered, t0, 10000)
	r := refund("p1", "r1", t0.Add(time.Hour), 4000)
	cancel := ev("p1", EventCancelled, t0.Add(2*time.Hour), 10000)
	postAll(t, []Event{delivered, r, cancel}, inOrder)
	got, err := outOfOrder.Post(context.Background(), r)
	if err != nil || len(got) != 0 {
		t.Fatalf("refund before delivery: %d entries, %v", len(got), err)
	}
	postAll(t, []Event{delivered, cancel}, outOfOrder)
	if a, b := encoded(t, inOrder, day1, ""), encoded(t, outOfOrder, day1, ""); !sameBytes(a, b) || len(a) != 6 {
		t.Errorf("in order %d entries, out of order %d, or they differ", len(a), len(b))
	}
	for _, l := range []*Ledger{inOrder, outOfOrder} {
		if err := l.CheckBalances(context.Background()); err != nil {
			t.Error(err)
		}
		if b := balance(t, l, PrefixPayable+"H") + balance(t, l, PrefixReceivable+"H"); b != 0 {
			t.Errorf("fully reversed part leaves %d between S and H", b)
		}
	}
}

func TestLedgerParticipation(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	x := newLedger(t, "X", clk)
	if got, err := x.Post(ctx, ev("p1", EventDelivered, t0, 100)); err != nil || got != nil {
		t.Errorf("outsider Post = %v, %v", got, err)
	}
	s := newLedger(t, "S", clk)
	domestic := ev("p2", EventDelivered, t0, 100)
	domestic.Home = "S"
	if got, err := s.Post(ctx, domestic); err != nil || got != nil {
		t.Errorf("domestic Post = %v, %v", got, err)
	}
	if n := len(entriesOf(t, s, day1, "")); n != 0 {
		t.Errorf("domestic sale created %d entries", n)
	}
}

func TestLedgerTreasuryVariants(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	self := testPolicy()
	self.Treasury = "S"
	none := testPolicy()
	none.Treasury = ""
	home := testPolicy()
	home.Treasury = "H"
	tests := []struct {
		name          string
		pol           Policy
		owedH, feeRev int64 // S owes H; S's fee revenue
	}{
		{"treasury is storefront", self, 8850, -150},
		{"no treasury", none, 9000, 0},
		{"treasury is home", home, 8850 + 150, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, h := newLedger(t, "S", clk, tt.pol), newLedger(t, "H", clk, tt.pol)
			postAll(t, []Event{ev("p1", EventDelivered, t0, 10000)}, s, h)
			if got := -balance(t, s, PrefixPayable+"H"); got != tt.owedH {
				t.Errorf("S owes H %d, want %d", got, tt.owedH)
			}
			if got := balance(t, s, AccountFee); got != tt.feeRev {
				t.Errorf("S fee revenue %d, want %d", got, tt.feeRev)
			}
			if !sameBytes(encoded(t, s, day1, "H"), encoded(t, h, day1, "S")) {
				t.Error("S and H differ")
			}
			for _, l := range []*Ledger{s, h} {
				if err := l.CheckBalances(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestLedgerPayableOnAccepted(t *testing.T) {
	clk := &clock{t: t0}
	p := testPolicy()
	p.PayableOn = PayableOnAccepted
	s := newLedger(t, "S", clk, p)
	got, err := s.Post(context.Background(), ev("p1", EventAccepted, t0, 10000))
	if err != nil || len(got) != 2 {
		t.Fatalf("accepted under payable_on=accepted: %d entries, %v", len(got), err)
	}
	got, err = s.Post(context.Background(), ev("p1", EventDelivered, t0.Add(time.Hour), 10000))
	if err != nil || len(got) != 0 {
		t.Fatalf("delivered after: %d entries, %v", len(got), err)
	}
}

func TestLedgerConcurrentPosts(t *testing.T) {
	clk := &clock{t: t0}
	s := newLedger(t, "S", clk)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				e := ev(fmt.Sprintf("g%d-%d", g, i), EventDelivered, t0, int64(100+i))
				if _, err := s.Post(context.Background(), e); err != nil {
					t.Error(err)
				}
				_, _ = s.Post(context.Background(), e) // replay races with others
			}
		})
	}
	wg.Wait()
	if n := len(encoded(t, s, day1, "")); n != 8*25*2 {
		t.Errorf("%d entries, want %d", n, 8*25*2)
	}
	if err := s.CheckBalances(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestOpenValidates(t *testing.T) {
	db := newDB(t)
	for _, tc := range []struct {
		db   *badger.DB
		self string
		p    PolicyLookup
	}{{nil, "S", lookup()}, {db, "", lookup()}, {db, "S", nil}} {
		if _, err := Open(tc.db, tc.self, tc.p, nil, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("Open(%v, %q) = %v", tc.db != nil, tc.self, err)
		}
	}
}
