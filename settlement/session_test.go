package settlement

import (
	"context"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// fixture is two members, storefront S and home H, on one clock, with
// their statement keys and the evidence of H's signed status messages (H
// is the home of every part; its statement key is also its signing key).
type fixture struct {
	clk        *clock
	s, h       *Ledger
	sKey, hKey crypto.PrivKey
	evidence   homeEvidence
	through    time.Time // both sides' watermark (see close)
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{clk: &clock{t: t0.Add(48 * time.Hour)}}
	f.s, f.h = newLedger(t, "S", f.clk), newLedger(t, "H", f.clk)
	f.sKey, _ = newKey(t)
	f.hKey, _ = newKey(t)
	f.evidence = homeEvidence{
		signers: map[string]crypto.PrivKey{"H": f.hKey},
		homes:   map[string]crypto.PubKey{"H": f.hKey.GetPublic()},
	}
	return f
}

// post posts events to S and H as the flags say.
func (f *fixture) post(t testing.TB, toS, toH bool, events ...Event) {
	t.Helper()
	if toS {
		postAll(t, events, f.s)
	}
	if toH {
		postAll(t, events, f.h)
	}
}

// close makes both sides' watermarks pass period's end, as the orders
// layer does once everything stated before it is delivered.
func (f *fixture) close(t testing.TB, period string) {
	t.Helper()
	p, err := ParsePeriod(period, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if p.End.After(f.through) {
		f.through = p.End
	}
}

// params returns the session parameters of S (forS) or H for day1.
func (f *fixture) params(forS bool) SessionParams {
	if forS {
		return SessionParams{Period: day1, Counterparty: "H", Self: f.sKey, Peer: f.hKey.GetPublic(), Evidence: f.evidence,
			Length: 24 * time.Hour, Through: f.through}
	}
	return SessionParams{Period: day1, Counterparty: "S", Self: f.hKey, Peer: f.sKey.GetPublic(), Evidence: f.evidence,
		Length: 24 * time.Hour, Through: f.through}
}

// run reconciles with S as initiator.
func (f *fixture) run(ps, ph SessionParams) (rs, rh sessionResult) {
	return runSession(f.s, ps, f.h, ph)
}

type sessionResult struct {
	st    Statement
	err   error
	bytes int64 // written and read by this side
}

// countingConn counts the bytes a session moves.
type countingConn struct {
	net.Conn
	n int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n += int64(n)
	return n, err
}

// runSession runs ReconcilePeriod between a (initiator) and b over
// net.Pipe. A side that fails closes its end, as a node resets the stream.
func runSession(a *Ledger, pa SessionParams, b *Ledger, pb SessionParams) (ra, rb sessionResult) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ca, cb := net.Pipe()
	defer ca.Close()
	defer cb.Close()
	side := func(l *Ledger, c net.Conn, initiator bool, p SessionParams) sessionResult {
		cc := &countingConn{Conn: c}
		st, err := l.ReconcilePeriod(ctx, cc, initiator, p)
		if err != nil {
			_ = c.Close()
		}
		return sessionResult{st: st, err: err, bytes: cc.n}
	}
	done := make(chan sessionResult, 1)
	go func() { done <- side(b, cb, false, pb) }()
	ra = side(a, ca, true, pa)
	return ra, <-done
}

// saved reloads a ledger's statement of day1 with cp.
func saved(t *testing.T, l *Ledger, cp string) Statement {
	t.Helper()
	st, err := l.Statement(context.Background(), day1, cp)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// checkAgreed asserts that both sides agreed on the same statement, with
// two valid signatures, returned and saved.
func (f *fixture) checkAgreed(t *testing.T, rs, rh sessionResult) {
	t.Helper()
	if rs.err != nil || rh.err != nil {
		t.Fatalf("sessions failed: S %v, H %v", rs.err, rh.err)
	}
	for _, st := range []Statement{rs.st, rh.st, saved(t, f.s, "H"), saved(t, f.h, "S")} {
		if st.Status != StatusAgreed || len(st.Signatures) != 2 || len(st.Disputes) != 0 || st.Digest != rs.st.Digest {
			t.Fatalf("statement %s with %d signatures and %d disputes, digest %s; want agreed on %s",
				st.Status, len(st.Signatures), len(st.Disputes), st.Digest, rs.st.Digest)
		}
		for _, k := range []crypto.PrivKey{f.sKey, f.hKey} {
			if err := st.VerifySignature(k.GetPublic()); err != nil {
				t.Errorf("signature: %v", err)
			}
		}
	}
	if !sameBytes(encoded(t, f.s, day1, "H"), encoded(t, f.h, day1, "S")) {
		t.Error("agreed, but S and H hold different entries")
	}
	for _, l := range []*Ledger{f.s, f.h} {
		if err := l.CheckBalances(context.Background()); err != nil {
			t.Errorf("%s: %v", l.Self(), err)
		}
	}
}

// saleID is the id of the sale entry of a part delivered from H via S.
func saleID(part string) string {
	return entryID(part, EventDelivered, "", "S", "H", EntrySale)
}

// mirrored maps each dispute to its reason as the other side sees it.
func mirrored(ds []Dispute) []Dispute {
	flip := map[string]string{DisputeMissingHere: DisputeMissingThere, DisputeMissingThere: DisputeMissingHere,
		DisputeContentDiffers: DisputeContentDiffers}
	out := make([]Dispute, len(ds))
	for i, d := range ds {
		out[i] = Dispute{EntryID: d.EntryID, Reason: flip[d.Reason]}
	}
	return out
}

func sortedDisputes(ds []Dispute) []Dispute {
	ds = slices.Clone(ds)
	slices.SortFunc(ds, func(a, b Dispute) int { return strings.Compare(a.EntryID+a.Reason, b.EntryID+b.Reason) })
	return ds
}

// checkDisputed asserts that both sides saved the statement disputed with
// exactly want (from S's point of view) and its mirror image.
func (f *fixture) checkDisputed(t *testing.T, rs, rh sessionResult, want []Dispute) {
	t.Helper()
	if rs.err != nil || rh.err != nil {
		t.Fatalf("sessions failed: S %v, H %v", rs.err, rh.err)
	}
	check := func(who string, st Statement, want []Dispute) {
		if st.Status != StatusDisputed || len(st.Signatures) != 0 ||
			!slices.Equal(sortedDisputes(st.Disputes), sortedDisputes(want)) {
			t.Errorf("%s: %s statement with disputes %+v, %d signatures; want disputed with %+v",
				who, st.Status, st.Disputes, len(st.Signatures), want)
		}
	}
	check("S returned", rs.st, want)
	check("S saved", saved(t, f.s, "H"), want)
	check("H returned", rh.st, mirrored(want))
	check("H saved", saved(t, f.h, "S"), mirrored(want))
}

func TestSessionIdenticalLedgersAgree(t *testing.T) {
	f := newFixture(t)
	f.post(t, true, true, scenario()...)
	f.close(t, day1)
	rs, rh := f.run(f.params(true), f.params(false))
	f.checkAgreed(t, rs, rh)
	if obs, err := ObligationsFromStatements([]Statement{rs.st, rh.st}); err != nil || len(obs) != 1 {
		t.Errorf("netting the agreed statements: %+v, %v", obs, err)
	}
	// Running again changes nothing and agrees again.
	rs, rh = f.run(f.params(true), f.params(false))
	f.checkAgreed(t, rs, rh)
}

func TestSessionRestoresMissingEntries(t *testing.T) {
	f := newFixture(t)
	f.post(t, true, true, scenario()...)
	f.post(t, true, false, ev("p7", EventDelivered, t0.Add(3*time.Hour), 4000)) // H missed p7
	f.post(t, false, true, ev("p8", EventDelivered, t0.Add(4*time.Hour), 6000), // S missed p8
		refund("p8", "r1", t0.Add(5*time.Hour), 1000))
	f.close(t, day1)
	rs, rh := f.run(f.params(true), f.params(false))
	f.checkAgreed(t, rs, rh)
	if rs.st.Count != 3+3 {
		t.Errorf("agreed on %d entries, want the scenario's 3, p7's sale and p8's sale and refund", rs.st.Count)
	}
	// S's fee on p8 is with the treasury, not H: it goes where the event
	// states, day1, which S and T have not agreed.
	var fees int
	for _, e := range entriesOf(t, f.s, day1, "T") {
		if e.PartID == "p8" {
			fees++
		}
	}
	if fees != 2 {
		t.Errorf("S holds %d p8 fee entries with T in day1, want the fee and its refund", fees)
	}
}

func TestSessionAmountDiffersIsDisputed(t *testing.T) {
	f := newFixture(t)
	f.post(t, true, true, scenario()...)
	f.post(t, true, false, ev("p9", EventDelivered, t0.Add(3*time.Hour), 10000))
	f.post(t, false, true, ev("p9", EventDelivered, t0.Add(3*time.Hour), 10001))
	f.post(t, true, false, ev("p7", EventDelivered, t0.Add(3*time.Hour), 4000)) // restorable
	f.close(t, day1)
	before := map[string]int64{}
	for _, l := range []*Ledger{f.s, f.h} {
		for _, e := range entriesOf(t, l, day1, "") {
			if e.PartID == "p9" && e.Kind == EntrySale {
				before[l.Self()] = e.Amount.Amount
			}
		}
	}
	rs, rh := f.run(f.params(true), f.params(false))
	f.checkDisputed(t, rs, rh, []Dispute{{EntryID: saleID("p9"), Reason: DisputeContentDiffers}})
	for _, l := range []*Ledger{f.s, f.h} {
		for _, e := range entriesOf(t, l, day1, "") {
			if e.PartID == "p9" && e.Kind == EntrySale && e.Amount.Amount != before[l.Self()] {
				t.Errorf("%s: p9 sale adjusted from %d to %d", l.Self(), before[l.Self()], e.Amount.Amount)
			}
		}
		if err := l.CheckBalances(context.Background()); err != nil {
			t.Errorf("%s: %v", l.Self(), err)
		}
	}
	if _, err := f.h.EntryEvent(context.Background(), saleID("p7")); err != nil {
		t.Errorf("p7 was not restored on H: %v", err)
	}
}

func TestSessionRefusesForgedSignature(t *testing.T) {
	tests := []struct {
		name   string
		forged func(f *fixture, ps, ph *SessionParams)
	}{
		{"H signs with a key S does not know", func(f *fixture, _, ph *SessionParams) {
			ph.Self, _ = newKey(t)
		}},
		{"S expects another key of H", func(f *fixture, ps, _ *SessionParams) {
			_, ps.Peer = newKey(t)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.post(t, true, true, scenario()...)
			f.close(t, day1)
			ps, ph := f.params(true), f.params(false)
			tt.forged(f, &ps, &ph)
			rs, rh := f.run(ps, ph)
			if !errors.Is(rs.err, ErrForged) || !errors.Is(rh.err, ErrForged) {
				t.Fatalf("errors: S %v, H %v; want ErrForged on both", rs.err, rh.err)
			}
			t.Logf("S: %v\nH: %v", rs.err, rh.err)
			for _, st := range []Statement{saved(t, f.s, "H"), saved(t, f.h, "S")} {
				if st.Status != StatusOpen || len(st.Signatures) != 0 {
					t.Errorf("after a forged signature: %s with %d signatures saved", st.Status, len(st.Signatures))
				}
			}
		})
	}
}

func TestSessionBadProofIsDisputed(t *testing.T) {
	wrongKey, _ := newKey(t)
	tests := []struct {
		name string
		bad  func(e homeEvidence) homeEvidence
	}{
		{"signed with another key", func(e homeEvidence) homeEvidence {
			e.signers = map[string]crypto.PrivKey{"H": wrongKey}
			return e
		}},
		{"proves another event", func(e homeEvidence) homeEvidence {
			e.lie = func(ev Event) Event { ev.PartID += "-lie"; return ev }
			return e
		}},
		{"cannot prove", func(e homeEvidence) homeEvidence { e.mute = true; return e }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.post(t, true, true, scenario()...)
			f.post(t, true, false, ev("p7", EventDelivered, t0.Add(3*time.Hour), 4000)) // H missed p7
			f.close(t, day1)
			ps := f.params(true)
			ps.Evidence = tt.bad(f.evidence)
			rs, rh := f.run(ps, f.params(false))
			f.checkDisputed(t, rs, rh, []Dispute{{EntryID: saleID("p7"), Reason: DisputeMissingThere}})
			for _, period := range []string{day1, day2, day3} {
				for _, e := range entriesOf(t, f.h, period, "") {
					if strings.HasPrefix(e.PartID, "p7") {
						t.Errorf("H posted %s of %s in %s from a bad proof", e.Kind, e.PartID, period)
					}
				}
			}
		})
	}
}

func TestSessionRefusesMismatchedHello(t *testing.T) {
	tests := []struct {
		name  string
		setup func(f *fixture, ps, ph *SessionParams)
		want  error
		text  string
	}{
		{"other period", func(f *fixture, _, ph *SessionParams) { f.close(t, day2); ph.Period = day2 }, ErrProtocol, "period"},
		{"other counterparty", func(f *fixture, _, ph *SessionParams) { ph.Counterparty = "X" }, ErrProtocol, "session between"},
		{"watermark short on the responder", func(f *fixture, ps, ph *SessionParams) {
			ps.Through = t0.Add(72 * time.Hour)
			ps.Period, ph.Period = day2, day2
		}, ErrPeriodOpen, "delivered"},
		{"watermark short on the initiator", func(f *fixture, ps, ph *SessionParams) {
			ph.Through = t0.Add(72 * time.Hour)
			ps.Period, ph.Period = day2, day2
		}, ErrPeriodOpen, "delivered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.post(t, true, true, scenario()...)
			f.close(t, day1)
			ps, ph := f.params(true), f.params(false)
			tt.setup(f, &ps, &ph)
			rs, rh := f.run(ps, ph)
			for who, err := range map[string]error{"S": rs.err, "H": rh.err} {
				if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
					t.Errorf("%s: %v, want %v mentioning %q", who, err, tt.want, tt.text)
				}
			}
			t.Logf("S: %v", rs.err)
		})
	}
	if !errors.Is(ErrPeriodOpen, ErrConflict) {
		t.Error("ErrPeriodOpen is not an ErrConflict")
	}
}

func TestSessionResponderTakesInitiatorsPeriod(t *testing.T) {
	f := newFixture(t)
	f.post(t, true, true, scenario()...)
	f.close(t, day1)
	ph := f.params(false)
	ph.Period = ""
	rs, rh := f.run(f.params(true), ph)
	f.checkAgreed(t, rs, rh)
}

func TestSessionParamsValidate(t *testing.T) {
	f := newFixture(t)
	good := f.params(true)
	tests := []struct {
		key    string
		mutate func(p *SessionParams)
	}{
		{"session.period", func(p *SessionParams) { p.Period = "yesterday" }},
		{"session.counterparty", func(p *SessionParams) { p.Counterparty = "" }},
		{"session.self", func(p *SessionParams) { p.Self = nil }},
		{"session.peer", func(p *SessionParams) { p.Peer = p.Self.GetPublic() }},
		{"session.evidence", func(p *SessionParams) { p.Evidence = nil }},
		{"session.limits.max_proofs", func(p *SessionParams) { p.Limits.MaxProofs = -1 }},
		{"session.limits.max_proof_size", func(p *SessionParams) { p.Limits.MaxProofSize = MaxSessionFrame }},
		{"reconcile.buckets", func(p *SessionParams) { p.Limits.Reconcile = ReconcileConfig{Buckets: 1} }},
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("good params: %v", err)
	}
	for _, tt := range tests {
		p := good
		tt.mutate(&p)
		if err := p.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.key) {
			t.Errorf("%s: Validate = %v", tt.key, err)
		}
	}
	p := good
	p.Period = ""
	if _, err := f.s.ReconcilePeriod(context.Background(), nil, true, p); !errors.Is(err, ErrInvalid) {
		t.Errorf("initiator without a period: %v", err)
	}
}

// randomDay returns n parts delivered in day1 from H via S, a fifth of
// them partly refunded later that day.
func randomDay(rng *rand.Rand, n int) [][]Event {
	out := make([][]Event, n)
	for i := range out {
		part := "r" + hex.EncodeToString([]byte{byte(i >> 8), byte(i)})
		at := t0.Add(time.Duration(rng.IntN(8*3600)) * time.Second)
		gross := 100 + rng.Int64N(100000)
		out[i] = []Event{ev(part, EventDelivered, at, gross)}
		if rng.IntN(5) == 0 {
			out[i] = append(out[i], refund(part, "x", at.Add(time.Hour), 1+rng.Int64N(gross)))
		}
	}
	return out
}

func TestSessionTrafficFollowsDifferences(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(5, 6))
	parts := randomDay(rng, 300)
	for i, events := range parts {
		f.post(t, i%97 != 3, i%101 != 7, events...) // S misses 4 parts, H misses 3
	}
	f.close(t, day1)
	a, _ := f.s.ItemSet(context.Background(), day1, "H")
	b, _ := f.h.ItemSet(context.Background(), day1, "S")
	na, nb := overPipe(a, b, naiveConn)
	if na.err != nil || nb.err != nil || len(na.diff.Have)+len(na.diff.Need) < 6 {
		t.Fatalf("naive exchange: %v %v, %d+%d differences", na.err, nb.err, len(na.diff.Have), len(na.diff.Need))
	}
	rs, rh := f.run(f.params(true), f.params(false))
	f.checkAgreed(t, rs, rh)
	naive := na.stats.BytesSent + na.stats.BytesReceived
	t.Logf("%d and %d entries, %d missing: session %d bytes (restoring and signing included), naive item exchange %d bytes",
		len(a), len(b), len(na.diff.Have)+len(na.diff.Need), rs.bytes, naive)
	if rs.bytes != rh.bytes {
		t.Errorf("the two sides counted %d and %d bytes", rs.bytes, rh.bytes)
	}
	if 2*rs.bytes >= naive {
		t.Errorf("session moved %d bytes, not under half the naive exchange's %d", rs.bytes, naive)
	}
}
