package federation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation/wire"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// pendingIs fails unless every node holds exactly one pending proposal,
// named digest, signed by exactly signers.
func pendingIs(digest string, signers []*testNode, nodes ...*testNode) func() error {
	var want []string
	for _, s := range signers {
		want = append(want, s.Self().String())
	}
	slices.Sort(want)
	return func() error {
		for _, n := range nodes {
			list := n.Proposals()
			if len(list) != 1 || list[0].Digest != digest {
				return fmt.Errorf("%s holds %d proposals, want the one named %.8s", n.Self().ShortString(), len(list), digest)
			}
			if !slices.Equal(list[0].Signers, want) {
				return fmt.Errorf("%s: signers %v, want %v", n.Self().ShortString(), list[0].Signers, want)
			}
		}
		return nil
	}
}

func nonePending(nodes ...*testNode) func() error {
	return func() error {
		for _, n := range nodes {
			if list := n.Proposals(); len(list) != 0 {
				return fmt.Errorf("%s still holds %d proposals", n.Self().ShortString(), len(list))
			}
		}
		return nil
	}
}

func TestProposalGathersSignaturesOverTheFederation(t *testing.T) {
	ka, _ := newKey(t)
	kb, _ := newKey(t)
	kc, _ := newKey(t)
	kd, _ := newKey(t)
	a, b, c, d := startNode(t, ka), startNode(t, kb), startNode(t, kc), startNode(t, kd)
	all := []*testNode{a, b, c, d}
	v1 := founding(t, []Member{a.member("alpha"), b.member("beta"), c.member("gamma"), d.member("delta")}, ka, kb, kc, kd)
	federate(t, v1, all...)
	ctx := context.Background()

	t.Run("a forged proposal sent over the wire is refused", func(t *testing.T) {
		forged := amend(t, v1, func(ch *Charter) { ch.Name = "Forged" }, kb, kc)
		forged.Signatures[1].Signature = forged.Signatures[0].Signature
		if err := b.pushProposal(ctx, a.Self(), forged); err == nil {
			t.Fatal("a accepted a forged proposal")
		}
		if list := a.Proposals(); len(list) != 0 {
			t.Fatalf("a holds %d proposals after a forged one", len(list))
		}
	})

	v2 := amend(t, v1, func(ch *Charter) { ch.Name = "Renamed Federation" }, ka)
	digest := v2.Charter.Digest()
	p, err := a.Propose(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Digest != digest || p.Needed != 3 || len(p.Voters) != 4 || !slices.Equal(p.Signers, []string{a.Self().String()}) || p.Carried() {
		t.Fatalf("proposal = %+v", p)
	}
	testwait.For(t, 10*time.Second, pendingIs(digest, []*testNode{a}, all...))

	if p, err = b.SignProposal(ctx, digest); err != nil || len(p.Signers) != 2 || p.Carried() {
		t.Fatalf("b signs: %+v, %v", p, err)
	}
	testwait.For(t, 10*time.Second, pendingIs(digest, []*testNode{a, b}, all...))

	if p, err = c.SignProposal(ctx, digest); err != nil || len(p.Signers) != 3 || !p.Carried() {
		t.Fatalf("c signs: %+v, %v", p, err)
	}
	testwait.For(t, 10*time.Second, versionIs(2, all...))
	testwait.For(t, 10*time.Second, nonePending(all...))
	for _, n := range all {
		sc, _ := n.Charter()
		if sc.Charter.Name != "Renamed Federation" || sc.Charter.Digest() != digest {
			t.Fatalf("%s holds %q (%.8s)", n.Self().ShortString(), sc.Charter.Name, sc.Charter.Digest())
		}
	}
	if _, err := d.SignProposal(ctx, digest); !errors.Is(err, ErrNoProposal) {
		t.Fatalf("signing a proposal that took force: %v, want ErrNoProposal", err)
	}
}

// A member that was offline while an amendment was proposed receives it
// when it connects again, and its signature still counts.
func TestProposalReachesMemberThatWasAway(t *testing.T) {
	ka, _ := newKey(t)
	kb, _ := newKey(t)
	kc, _ := newKey(t)
	dbc := memDB(t)
	a, b, c := startNode(t, ka), startNode(t, kb), startNodeDB(t, kc, dbc)
	v1 := founding(t, []Member{a.member("alpha"), b.member("beta"), c.member("gamma")}, ka, kb, kc)
	federate(t, v1, a, b, c)
	c.stop()

	v2 := amend(t, v1, func(ch *Charter) { ch.Policy.StorefrontCommissionBPS = 1200 }, ka)
	digest := v2.Charter.Digest()
	if _, err := a.Propose(context.Background(), v2); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, pendingIs(digest, []*testNode{a}, a, b))

	c = startNodeDB(t, kc, dbc) // new ports; it dials a and b from its charter
	testwait.For(t, 10*time.Second, pendingIs(digest, []*testNode{a}, c))
	if _, err := c.SignProposal(context.Background(), digest); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, pendingIs(digest, []*testNode{a, c}, a, b, c))
	if _, err := b.SignProposal(context.Background(), digest); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, versionIs(2, a, b, c))
	testwait.For(t, 10*time.Second, nonePending(a, b, c))
}

// proposalFixture is a node (not running: no peers) holding version 1 of a
// four-member charter, and the members' keys.
type proposalFixture struct {
	f                      *Federation
	v1                     *SignedCharter
	ka, kb, kc, kd         crypto.PrivKey
	alpha, beta, gamma, dl Member
}

func newProposalFixture(t *testing.T, db *badger.DB) *proposalFixture {
	t.Helper()
	x := &proposalFixture{}
	x.alpha, x.ka = staticMember(t, "alpha")
	x.beta, x.kb = staticMember(t, "beta")
	x.gamma, x.kc = staticMember(t, "gamma")
	x.dl, x.kd = staticMember(t, "delta")
	x.v1 = founding(t, []Member{x.alpha, x.beta, x.gamma, x.dl}, x.ka, x.kb, x.kc, x.kd)
	x.f = x.open(t, db)
	if err := x.f.Submit(context.Background(), x.v1); err != nil {
		t.Fatal(err)
	}
	return x
}

// open starts alpha's Federation over db.
func (x *proposalFixture) open(t *testing.T, db *badger.DB) *Federation {
	t.Helper()
	f, err := New(testConfig(), x.ka, db, discard(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestProposeRefusals(t *testing.T) {
	x := newProposalFixture(t, memDB(t))
	v1 := x.v1
	outsider, ko := staticMember(t, "outsider")
	newcomer, kn := staticMember(t, "newcomer")
	rename := func(c *Charter) { c.Name = "Renamed" }
	forged := amend(t, v1, rename, x.ka, x.kb)
	forged.Signatures[1].Signature = forged.Signatures[0].Signature // alpha's signature under beta's name
	wrongKey := amend(t, v1, rename, x.ka)
	other := amend(t, v1, rename, ko)
	wrongKey.Signatures = append(wrongKey.Signatures, Signature{PeerID: x.gamma.PeerID, Signature: other.Signatures[0].Signature})

	tests := []struct {
		name string
		sc   *SignedCharter
		errs []error
		says string
	}{
		{"forged signature", forged, []error{ErrInvalid, ErrBadSignature}, x.beta.PeerID},
		{"signature by another key", wrongKey, []error{ErrInvalid, ErrBadSignature}, x.gamma.PeerID},
		{"non-member signer", amend(t, v1, rename, x.ka, ko), []error{ErrInvalid, ErrForeignSigner}, outsider.PeerID},
		{"newcomer has no vote yet", amend(t, v1, func(c *Charter) { c.Members = append(c.Members, newcomer) }, x.ka, kn), []error{ErrInvalid, ErrForeignSigner}, newcomer.PeerID},
		{"unsigned", amend(t, v1, rename), []error{ErrInvalid}, "signatures"},
		{"version skips", amend(t, v1, func(c *Charter) { c.Version = 3 }, x.ka), []error{ErrVersion}, "charter.version"},
		{"repeats the current version", v1, []error{ErrVersion}, "charter.version"},
		{"wrong previous", amend(t, v1, func(c *Charter) { c.Previous = strings.Repeat("0", 64) }, x.ka), []error{ErrVersion}, "charter.previous"},
		{"other federation", amend(t, v1, func(c *Charter) { c.FederationID = "other" }, x.ka), []error{ErrInvalid}, "charter.federation_id"},
		{"invalid body", amend(t, v1, func(c *Charter) { c.Currency = "euro" }, x.ka), []error{ErrInvalid}, "charter.currency"},
		{"signed twice", func() *SignedCharter {
			sc := amend(t, v1, rename, x.ka)
			sc.Signatures = append(sc.Signatures, sc.Signatures[0])
			return sc
		}(), []error{ErrInvalid}, "signed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := x.f.Propose(context.Background(), tt.sc)
			for _, want := range tt.errs {
				if !errors.Is(err, want) {
					t.Fatalf("err = %v, want %v", err, want)
				}
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %q, want it to name %q", err, tt.says)
			}
		})
	}
	if list := x.f.Proposals(); len(list) != 0 {
		t.Fatalf("refused proposals are pending: %d", len(list))
	}
}

func TestProposalMergeAndTakeForce(t *testing.T) {
	x := newProposalFixture(t, memDB(t))
	ctx := context.Background()
	v2 := amend(t, x.v1, func(c *Charter) { c.Name = "Renamed" }, x.kb)
	first, err := x.f.Propose(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first.Signers, []string{x.beta.PeerID}) || first.Needed != 3 {
		t.Fatalf("first = %+v", first)
	}
	again, err := x.f.Propose(ctx, amend(t, x.v1, func(c *Charter) { c.Name = "Renamed" }, x.kc))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{x.beta.PeerID, x.gamma.PeerID}
	slices.Sort(want)
	if again.Digest != first.Digest || !slices.Equal(again.Signers, want) || !again.ReceivedAt.Equal(first.ReceivedAt) || len(again.Charter.Signatures) != 2 {
		t.Fatalf("merged = %+v, want %v and the first arrival time", again, want)
	}
	rival, err := x.f.Propose(ctx, amend(t, x.v1, func(c *Charter) { c.Name = "Other Name" }, x.kd))
	if err != nil {
		t.Fatal(err)
	}
	list := x.f.Proposals()
	if len(list) != 2 || list[0].Digest != first.Digest || list[1].Digest != rival.Digest {
		t.Fatalf("pending = %d, want the first then the rival", len(list))
	}
	if _, err := x.f.SignProposal(ctx, strings.Repeat("ab", 32)); !errors.Is(err, ErrNoProposal) {
		t.Fatalf("unknown digest: %v, want ErrNoProposal", err)
	}
	if p, err := x.f.SignProposal(ctx, rival.Digest); err != nil || len(p.Signers) != 2 || p.Carried() {
		t.Fatalf("alpha signs the rival: %+v, %v", p, err)
	}
	if _, err := x.f.SignProposal(ctx, first.Digest); !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), rival.Digest) {
		t.Fatalf("alpha signs both rivals: %v, want ErrVersion naming the rival", err)
	}
	// delta signed the rival too, offline; its signature on the first makes three of four.
	p, err := x.f.Propose(ctx, amend(t, x.v1, func(c *Charter) { c.Name = "Renamed" }, x.kd))
	if err != nil || !p.Carried() || p.Digest != first.Digest {
		t.Fatalf("delta's signature: %+v, %v", p, err)
	}
	sc, _ := x.f.Charter()
	if sc.Charter.Version != 2 || sc.Charter.Name != "Renamed" || len(sc.Signatures) != 3 {
		t.Fatalf("in force: version %d %q with %d signatures", sc.Charter.Version, sc.Charter.Name, len(sc.Signatures))
	}
	if list := x.f.Proposals(); len(list) != 0 {
		t.Fatalf("%d proposals still pending, the rival among them", len(list))
	}
}

func TestProposalsAreBounded(t *testing.T) {
	x := newProposalFixture(t, memDB(t))
	ctx := context.Background()
	keys := []crypto.PrivKey{x.ka, x.kb, x.kc, x.kd}
	digests := map[int]string{}
	for i := range MaxProposals {
		signer := keys[i/MaxProposalsPerSigner]
		p, err := x.f.Propose(ctx, amend(t, x.v1, func(c *Charter) { c.Name = fmt.Sprintf("Name %d", i) }, signer))
		if err != nil {
			t.Fatalf("proposal %d: %v", i, err)
		}
		digests[i] = p.Digest
		if i%MaxProposalsPerSigner != MaxProposalsPerSigner-1 {
			continue
		}
		// One member alone cannot fill every slot: its next proposal is
		// refused, while the others may still propose.
		if _, err := x.f.Propose(ctx, amend(t, x.v1, func(c *Charter) { c.Name = fmt.Sprintf("More %d", i) }, signer)); !errors.Is(err, ErrTooManyProposals) {
			t.Fatalf("proposal %d of one signer: %v, want ErrTooManyProposals", MaxProposalsPerSigner+1, err)
		}
	}
	if _, err := x.f.Propose(ctx, amend(t, x.v1, func(c *Charter) { c.Name = "One Too Many" }, x.ka, x.kb)); !errors.Is(err, ErrTooManyProposals) {
		t.Fatalf("proposal %d: %v, want ErrTooManyProposals", MaxProposals+1, err)
	}
	// A signature for one already pending is still welcome.
	p, err := x.f.Propose(ctx, amend(t, x.v1, func(c *Charter) { c.Name = "Name 0" }, x.kc))
	if err != nil || p.Digest != digests[0] || len(p.Signers) != 2 {
		t.Fatalf("merge while full: %+v, %v", p, err)
	}
}

func TestSignProposalNeedsAVote(t *testing.T) {
	alpha, ka := staticMember(t, "alpha")
	beta, kb := staticMember(t, "beta")
	ke, _ := newKey(t) // this node is not listed in the charter
	f, err := New(testConfig(), ke, memDB(t), discard(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v1 := founding(t, []Member{alpha, beta}, ka, kb)
	if err := f.Submit(context.Background(), v1); err != nil {
		t.Fatal(err)
	}
	p, err := f.Propose(context.Background(), amend(t, v1, func(c *Charter) { c.Name = "Renamed" }, ka))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.SignProposal(context.Background(), p.Digest); !errors.Is(err, ErrNotMember) {
		t.Fatalf("a non-voter signs: %v, want ErrNotMember", err)
	}
	if got := f.Proposals(); len(got) != 1 || len(got[0].Signers) != 1 {
		t.Fatal("a refused signature changed the proposal")
	}
}

func TestProposalsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	open := func() *badger.DB {
		db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	ctx := context.Background()
	db := open()
	t.Cleanup(func() { db.Close() }) // the last one opened, after its Federation closes
	x := newProposalFixture(t, db)
	v2 := amend(t, x.v1, func(c *Charter) { c.Name = "Renamed" }, x.kb)
	first, err := x.f.Propose(ctx, v2)
	if err != nil {
		t.Fatal(err)
	}
	rival, err := x.f.Propose(ctx, amend(t, x.v1, func(c *Charter) { c.Name = "Rival" }, x.kc))
	if err != nil {
		t.Fatal(err)
	}
	restart := func() *Federation {
		t.Helper()
		x.f.Close()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = open()
		x.f = x.open(t, db)
		return x.f
	}

	f := restart()
	list := f.Proposals()
	if len(list) != 2 || list[0].Digest != first.Digest || list[1].Digest != rival.Digest {
		t.Fatalf("after restart: %d pending, want the first and the rival in order", len(list))
	}
	if !list[0].ReceivedAt.Equal(first.ReceivedAt) || !slices.Equal(list[0].Signers, first.Signers) {
		t.Fatalf("after restart: %+v, want %+v", list[0], first)
	}
	if p, err := f.Propose(ctx, amend(t, x.v1, func(c *Charter) { c.Name = "Renamed" }, x.kd)); err != nil || len(p.Signers) != 2 {
		t.Fatalf("merge after restart: %+v, %v", p, err)
	}

	// The first takes force through an offline-signed submission: both lapse.
	if err := f.Submit(ctx, amend(t, x.v1, func(c *Charter) { c.Name = "Renamed" }, x.ka, x.kb, x.kd)); err != nil {
		t.Fatal(err)
	}
	if list := f.Proposals(); len(list) != 0 {
		t.Fatalf("%d proposals pending after version 2 took force", len(list))
	}
	f = restart()
	if list := f.Proposals(); len(list) != 0 {
		t.Fatalf("%d lapsed proposals came back after a restart", len(list))
	}
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: keyProposalPrefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			return fmt.Errorf("key %q left behind", it.Item().Key())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzProposalMessage: no message a member sends may panic the decoder or
// the checks that follow it.
func FuzzProposalMessage(f *testing.F) {
	f.Add([]byte(`{"proposal":{"charter":{"federation_id":"x","name":"X","version":2,"previous":"` + strings.Repeat("0", 64) + `","currency":"EUR","period":"1h","policy":{"storefront_commission_bps":1,"federation_fee_bps":0,"payable_on":"delivered"},"members":[]},"signatures":[]}}`))
	f.Add([]byte(`{"proposal":{"charter":{"version":2},"signatures":[{"peer_id":"12D3KooW","signature":"!!"}]}}`))
	f.Add([]byte(`{}`))
	cur := &Charter{FederationID: "x", Name: "X", Version: 1, Currency: "EUR", Period: Duration(time.Hour)}
	f.Fuzz(func(t *testing.T, b []byte) {
		var msg proposalMsg
		if err := wire.DecodeJSON(b, &msg); err != nil || msg.Proposal == nil {
			return
		}
		if err := checkProposal(cur, msg.Proposal); err == nil && len(msg.Proposal.Signatures) == 0 {
			t.Fatal("an unsigned proposal passed")
		}
	})
}

func TestProposeSignedAddsThisNodesSignature(t *testing.T) {
	x := newProposalFixture(t, memDB(t))
	ctx := context.Background()
	draft := amend(t, x.v1, func(c *Charter) { c.Name = "Drafted" }) // unsigned, as `charter amend` writes it
	p, err := x.f.ProposeSigned(ctx, draft)
	if err != nil {
		t.Fatal(err)
	}
	alpha := x.alpha.PeerID
	if len(p.Signers) != 1 || p.Signers[0] != alpha {
		t.Fatalf("signers %v, want this node (%s) alone", p.Signers, alpha)
	}
	// Already signed by this node: nothing more to add.
	if p2, err := x.f.ProposeSigned(ctx, p.Charter); err != nil || len(p2.Signers) != 1 {
		t.Fatalf("again: %+v %v", p2, err)
	}
	// A rival for the same version is not signed by this node.
	rival := amend(t, x.v1, func(c *Charter) { c.Name = "Rival" })
	if _, err := x.f.ProposeSigned(ctx, rival); !errors.Is(err, ErrVersion) {
		t.Fatalf("a rival: %v, want ErrVersion", err)
	}
}
