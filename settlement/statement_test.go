package settlement

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
)

func newKey(t testing.TB) (crypto.PrivKey, crypto.PubKey) {
	t.Helper()
	priv, pub, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

// closedPair returns S and H ledgers with the scenario posted, after
// day1.
func closedPair(t *testing.T) (s, h *Ledger) {
	t.Helper()
	clk := &clock{t: t0.Add(48 * time.Hour)}
	s, h = newLedger(t, "S", clk), newLedger(t, "H", clk)
	postAll(t, scenario(), s, h)
	return s, h
}

func TestStatementsAgreeAndSign(t *testing.T) {
	ctx := context.Background()
	s, h := closedPair(t)
	ss, err := s.Statement(ctx, day1, "H")
	if err != nil {
		t.Fatal(err)
	}
	hs, err := h.Statement(ctx, day1, "S")
	if err != nil {
		t.Fatal(err)
	}
	if ss.Digest != hs.Digest || string(ss.SigningBytes()) != string(hs.SigningBytes()) || ss.Count != 3 {
		t.Fatalf("S and H statements differ or are wrong:\n%+v\n%+v", ss, hs)
	}
	if ss.Status != StatusOpen {
		t.Errorf("status of a statement no session saved = %s", ss.Status)
	}
	net, err := ss.Net()
	if err != nil || net.From != "S" || net.To != "H" || net.Amount.Amount != 8850+2300-885 {
		t.Errorf("Net = %+v, %v", net, err)
	}

	sPriv, sPub := newKey(t)
	hPriv, hPub := newKey(t)
	// Each side signs its own copy; the signatures are exchanged.
	if err := ss.Sign(sPriv); err != nil {
		t.Fatal(err)
	}
	if err := hs.Sign(hPriv); err != nil {
		t.Fatal(err)
	}
	ss.Signatures = append(ss.Signatures, hs.Signatures...)
	if err := ss.Agree(sPub, hPub); err != nil {
		t.Fatalf("Agree: %v", err)
	}
	if err := s.SaveStatement(ctx, ss, sPub, hPub); err != nil {
		t.Fatalf("SaveStatement: %v", err)
	}
	got, err := s.Statement(ctx, day1, "H")
	if err != nil || got.Status != StatusAgreed || len(got.Signatures) != 2 {
		t.Errorf("saved statement = %+v, %v", got, err)
	}
	obs, err := ObligationsFromStatements([]Statement{got, got})
	if err != nil || len(obs) != 1 || obs[0] != net {
		t.Errorf("ObligationsFromStatements = %+v, %v", obs, err)
	}
}

func TestStatementForgeries(t *testing.T) {
	ctx := context.Background()
	s, _ := closedPair(t)
	st, _ := s.Statement(ctx, day1, "H")
	sPriv, sPub := newKey(t)
	hPriv, hPub := newKey(t)
	_, otherPub := newKey(t)
	for _, k := range []crypto.PrivKey{sPriv, hPriv} {
		if err := st.Sign(k); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.VerifySignature(sPub); err != nil {
		t.Fatalf("valid signature: %v", err)
	}
	if err := st.VerifySignature(otherPub); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown signer: %v", err)
	}

	tampered := st
	tampered.Totals = append([]Total(nil), st.Totals...)
	tampered.Totals[0].Amount.Amount--
	if err := tampered.VerifySignature(sPub); !errors.Is(err, ErrForged) {
		t.Errorf("tampered totals: %v, want ErrForged", err)
	}
	forged := st
	forged.Signatures = []Signature{st.Signatures[0], {PublicKey: st.Signatures[1].PublicKey, Signature: st.Signatures[0].Signature}}
	if err := forged.VerifySignature(hPub); !errors.Is(err, ErrForged) {
		t.Errorf("signature copied to another key: %v, want ErrForged", err)
	}
	forged.Status = StatusAgreed
	if err := s.SaveStatement(ctx, forged, sPub, hPub); !errors.Is(err, ErrForged) {
		t.Errorf("SaveStatement(forged agreed) = %v, want ErrForged", err)
	}
	tampered.Status = StatusAgreed
	if err := s.SaveStatement(ctx, tampered, sPub, hPub); !errors.Is(err, ErrConflict) {
		t.Errorf("SaveStatement(other totals) = %v, want ErrConflict", err)
	}
	if _, err := ObligationsFromStatements([]Statement{st}); !errors.Is(err, ErrNotAgreed) {
		t.Errorf("netting an unagreed statement: %v", err)
	}
	ecdsa, _, err := crypto.GenerateECDSAKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Sign(ecdsa); !errors.Is(err, ErrInvalid) {
		t.Errorf("non-Ed25519 key: %v", err)
	}
}

func TestStatementDisputes(t *testing.T) {
	ctx := context.Background()
	// H misses one event, so one entry pair is missing on H's side.
	extra := ev("p7", EventDelivered, t0.Add(3*time.Hour), 4000)
	clk := &clock{t: t0}
	s2, h2 := newLedger(t, "S", clk), newLedger(t, "H", clk)
	postAll(t, append(scenario(), extra), s2)
	postAll(t, scenario(), h2)
	a, _ := s2.ItemSet(ctx, day1, "H")
	b, _ := h2.ItemSet(ctx, day1, "S")
	ra, rb := overPipe(a, b, reconcileConn)
	if ra.err != nil || rb.err != nil || len(ra.diff.Have) != 1 || len(rb.diff.Need) != 1 {
		t.Fatalf("reconcile: %+v %+v", ra, rb)
	}
	st, _ := s2.Statement(ctx, day1, "H")
	st.ApplyDiff(ra.diff)
	if st.Status != StatusDisputed || len(st.Disputes) != 1 || st.Disputes[0].Reason != DisputeMissingThere {
		t.Errorf("after diff: %+v", st)
	}
	_, pub1 := newKey(t)
	_, pub2 := newKey(t)
	if err := st.Agree(pub1, pub2); !errors.Is(err, ErrConflict) {
		t.Errorf("Agree with disputes = %v", err)
	}
	if err := s2.SaveStatement(ctx, st, pub1, pub2); err != nil {
		t.Errorf("saving a disputed statement: %v", err)
	}
	got, _ := s2.Statement(ctx, day1, "H")
	if got.Status != StatusDisputed || len(got.Disputes) != 1 {
		t.Errorf("reloaded: %+v", got)
	}
}

func TestNewStatementRejects(t *testing.T) {
	good := Entry{ID: entryID("p", "delivered", "", "A", "B", EntrySale), Period: day1, Kind: EntrySale,
		From: "A", To: "B", Amount: Money{Amount: 5, Currency: "EUR"}}
	other := good
	other.ID = entryID("q", "delivered", "", "A", "B", EntrySale)
	tests := []struct {
		name    string
		entries []Entry
		want    error
	}{
		{"wrong period", []Entry{func() Entry { e := good; e.Period = day2; return e }()}, ErrInvalid},
		{"wrong parties", []Entry{func() Entry { e := good; e.To = "C"; return e }()}, ErrInvalid},
		{"duplicate", []Entry{good, good}, ErrInvalid},
		{"bad id", []Entry{func() Entry { e := good; e.ID = "xyz"; return e }()}, ErrInvalid},
		{"currencies", []Entry{good, func() Entry { e := other; e.Amount.Currency = "USD"; return e }()}, ErrCurrency},
	}
	for _, tt := range tests {
		if _, err := NewStatement(day1, "A", "B", tt.entries); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	st, err := NewStatement(day1, "B", "A", []Entry{other, good})
	if err != nil || st.Parties != [2]string{"A", "B"} || st.Count != 2 || st.Totals[0].Amount.Amount != 10 {
		t.Errorf("NewStatement = %+v, %v", st, err)
	}
	rev, _ := NewStatement(day1, "A", "B", []Entry{good, other})
	if rev.Digest != st.Digest {
		t.Error("digest depends on entry order")
	}
}
