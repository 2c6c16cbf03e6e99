package settlement

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// settlers is a federation of Settlers joined in one process: sessions
// run over net.Pipe, statements are read from the other settler directly,
// and each member's watermark to every other is what the test says.
type settlers struct {
	mu      sync.Mutex // guards through and opens
	ids     []string
	byID    map[string]*Settler
	ledgers map[string]*Ledger
	through map[[2]string]time.Time // [from, to] -> watermark
	opens   map[[2]string]int       // [from, to] -> sessions opened
	roster  Roster
	clk     *clock
	// answers are the sessions being answered; a round waits for them, so
	// that the answering side has saved what the session agreed.
	answers sync.WaitGroup
}

func (f *settlers) Roster() (Roster, error) { return f.roster, nil }

// memSessions opens a session from one member to another over a pipe,
// the other side answering at once.
type memSessions struct {
	f    *settlers
	from string
}

type pipeStream struct{ net.Conn }

func (p pipeStream) Reset() error { return p.Close() }

func (m memSessions) Open(ctx context.Context, to string) (SessionStream, error) {
	other := m.f.byID[to]
	if other == nil {
		return nil, fmt.Errorf("no member %s", to)
	}
	m.f.mu.Lock()
	m.f.opens[[2]string{m.from, to}]++
	m.f.mu.Unlock()
	a, b := net.Pipe()
	m.f.answers.Go(func() {
		defer b.Close()
		// The answering side's context is its own, as a stream handler's
		// is: the opener's ends when its session does, which may be
		// before the answering side has saved what they agreed.
		_ = other.Answer(context.WithoutCancel(ctx), m.from, b)
	})
	return pipeStream{a}, nil
}

func (m memSessions) Statements(ctx context.Context, member, period string) ([]Statement, error) {
	return m.f.byID[member].Statements(ctx, period)
}

// memWatermarks is one member's watermarks, set by the test.
type memWatermarks struct {
	f    *settlers
	from string
}

func (w memWatermarks) Watermark(_ context.Context, to string) (time.Time, error) {
	w.f.mu.Lock()
	defer w.f.mu.Unlock()
	return w.f.through[[2]string{w.from, to}], nil
}

// opened is how many sessions from opened with to.
func (f *settlers) opened(from, to string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.opens[[2]string{from, to}]
}

func (f *settlers) setThrough(from, to string, t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.through[[2]string{from, to}] = t
}

// newSettlers makes storefront S, home H and treasury T with real keys
// (settlers derive their counterparties' keys from peer IDs), one-hour
// periods and a federation fee, and evidence of H's signatures. Their
// ledgers begin at t0, or each at its time of began when given.
func newSettlers(t *testing.T, began ...time.Time) (f *settlers, s, h, tr string) {
	t.Helper()
	f = &settlers{byID: map[string]*Settler{}, ledgers: map[string]*Ledger{}, through: map[[2]string]time.Time{}, opens: map[[2]string]int{},
		clk: &clock{t: t0}}
	keys := map[string]crypto.PrivKey{}
	for range 3 {
		k, _ := newKey(t)
		id, _ := peer.IDFromPrivateKey(k)
		f.ids = append(f.ids, id.String())
		keys[id.String()] = k
	}
	s, h, tr = f.ids[0], f.ids[1], f.ids[2]
	pol := testPolicy()
	pol.Treasury, pol.Period, pol.Overrides = tr, time.Hour, nil
	ev := homeEvidence{signers: map[string]crypto.PrivKey{h: keys[h]}, homes: map[string]crypto.PubKey{h: keys[h].GetPublic()}}
	f.roster = Roster{Treasury: tr, Length: time.Hour}
	for i, id := range f.ids {
		f.roster.Members = append(f.roster.Members, Member{PeerID: id, Name: []string{"S", "H", "T"}[i], Reachable: true})
		if i < len(began) {
			f.clk.set(began[i])
		}
		l, err := Open(newDB(t), id, lookup(pol), nil, f.clk.now)
		if err != nil {
			t.Fatal(err)
		}
		f.ledgers[id] = l
		f.byID[id] = NewSettler(SettlerDeps{Ledger: l, Key: keys[id], Federation: f, Sessions: memSessions{f, id},
			Statements: memSessions{f, id}, Watermarks: memWatermarks{f, id}, Evidence: ev, Now: f.clk.now})
	}
	return f, s, h, tr
}

// rounds runs every settler's round n times.
func (f *settlers) rounds(t *testing.T, n int) {
	t.Helper()
	for range n {
		for _, id := range f.ids {
			_ = f.byID[id].round(context.Background())
			f.answers.Wait()
		}
	}
}

// TestSettlersAgreeEveryPairAndNet: a sale of S from H and its fee to the
// treasury T settle every pair, T learning its fee from S's proofs, once
// every watermark passed the period's end; before, the statements say
// what they wait for. Empty pairs agree too, and the netting sums to zero.
func TestSettlersAgreeEveryPairAndNet(t *testing.T) {
	f, s, h, tr := newSettlers(t)
	ctx := context.Background()
	sale := Event{PartID: "p1", Kind: EventDelivered, Storefront: s, Home: h, Merchant: "m1", Category: "toys/",
		Gross: Money{Amount: 10000, Currency: "EUR"}, PolicyVersion: 1, At: t0.Add(10 * time.Minute)}
	for _, id := range []string{s, h} {
		if _, err := f.ledgers[id].Post(ctx, sale); err != nil {
			t.Fatal(err)
		}
	}
	period := PeriodOf(sale.At, time.Hour)
	f.clk.set(period.End.Add(time.Minute))
	for _, a := range f.ids {
		for _, b := range f.ids {
			f.setThrough(a, b, period.End.Add(time.Minute))
		}
	}
	f.setThrough(h, s, period.End.Add(-time.Minute)) // H still owes S a status of the period
	f.rounds(t, 3)
	sts, err := f.byID[s].Statements(ctx, period.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if st.Parties[0] == h || st.Parties[1] == h {
			if st.Status != StatusReconciling || !strings.Contains(st.Waiting, "waiting for H's entries") {
				t.Errorf("S-H before H's watermark: %s, %q", st.Status, st.Waiting)
			}
		}
	}
	f.setThrough(h, s, period.End.Add(time.Minute))
	f.rounds(t, 3)
	for i, a := range f.ids {
		for _, b := range f.ids[i+1:] {
			x, _ := f.ledgers[a].Statement(ctx, period.Name, b)
			y, _ := f.ledgers[b].Statement(ctx, period.Name, a)
			if x.Status != StatusAgreed || y.Status != StatusAgreed || x.Digest != y.Digest {
				t.Errorf("%s-%s: %s/%s, digests %s %s", f.roster.Members[i].Name, b, x.Status, y.Status, x.Digest, y.Digest)
			}
		}
	}
	if fee := entriesOf(t, f.ledgers[tr], period.Name, s); len(fee) != 1 || fee[0].Kind != EntryFee {
		t.Errorf("the treasury holds %+v with S, want the fee restored from S's proof", fee)
	}
	pos, _, err := f.byID[tr].Netting(ctx, period.Name)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, p := range pos {
		sum += p.Net.Amount
	}
	if sum != 0 || len(pos) != 3 {
		t.Errorf("positions %+v sum to %d", pos, sum)
	}
}

// TestAPeriodBeforeBothBeganIsNoPairs: S began an hour before H and T.
// Each pair settles from the earlier of its two starts, so S settles that
// first hour with both, while H and T, who had not begun, have nothing of
// it to settle: no member lists their statement of it as reconciling, and
// every member nets it without waiting for one.
func TestAPeriodBeforeBothBeganIsNoPairs(t *testing.T) {
	first := PeriodOf(t0, time.Hour)
	second := first.Next()
	f, s, h, tr := newSettlers(t, first.Start.Add(50*time.Minute), second.Start.Add(time.Minute), second.Start.Add(2*time.Minute))
	ctx := context.Background()
	sale := Event{PartID: "p1", Kind: EventDelivered, Storefront: s, Home: h, Merchant: "m1", Category: "toys/",
		Gross: Money{Amount: 10000, Currency: "EUR"}, PolicyVersion: 1, At: second.Start.Add(10 * time.Minute)}
	for _, id := range []string{s, h} {
		if _, err := f.ledgers[id].Post(ctx, sale); err != nil {
			t.Fatal(err)
		}
	}
	f.clk.set(second.End.Add(time.Minute))
	for _, a := range f.ids {
		for _, b := range f.ids {
			f.setThrough(a, b, second.End.Add(time.Minute))
		}
	}
	f.rounds(t, 3)
	for i, id := range f.ids {
		name := f.roster.Members[i].Name
		periods, err := f.byID[id].Periods(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(periods) != 3 || periods[0].Period != first.Name {
			t.Fatalf("%s lists periods %+v, want the first, the second and the running one", name, periods)
		}
		for _, p := range periods[:2] {
			if p.Status != string(StatusAgreed) {
				t.Errorf("%s: period %s is %s", name, p.Period, p.Status)
			}
			pos, _, err := f.byID[id].Netting(ctx, p.Period)
			if err != nil {
				t.Errorf("%s nets %s: %v", name, p.Period, err)
			}
			var sum int64
			for _, x := range pos {
				sum += x.Net.Amount
			}
			if sum != 0 {
				t.Errorf("%s: positions of %s sum to %d", name, p.Period, sum)
			}
		}
	}
	sts, err := f.byID[h].Statements(ctx, first.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 1 || sts[0].Parties != [2]string{min(s, h), max(s, h)} || sts[0].Status != StatusAgreed {
		t.Errorf("H's statements of the first period: %+v, want only S's, agreed", sts)
	}
	for _, pair := range [][2]string{{s, h}, {s, tr}} {
		x, _ := f.ledgers[pair[0]].Statement(ctx, first.Name, pair[1])
		y, _ := f.ledgers[pair[1]].Statement(ctx, first.Name, pair[0])
		if x.Status != StatusAgreed || y.Status != StatusAgreed || x.Digest != y.Digest {
			t.Errorf("the first period between %v: %s/%s", pair, x.Status, y.Status)
		}
	}

	// An event between H and T dated in the first hour (a clock behind)
	// puts an entry there: their statement of it is listed again, the
	// period nets only once they have settled it, and they settle it by
	// themselves, both having moved their start back to that hour.
	early := Event{PartID: "p2", Kind: EventDelivered, Storefront: h, Home: tr, Merchant: "m1", Category: "toys/",
		Gross: Money{Amount: 500, Currency: "EUR"}, PolicyVersion: 1, At: first.Start.Add(55 * time.Minute)}
	for _, id := range []string{h, tr} {
		if _, err := f.ledgers[id].Post(ctx, early); err != nil {
			t.Fatal(err)
		}
	}
	sts, err = f.byID[h].Statements(ctx, first.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 2 {
		t.Fatalf("H's statements of the first period with an entry with T: %d, want S's and T's", len(sts))
	}
	if _, _, err := f.byID[s].Netting(ctx, first.Name); !errors.Is(err, ErrNotAgreed) {
		t.Errorf("S nets the first period while H and T have not settled their entry: %v", err)
	}
	f.rounds(t, 3)
	x, _ := f.ledgers[h].Statement(ctx, first.Name, tr)
	y, _ := f.ledgers[tr].Statement(ctx, first.Name, h)
	if x.Status != StatusAgreed || x.Count == 0 || x.Digest != y.Digest {
		t.Errorf("H and T's statement of the first period after three rounds: %s with %d entries, digests %s %s", x.Status, x.Count, x.Digest, y.Digest)
	}
	if _, _, err := f.byID[s].Netting(ctx, first.Name); err != nil {
		t.Errorf("S nets the first period once H and T settled it: %v", err)
	}

	// One dated far further back moves no start: every round would walk
	// the periods from there.
	ancient := early
	ancient.PartID, ancient.At = "p3", first.Start.Add(-time.Duration(maxReachBack+1)*time.Hour)
	if _, err := f.ledgers[h].Post(ctx, ancient); err != nil {
		t.Fatal(err)
	}
	if periods, err := f.byID[h].Periods(ctx); err != nil || periods[0].Period != first.Name {
		t.Errorf("H's periods after an event dated %d hours before its first: %+v %v", maxReachBack+1, periods, err)
	}
}

// TestTheLateSideLeavesTheOpenerRoundsFree: of a pair, the member that
// does not open sessions opens one itself for a period still unsettled
// half a minute after its end, but after a failed one it waits 15 to 30 s
// before the next: each side refuses a session while its own runs, so two
// members opening every round could refuse each other for as long as
// their rounds overlap. Once the wait has passed it opens again, and the
// pair agrees when the period can settle.
func TestTheLateSideLeavesTheOpenerRoundsFree(t *testing.T) {
	f, _, _, _ := newSettlers(t)
	ctx := context.Background()
	opener, late := min(f.ids[0], f.ids[1]), max(f.ids[0], f.ids[1])
	period := PeriodOf(t0, time.Hour)
	f.clk.set(period.End.Add(time.Minute))
	f.setThrough(late, opener, period.End.Add(time.Minute))
	f.setThrough(opener, late, period.End.Add(-time.Minute)) // the period cannot settle yet
	round := func(id string) {
		_ = f.byID[id].round(ctx)
		f.answers.Wait()
	}

	round(opener)
	round(late)
	if n := f.opened(late, opener); n != 1 {
		t.Fatalf("the late side opened %d sessions in its first round, want 1", n)
	}
	for range 5 {
		round(opener)
		round(late)
	}
	if n := f.opened(late, opener); n != 1 {
		t.Fatalf("the late side opened %d sessions within 15 s of a failed one, want 1", n)
	}
	if n := f.opened(opener, late); n != 6 {
		t.Errorf("the opener opened %d sessions in six rounds, want 6", n)
	}

	f.clk.set(f.clk.now().Add(lateRetry))
	f.setThrough(opener, late, period.End.Add(time.Minute))
	round(late)
	if n := f.opened(late, opener); n != 2 {
		t.Fatalf("the late side opened %d sessions once its wait had passed, want 2", n)
	}
	for _, id := range []string{opener, late} {
		other := map[string]string{opener: late, late: opener}[id]
		if st, _ := f.ledgers[id].Statement(ctx, period.Name, other); st.Status != StatusAgreed {
			t.Errorf("%s's statement is %s after the late side's session", id, st.Status)
		}
	}
}

// TestDisputeWaitDoublesToAMinute: a disputed statement with nothing new
// here is tried again after 2 s, then 4, 8... and never less often than
// once a minute.
func TestDisputeWaitDoublesToAMinute(t *testing.T) {
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute}
	for n, w := range want {
		if got := disputeWait(n); got != w {
			t.Errorf("after %d tries: %v, want %v", n, got, w)
		}
	}
	if got := disputeWait(1000); got != disputeRetry {
		t.Errorf("after 1000 tries: %v, want %v", got, disputeRetry)
	}
}

// logLines collects what a slog.Logger writes: level, message and the
// member it names.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	line := r.Level.String() + " " + r.Message
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "member" {
			line += " member=" + a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	return nil
}
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logLines) WithGroup(string) slog.Handler      { return l }

// take returns the lines that name a member (failingMembers') written
// since the last take.
func (l *logLines) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.DeleteFunc(l.lines, func(s string) bool { return !strings.Contains(s, " member=") })
	l.lines = nil
	return out
}

// A member that cannot be reached stops its pairs' periods. The others
// must say so in their logs without a line every two seconds: a member's
// failed rounds are debug lines for a minute (it may be restarting), then
// a warning names it, then one warning a minute while they go on, and the
// first round that settles with it after a warning says so. The side
// that opens the pair's sessions fails every round; the other side, which
// waits 15-30 s after each failure of its own, must warn as well. The
// member away is the treasury, so that the two others still settle with
// each other (the treasury's statements wait for both of theirs).
func TestAStuckPairWarnsOnceAMinute(t *testing.T) {
	var f *settlers
	var ids []string
	var tr string
	for try := 0; ; try++ { // the treasury's peer ID between the others': one of them opens its sessions with it, the other waits
		if try == 50 {
			t.Fatal("no treasury's peer ID sorted between the two others' in 50 tries")
		}
		f, _, _, tr = newSettlers(t)
		if ids = slices.Sorted(slices.Values(f.ids)); ids[1] == tr {
			break
		}
	}
	end := t0.Add(2 * time.Hour) // a period with every pair has ended
	f.clk.set(end)
	for _, a := range f.ids {
		for _, b := range f.ids {
			f.setThrough(a, b, end)
		}
	}
	opener, late := ids[0], ids[2]
	name := map[string]string{f.ids[0]: "S", f.ids[1]: "H", f.ids[2]: "T"}
	logs := map[string]*logLines{}
	for _, id := range f.ids {
		logs[id] = &logLines{}
		f.byID[id].d.Log = slog.New(logs[id])
	}
	away := f.byID[tr]
	f.mu.Lock()
	delete(f.byID, tr) // sessions with it cannot open
	f.mu.Unlock()

	// Four minutes of rounds every two seconds. opener opens its
	// sessions with the treasury and fails every round; late waits for
	// the treasury to open, then opens itself after settleLate and fails,
	// then waits.
	warns := map[string][]string{}
	var err error
	for range 120 {
		f.clk.set(f.clk.now().Add(settleEvery))
		for _, id := range []string{opener, late} {
			if e := f.byID[id].round(context.Background()); id == opener && e != nil {
				err = e
			}
			f.answers.Wait()
			warns[id] = append(warns[id], logs[id].take()...)
		}
	}
	if err == nil || err.Error() != "with T ("+tr+"): unreachable: no member "+tr {
		t.Fatalf("a round with the treasury away failed with %v; the error must name it, and only it", err)
	}
	want := "WARN settlement: periods with a member cannot settle member=T"
	for _, id := range []string{opener, late} {
		n := len(warns[id])
		if n < 2 || n > 5 || slices.ContainsFunc(warns[id], func(s string) bool { return s != want }) {
			t.Errorf("%s, four minutes without the treasury, logged %q; want 2 to 5 times %q", name[id], warns[id], want)
		}
	}

	// The treasury comes back: the first round that settles with it says
	// so. (A pair's second period may meet the treasury still saving the
	// first, which refuses it as busy: late then waits again.)
	f.mu.Lock()
	f.byID[tr] = away
	f.mu.Unlock()
	for _, id := range []string{opener, late} {
		var lines []string
		for try := 0; f.byID[id].failing[tr] != nil; try++ {
			if try == 60 {
				t.Fatalf("%s, the treasury back, has not settled with it in two minutes", name[id])
			}
			f.clk.set(f.clk.now().Add(settleEvery))
			_ = f.byID[id].round(context.Background())
			f.answers.Wait()
			lines = append(lines, logs[id].take()...)
		}
		lines = slices.DeleteFunc(lines, func(s string) bool { return s == want })
		again := "INFO settlement: periods with a member settle again member=T"
		if !slices.Equal(lines, []string{again}) {
			t.Errorf("%s, the treasury back: logged %q, want %q", name[id], lines, again)
		}
	}
}

// The side that opens a pair's sessions tells the log how its round went
// from its pair's error and its disputes': disputes waiting for their
// next try are no news only when the pair had nothing to say either.
func TestAnOpenersRoundWaitsOnlyWhenBothDo(t *testing.T) {
	cut := errors.New("stream reset")
	refused := errors.New("statement refused")
	for _, c := range []struct {
		pair, disputes error
		want           []error // what the result must be (errors.Is), nil for none
		waiting        bool
	}{
		{nil, nil, nil, false},
		{nil, errWaiting, nil, true},
		{cut, errWaiting, []error{cut}, false},
		{nil, refused, []error{refused}, false},
		{cut, refused, []error{cut, refused}, false},
	} {
		got := opened(c.pair, c.disputes)
		if errors.Is(got, errWaiting) != c.waiting || (got == nil) != (c.want == nil && !c.waiting) {
			t.Errorf("pair %v, disputes %v: %v", c.pair, c.disputes, got)
		}
		for _, w := range c.want {
			if !errors.Is(got, w) {
				t.Errorf("pair %v, disputes %v: %v does not carry %v", c.pair, c.disputes, got, w)
			}
		}
	}
}

// A disputed statement is tried again on the settler's clock, not the
// process's: with the clock still, the next try waits; a minute later by
// it, the try runs. When its member leaves the roster, the settler keeps
// nothing of it: its tries, its failed rounds, its wait.
func TestDisputesWaitOnTheSettlersClockAndLeaveWithTheirMember(t *testing.T) {
	f, s, h, _ := newSettlers(t)
	ctx := context.Background()
	at := t0.Add(10 * time.Minute)
	for id, amount := range map[string]int64{s: 10000, h: 10001} { // the sides hold different amounts
		sale := Event{PartID: "p1", Kind: EventDelivered, Storefront: s, Home: h, Merchant: "m1", Category: "toys/",
			Gross: Money{Amount: amount, Currency: "EUR"}, PolicyVersion: 1, At: at}
		if _, err := f.ledgers[id].Post(ctx, sale); err != nil {
			t.Fatal(err)
		}
	}
	period := PeriodOf(at, time.Hour)
	f.clk.set(period.End.Add(time.Minute))
	for _, a := range f.ids {
		for _, b := range f.ids {
			f.setThrough(a, b, period.End.Add(time.Minute))
		}
	}
	f.rounds(t, 3)
	if st, _ := f.ledgers[s].Statement(ctx, period.Name, h); st.Status != StatusDisputed {
		t.Fatalf("S-H with different amounts: %s, want disputed", st.Status)
	}
	opener, other := min(s, h), max(s, h)
	o := f.byID[opener]
	before := f.opened(opener, other)
	if err := o.disputes(ctx, other, time.Hour); !errors.Is(err, errWaiting) {
		t.Errorf("disputes with the clock still: %v, want waiting", err)
	}
	f.answers.Wait()
	if n := f.opened(opener, other) - before; n != 0 {
		t.Errorf("disputes with the clock still opened %d sessions, want none", n)
	}
	f.clk.set(f.clk.now().Add(disputeRetry + time.Second))
	if err := o.disputes(ctx, other, time.Hour); errors.Is(err, errWaiting) {
		t.Errorf("disputes a minute later by the settler's clock: still waiting")
	}
	f.answers.Wait()
	if n := f.opened(opener, other) - before; n != 1 {
		t.Errorf("disputes a minute later by the settler's clock opened %d sessions, want 1", n)
	}

	o.failing[other] = &stuck{since: f.clk.now(), n: 3}
	o.mu.Lock()
	o.late[other] = f.clk.now().Add(lateRetry)
	o.mu.Unlock()
	f.roster.Members = slices.DeleteFunc(slices.Clone(f.roster.Members), func(m Member) bool { return m.PeerID == other })
	_ = o.round(ctx)
	f.answers.Wait()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.failing[other] != nil || o.tried[other] != nil || !o.late[other].IsZero() {
		t.Errorf("after %s left the roster the settler keeps: failing %v, tries %v, wait until %v", other, o.failing[other], o.tried[other], o.late[other])
	}
	if len(o.tried) != 0 {
		t.Errorf("tries kept of members still in the roster with nothing disputed: %v", o.tried)
	}
}

// The retries of a member's disputed statements keep only the periods
// still disputed: one that settled leaves, the others keep their count.
func TestRetriesKeepOnlyThePeriodsStillDisputed(t *testing.T) {
	s := NewSettler(SettlerDeps{Ledger: &Ledger{}})
	at := t0.Add(time.Hour)
	s.tried["m"] = map[string]retried{"p1": {at: t0, n: 3}, "p2": {at: at, n: 5}}
	s.tried["other"] = map[string]retried{"p1": {at: t0, n: 1}}
	got := s.stillDisputed("m", []Statement{{Period: "p2"}, {Period: "p3"}})
	want := map[string]retried{"p2": {at: at, n: 5}}
	if !maps.Equal(got, want) || !maps.Equal(s.tried["m"], want) {
		t.Errorf("with p2 and p3 disputed: tries %v, kept %v; want %v", got, s.tried["m"], want)
	}
	if s.stillDisputed("m", nil) != nil || s.tried["m"] != nil {
		t.Errorf("with nothing disputed the settler keeps %v", s.tried["m"])
	}
	if len(s.tried["other"]) != 1 {
		t.Errorf("another member's tries changed: %v", s.tried["other"])
	}
}
