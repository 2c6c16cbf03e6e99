package settlement

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"slices"
	"testing"
)

// randomItems returns n items with random ids and hashes.
func randomItems(rng *rand.Rand, n int) []Item {
	items := make([]Item, n)
	for i := range items {
		for k := 0; k < 32; k += 8 {
			v := rng.Uint64()
			for j := 0; j < 8; j++ {
				items[i].ID[k+j] = byte(v >> (8 * j))
			}
		}
		v := rng.Uint64()
		for j := 0; j < 16; j++ {
			items[i].Hash[j] = byte(v >> (4 * j))
		}
	}
	return items
}

// pairOf builds two sets that share common items, plus onlyA items only in
// a, onlyB only in b and differ ids with different hashes; want is a's Diff.
func pairOf(t testing.TB, seed uint64, common, onlyA, onlyB, differ int) (a, b ItemSet, want Diff) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 99))
	all := randomItems(rng, common+onlyA+onlyB+differ)
	shared := all[:common]
	xa := all[common : common+onlyA]
	xb := all[common+onlyA : common+onlyA+onlyB]
	da := all[common+onlyA+onlyB:]
	db := slices.Clone(da)
	for i := range db {
		db[i].Hash[0] ^= 0xFF
	}
	var err error
	if a, err = NewItemSet(slices.Concat(shared, xa, da)); err != nil {
		t.Fatal(err)
	}
	if b, err = NewItemSet(slices.Concat(shared, xb, db)); err != nil {
		t.Fatal(err)
	}
	ids := func(items []Item) [][32]byte {
		out := make([][32]byte, len(items))
		for i, it := range items {
			out[i] = it.ID
		}
		slices.SortFunc(out, func(x, y [32]byte) int { return bytes.Compare(x[:], y[:]) })
		return out
	}
	return a, b, Diff{Have: ids(xa), Need: ids(xb), Differ: ids(da)}
}

// mirror is the Diff the other side should see.
func mirror(d Diff) Diff { return Diff{Have: d.Need, Need: d.Have, Differ: d.Differ} }

func sameDiff(a, b Diff) bool {
	eq := func(x, y [][32]byte) bool { return len(x) == len(y) && (len(x) == 0 || slices.Equal(x, y)) }
	return eq(a.Have, b.Have) && eq(a.Need, b.Need) && eq(a.Differ, b.Differ)
}

// runSteps drives two reconcilers without I/O, passing every message
// through the codec. It returns the bytes and rounds exchanged.
func runSteps(t testing.TB, a, b *Reconciler) (bytesTotal, rounds int) {
	t.Helper()
	msg := a.Initiate()
	from, to := a, b
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatal("no termination")
		}
		enc, err := msg.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		bytesTotal += len(enc)
		if from == a {
			rounds++
		}
		dec, err := DecodeMessage(enc)
		if err != nil {
			t.Fatal(err)
		}
		out, send, err := to.Step(dec)
		if err != nil {
			t.Fatal(err)
		}
		if !send {
			break
		}
		msg, from, to = out, to, from
	}
	if !a.Done() || !b.Done() {
		t.Fatalf("done: a %v, b %v", a.Done(), b.Done())
	}
	return bytesTotal, rounds
}

func TestReconcilerSteps(t *testing.T) {
	small := DefaultReconcileConfig()
	small.Buckets, small.ListThreshold, small.ReplyLimit = 2, 1, 1
	tests := []struct {
		name                         string
		common, onlyA, onlyB, differ int
		cfgA, cfgB                   ReconcileConfig
	}{
		{name: "both empty"},
		{name: "a empty", onlyB: 1000},
		{name: "b empty", onlyA: 1000},
		{name: "identical small", common: 10},
		{name: "identical", common: 5000},
		{name: "few differences", common: 5000, onlyA: 3, onlyB: 4, differ: 5},
		{name: "all differ", differ: 3000},
		{name: "disjoint", onlyA: 700, onlyB: 900},
		{name: "single items", onlyA: 1, onlyB: 1},
		{name: "tiny config", common: 2000, onlyA: 20, onlyB: 20, differ: 20, cfgA: small, cfgB: small},
		{name: "mixed configs", common: 3000, onlyA: 50, onlyB: 1, differ: 7, cfgA: small},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, want := pairOf(t, uint64(i), tt.common, tt.onlyA, tt.onlyB, tt.differ)
			cfgA, cfgB := tt.cfgA, tt.cfgB
			if cfgA.Buckets == 0 {
				cfgA = DefaultReconcileConfig()
			}
			if cfgB.Buckets == 0 {
				cfgB = DefaultReconcileConfig()
			}
			ra, err := NewReconciler(a, cfgA)
			if err != nil {
				t.Fatal(err)
			}
			rb, err := NewReconciler(b, cfgB)
			if err != nil {
				t.Fatal(err)
			}
			_, rounds := runSteps(t, ra, rb)
			if got := ra.Diff(); !sameDiff(got, want) {
				t.Errorf("initiator diff: have %d need %d differ %d; want %d %d %d",
					len(got.Have), len(got.Need), len(got.Differ), len(want.Have), len(want.Need), len(want.Differ))
			}
			if got := rb.Diff(); !sameDiff(got, mirror(want)) {
				t.Errorf("responder diff: have %d need %d differ %d", len(got.Have), len(got.Need), len(got.Differ))
			}
			if want.Empty() && rounds != 1 {
				t.Errorf("identical sets took %d rounds, want 1", rounds)
			}
		})
	}
}

func TestReconcilerFrameLimit(t *testing.T) {
	cfg := DefaultReconcileConfig()
	cfg.FrameLimit, cfg.ReplyLimit = 1<<10, 16
	for i, tc := range []struct{ common, onlyA, onlyB, differ int }{
		{0, 6000, 0, 0}, {0, 0, 6000, 0}, {10000, 1000, 1000, 1000},
	} {
		a, b, want := pairOf(t, uint64(100+i), tc.common, tc.onlyA, tc.onlyB, tc.differ)
		ra, _ := NewReconciler(a, cfg)
		rb, _ := NewReconciler(b, cfg)
		n, rounds := runSteps(t, ra, rb)
		t.Logf("case %d: %d bytes in %d rounds", i, n, rounds)
		if !sameDiff(ra.Diff(), want) || !sameDiff(rb.Diff(), mirror(want)) {
			t.Errorf("case %d: diff not exact under a 1 KiB frame limit", i)
		}
	}
}

func TestReconcilerRejects(t *testing.T) {
	a, _, _ := pairOf(t, 7, 100, 0, 0, 0)
	r, _ := NewReconciler(a, DefaultReconcileConfig())
	bad := Message{Ranges: []Range{{Upper: Bound{Inf: true}, Mode: ModeReply, Codes: []ReplyCode{ReplySame}}}}
	if _, _, err := r.Step(bad); !errors.Is(err, ErrProtocol) {
		t.Errorf("reply with 1 code for 100 items: %v", err)
	}
	r, _ = NewReconciler(a, DefaultReconcileConfig())
	missingOurs := Message{Ranges: []Range{{Upper: Bound{Inf: true}, Mode: ModeReply,
		Codes: make([]ReplyCode, 100), Missing: [][32]byte{a[3].ID}}}}
	if _, _, err := r.Step(missingOurs); !errors.Is(err, ErrProtocol) {
		t.Errorf("reply claiming we lack our own id: %v", err)
	}
	r, _ = NewReconciler(a, DefaultReconcileConfig())
	if _, _, err := r.Step(Message{}); err != nil || !r.Done() {
		t.Fatalf("empty message: %v, done %v", err, r.Done())
	}
	if _, _, err := r.Step(Message{}); !errors.Is(err, ErrProtocol) {
		t.Errorf("Step after done: %v", err)
	}
	if _, err := NewReconciler(ItemSet{a[1], a[0]}, DefaultReconcileConfig()); !errors.Is(err, ErrInvalid) {
		t.Errorf("unsorted set: %v", err)
	}
	if _, err := NewReconciler(a, ReconcileConfig{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero config: %v", err)
	}
}

type result struct {
	diff  Diff
	stats Stats
	err   error
}

// overPipe runs fn on both ends of a net.Pipe, a as initiator.
func overPipe(a, b ItemSet, fn func(context.Context, net.Conn, bool, ItemSet) (Diff, Stats, error)) (ra, rb result) {
	ca, cb := net.Pipe()
	defer ca.Close()
	defer cb.Close()
	done := make(chan result, 1)
	go func() {
		d, s, err := fn(context.Background(), cb, false, b)
		done <- result{d, s, err}
	}()
	d, s, err := fn(context.Background(), ca, true, a)
	return result{d, s, err}, <-done
}

func reconcileConn(ctx context.Context, c net.Conn, initiator bool, items ItemSet) (Diff, Stats, error) {
	return Reconcile(ctx, c, initiator, items)
}

func naiveConn(ctx context.Context, c net.Conn, initiator bool, items ItemSet) (Diff, Stats, error) {
	return NaiveExchange(ctx, c, initiator, items)
}

func TestReconcileOverPipe(t *testing.T) {
	a, b, want := pairOf(t, 42, 100000, 20, 15, 15)
	ra, rb := overPipe(a, b, reconcileConn)
	if ra.err != nil || rb.err != nil {
		t.Fatalf("errors: %v, %v", ra.err, rb.err)
	}
	if !sameDiff(ra.diff, want) || !sameDiff(rb.diff, mirror(want)) {
		t.Fatalf("diff not exact: initiator %d/%d/%d", len(ra.diff.Have), len(ra.diff.Need), len(ra.diff.Differ))
	}
	if ra.stats.BytesSent != rb.stats.BytesReceived || ra.stats.Rounds != rb.stats.Rounds {
		t.Errorf("stats disagree: %+v vs %+v", ra.stats, rb.stats)
	}
	na, nb := overPipe(a, b, naiveConn)
	if na.err != nil || nb.err != nil || !sameDiff(na.diff, want) || !sameDiff(nb.diff, mirror(want)) {
		t.Fatalf("naive exchange: %v, %v, or diff not exact", na.err, nb.err)
	}
	fast := ra.stats.BytesSent + ra.stats.BytesReceived
	naive := na.stats.BytesSent + na.stats.BytesReceived
	t.Logf("100k items, 50 differences: reconcile %d bytes in %d rounds, naive %d bytes (%.2f%%)",
		fast, ra.stats.Rounds, naive, 100*float64(fast)/float64(naive))
	if fast*10 >= naive {
		t.Errorf("reconcile moved %d bytes, not under 10%% of naive %d", fast, naive)
	}
}

func TestReconcileOverPipeEdgeCases(t *testing.T) {
	tests := []struct {
		name                         string
		common, onlyA, onlyB, differ int
		rounds                       int // 0: do not check
	}{
		{"identical", 100000, 0, 0, 0, 1},
		{"both empty", 0, 0, 0, 0, 1},
		{"initiator empty", 0, 0, 5000, 0, 0},
		{"responder empty", 0, 5000, 0, 0, 0},
		{"one difference", 50000, 0, 0, 1, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, want := pairOf(t, uint64(200+i), tt.common, tt.onlyA, tt.onlyB, tt.differ)
			ra, rb := overPipe(a, b, reconcileConn)
			if ra.err != nil || rb.err != nil {
				t.Fatalf("errors: %v, %v", ra.err, rb.err)
			}
			if !sameDiff(ra.diff, want) || !sameDiff(rb.diff, mirror(want)) {
				t.Errorf("diff not exact")
			}
			if tt.rounds != 0 && (ra.stats.Rounds != tt.rounds || rb.stats.Rounds != tt.rounds) {
				t.Errorf("rounds %d/%d, want %d", ra.stats.Rounds, rb.stats.Rounds, tt.rounds)
			}
		})
	}
}

func TestReconcileCancelled(t *testing.T) {
	a, _, _ := pairOf(t, 9, 1000, 0, 0, 0)
	ca, cb := net.Pipe()
	defer ca.Close()
	defer cb.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := Reconcile(ctx, ca, true, a) // nobody reads cb: the write blocks
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Reconcile after cancel = %v, want context.Canceled", err)
	}
}

func TestReconcileRejectsOversizeFrame(t *testing.T) {
	a, _, _ := pairOf(t, 10, 10, 0, 0, 0)
	ca, cb := net.Pipe()
	defer ca.Close()
	defer cb.Close()
	go func() { _, _ = cb.Write([]byte{0xFF, 0xFF, 0xFF, 0xFF}) }()
	if _, _, err := Reconcile(context.Background(), ca, false, a); !errors.Is(err, ErrProtocol) {
		t.Errorf("oversize frame: %v", err)
	}
}
