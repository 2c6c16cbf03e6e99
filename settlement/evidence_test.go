package settlement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// signedEvent is the test stand-in for a home node's signed order status
// message: the event's JSON and the home node's Ed25519 signature of it.
type signedEvent struct {
	Event json.RawMessage `json:"event"`
	Sig   []byte          `json:"sig"`
}

// homeEvidence proves an event with its home node's signature. signers
// holds the key each home node signs with (a test shortcut for the signed
// messages a real node keeps); homes holds the keys verifiers trust. lie,
// when set, makes Proof prove another event than the one asked for; mute
// makes it fail.
type homeEvidence struct {
	signers map[string]crypto.PrivKey
	homes   map[string]crypto.PubKey
	lie     func(Event) Event
	mute    bool
}

func (h homeEvidence) Proof(_ context.Context, ev Event) ([]byte, error) {
	if h.mute {
		return nil, errors.New("no signed message kept")
	}
	if h.lie != nil {
		ev = h.lie(ev)
	}
	key, ok := h.signers[ev.Home]
	if !ok {
		return nil, fmt.Errorf("no signed message of home %s", ev.Home)
	}
	raw, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	sig, err := key.Sign(raw)
	if err != nil {
		return nil, err
	}
	return json.Marshal(signedEvent{Event: raw, Sig: sig})
}

func (h homeEvidence) Verify(_ context.Context, proof []byte) (Event, error) {
	var se signedEvent
	if err := json.Unmarshal(proof, &se); err != nil {
		return Event{}, fmt.Errorf("proof: %w", err)
	}
	var ev Event
	if err := json.Unmarshal(se.Event, &ev); err != nil {
		return Event{}, fmt.Errorf("proof event: %w", err)
	}
	pub, ok := h.homes[ev.Home]
	if !ok {
		return Event{}, fmt.Errorf("unknown home %s", ev.Home)
	}
	if ok, err := pub.Verify(se.Event, se.Sig); err != nil || !ok {
		return Event{}, errors.New("home signature does not verify")
	}
	return ev, nil
}

func TestEntryEvent(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0}
	s := newLedger(t, "S", clk)
	r := refund("p1", "r1", t0.Add(time.Hour), 4000)
	d := ev("p1", EventDelivered, t0.Add(2*time.Hour), 10000)
	postAll(t, []Event{r, d}, s) // the refund waits for the delivery
	for _, e := range entriesOf(t, s, day1, "") {
		got, err := s.EntryEvent(ctx, e.ID)
		if err != nil {
			t.Fatalf("EntryEvent(%s %s): %v", e.Kind, e.ID, err)
		}
		want := d
		if e.Kind == EntryRefund || e.Kind == EntryFeeRefund {
			want = r
		}
		if got.digest() != want.digest() {
			t.Errorf("%s entry: event %+v, want %+v", e.Kind, got, want)
		}
		found := false
		for _, c := range derivableEntries(got, testPolicy()) {
			found = found || c.ID == e.ID
		}
		if !found {
			t.Errorf("%s entry %s is not among the entries its event can cause", e.Kind, e.ID)
		}
	}
	if _, err := s.EntryEvent(ctx, "00"); !errors.Is(err, ErrNotFound) {
		t.Errorf("EntryEvent(unknown) = %v, want ErrNotFound", err)
	}
}

func TestRestoreSkipsWhatItCannotProve(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: t0.Add(48 * time.Hour)}
	s, h := newLedger(t, "S", clk), newLedger(t, "H", clk)
	hKey, _ := newKey(t)
	_, otherPub := newKey(t)
	honest := homeEvidence{signers: map[string]crypto.PrivKey{"H": hKey}, homes: map[string]crypto.PubKey{"H": hKey.GetPublic()}}
	p7 := ev("p7", EventDelivered, t0, 4000)
	p8 := ev("p8", EventDelivered, t0, 5000)
	postAll(t, []Event{p7, p8}, s)
	need, _ := s.ItemSet(ctx, day1, "H")
	ids := [][32]byte{need[0].ID, need[1].ID}
	proofOf := func(e Event) []byte {
		p, err := honest.Proof(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	unrelated := ev("p9", EventDelivered, t0, 100)
	distrusting := honest
	distrusting.homes = map[string]crypto.PubKey{"H": otherPub}
	// p7 through a verifier that trusts another key, p9 that nobody lacks,
	// garbage: none may post. p8 through the honest verifier restores.
	pin := newPinning(day1, "S", ids)
	n, err := h.restore(ctx, distrusting, pin, [][]byte{proofOf(p7), []byte("garbage")}, 1<<16)
	if err != nil || n != 0 {
		t.Fatalf("restore with bad proofs = %d, %v", n, err)
	}
	n, err = h.restore(ctx, honest, pin, [][]byte{proofOf(unrelated), proofOf(p8)}, 1<<16)
	if err != nil || n != 1 {
		t.Fatalf("restore = %d, %v; want 1 restored", n, err)
	}
	got := entriesOf(t, h, day1, "S")
	if len(got) != 1 || got[0].PartID != "p8" {
		t.Errorf("H holds %+v in the closed day1, want the p8 sale only", got)
	}
	for _, period := range []string{day2, day3} {
		if e := entriesOf(t, h, period, ""); len(e) != 0 {
			t.Errorf("H holds %d entries in %s, want none", len(e), period)
		}
	}
	if err := h.CheckBalances(ctx); err != nil {
		t.Error(err)
	}
}
