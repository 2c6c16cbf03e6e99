package federation

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
)

func staticMember(t *testing.T, name string) (Member, crypto.PrivKey) {
	k, id := newKey(t)
	return Member{PeerID: id.String(), Name: name, API: "http://" + name + ".example", Addrs: []string{"/ip4/127.0.0.1/tcp/4001"}, Status: StatusActive}, k
}

func TestCharterVerifyRefusals(t *testing.T) {
	a, ka := staticMember(t, "alpha")
	b, kb := staticMember(t, "beta")
	c, kc := staticMember(t, "gamma")
	d, kd := staticMember(t, "delta")
	outsider, ko := staticMember(t, "outsider")
	v1 := founding(t, []Member{a, b, c, d}, ka, kb, kc, kd)
	if err := v1.Verify(nil); err != nil {
		t.Fatalf("valid v1 refused: %v", err)
	}
	v1abc := founding(t, []Member{a, b, c}, ka, kb, kc)
	forged := founding(t, []Member{a, b}, ka, kb)
	forged.Signatures[1].Signature = forged.Signatures[0].Signature // alpha's signature under beta's name

	tests := []struct {
		name string
		sc   *SignedCharter
		prev *Charter
		err  error
		says string
	}{
		{"v1 missing a signature", founding(t, []Member{a, b, c}, ka, kb), nil, ErrTooFewSignatures, c.PeerID},
		{"forged signature", forged, nil, ErrBadSignature, b.PeerID},
		{"foreign signer", founding(t, []Member{a, b}, ka, kb, ko), nil, ErrForeignSigner, outsider.PeerID},
		{"tampered after signing", func() *SignedCharter {
			sc := founding(t, []Member{a, b}, ka, kb)
			sc.Charter.Policy.StorefrontCommissionBPS = 9000
			return sc
		}(), nil, ErrBadSignature, "does not verify"},
		{"v2 two of four", amend(t, v1, func(*Charter) {}, ka, kb), &v1.Charter, ErrTooFewSignatures, "2 of 4"},
		{"v2 exactly two thirds", amend(t, v1abc, func(*Charter) {}, ka, kb), &v1abc.Charter, ErrTooFewSignatures, "2 of 3"},
		{"version skips", func() *SignedCharter {
			sc := amend(t, v1, func(c *Charter) { c.Version = 3 }, ka, kb, kc, kd)
			return sc
		}(), &v1.Charter, ErrVersion, "does not follow"},
		{"version repeats", founding(t, []Member{a, b, c, d}, ka, kb, kc, kd), &v1.Charter, ErrVersion, "does not follow"},
		{"fork: wrong previous", amend(t, v1, func(c *Charter) { c.Previous = strings.Repeat("0", 64) }, ka, kb, kc, kd), &v1.Charter, ErrVersion, "charter.previous"},
		{"other federation", amend(t, v1, func(c *Charter) { c.FederationID = "other" }, ka, kb, kc, kd), &v1.Charter, ErrInvalid, "federation_id"},
		{"bad multiaddr", func() *SignedCharter {
			m := a
			m.Addrs = []string{"/ip4/127.0.0.1/tcp/4001", "not-a-multiaddr"}
			return founding(t, []Member{m, b}, ka, kb)
		}(), nil, ErrInvalid, "charter.members[0].addrs[1]: invalid multiaddr"},
		{"bad currency", amend(t, v1, func(c *Charter) { c.Currency = "euro" }, ka, kb, kc, kd), &v1.Charter, ErrInvalid, "charter.currency"},
		{"rates over 100%", amend(t, v1, func(c *Charter) { c.Policy.FederationFeeBPS = 9500 }, ka, kb, kc, kd), &v1.Charter, ErrInvalid, "charter.policy"},
		{"treasury not a member", amend(t, v1, func(c *Charter) { c.Policy.Treasury = outsider.PeerID }, ka, kb, kc, kd), &v1.Charter, ErrInvalid, "charter.policy.treasury"},
		{"arbiter not a member", amend(t, v1, func(c *Charter) { c.Service.Arbiter = outsider.PeerID }, ka, kb, kc, kd), &v1.Charter, ErrInvalid, "charter.service.arbiter"},
		{"arbiter suspended", amend(t, v1, func(c *Charter) { c.Members[2].Status, c.Service.Arbiter = StatusSuspended, c.Members[2].PeerID }, ka, kb, kc, kd), &v1.Charter, ErrInvalid, "charter.service.arbiter"},
		{"negative first response", amend(t, v1, func(c *Charter) { c.Service.FirstResponse = Duration(-time.Hour) }, ka, kb, kc, kd), &v1.Charter, ErrInvalid, "charter.service.first_response"},
		{"resolution over a year", amend(t, v1, func(c *Charter) { c.Service.Resolution = Duration(400 * 24 * time.Hour) }, ka, kb, kc, kd), &v1.Charter, ErrInvalid, "charter.service.resolution"},
		{"member listed twice", founding(t, []Member{a, a}, ka), nil, ErrInvalid, "charter.members[1].peer_id"},
		{"bad status", amend(t, v1, func(c *Charter) { c.Members[1].Status = "gone" }, ka, kb, kc, kd), &v1.Charter, ErrInvalid, "charter.members[1].status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sc.Verify(tt.prev)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("err = %q, want it to name %q", err, tt.says)
			}
		})
	}
}

// TestCharterServiceTerms: an amendment that names an arbiter and
// deadlines verifies and carries them; a charter without them keeps the
// bytes it was signed with and reads the defaults.
func TestCharterServiceTerms(t *testing.T) {
	a, ka := staticMember(t, "alpha")
	b, kb := staticMember(t, "beta")
	c, kc := staticMember(t, "gamma")
	v1 := founding(t, []Member{a, b, c}, ka, kb, kc)
	if strings.Contains(string(v1.Charter.Canonical()), "service") {
		t.Errorf("a charter without service terms encodes them: %s", v1.Charter.Canonical())
	}
	if first, res := v1.Charter.Service.Deadlines(); first != DefaultFirstResponse || res != DefaultResolution {
		t.Errorf("default deadlines: %s %s", first, res)
	}
	v2 := amend(t, v1, func(ch *Charter) {
		ch.Service = ServiceTerms{FirstResponse: Duration(24 * time.Hour), Resolution: Duration(7 * 24 * time.Hour), Arbiter: c.PeerID}
	}, ka, kb, kc)
	if err := v2.Verify(&v1.Charter); err != nil {
		t.Fatal(err)
	}
	if first, res := v2.Charter.Service.Deadlines(); first != 24*time.Hour || res != 7*24*time.Hour || v2.Charter.Service.Arbiter != c.PeerID {
		t.Errorf("amended terms: %+v", v2.Charter.Service)
	}
	bad := amend(t, v2, func(ch *Charter) { ch.Service.FirstResponse = Duration(8 * 24 * time.Hour) }, ka, kb, kc)
	if err := bad.Verify(&v2.Charter); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "charter.service.first_response") {
		t.Errorf("first response after the resolution: %v", err)
	}
}

func TestCharterAmendmentSupermajority(t *testing.T) {
	a, ka := staticMember(t, "alpha")
	b, kb := staticMember(t, "beta")
	c, kc := staticMember(t, "gamma")
	d, kd := staticMember(t, "delta")
	e, ke := staticMember(t, "epsilon")
	v1 := founding(t, []Member{a, b, c, d}, ka, kb, kc, kd)
	admit := func(ch *Charter) { ch.Members = append(ch.Members, e) }
	// 3 of 4 is more than two thirds; the newcomer's own signature does not count toward it.
	if err := amend(t, v1, admit, ka, kb, kc).Verify(&v1.Charter); err != nil {
		t.Fatalf("3 of 4: %v", err)
	}
	if err := amend(t, v1, admit, ka, kb, ke).Verify(&v1.Charter); !errors.Is(err, ErrTooFewSignatures) {
		t.Fatalf("2 of 4 plus newcomer: err = %v, want ErrTooFewSignatures", err)
	}
	// A suspended member of the previous version has no vote.
	v2 := amend(t, v1, func(ch *Charter) { ch.Members[3].Status = StatusSuspended }, ka, kb, kc)
	if err := v2.Verify(&v1.Charter); err != nil {
		t.Fatal(err)
	}
	if err := amend(t, v2, func(*Charter) {}, ka, kb, kc).Verify(&v2.Charter); err != nil {
		t.Fatalf("3 of 3 active: %v", err)
	}
	if err := amend(t, v2, func(*Charter) {}, ka, kb, kd).Verify(&v2.Charter); !errors.Is(err, ErrTooFewSignatures) {
		t.Fatalf("2 of 3 active plus a suspended member: err = %v", err)
	}
}

func TestParseSignedCharterStrict(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field": `{"charter":{"federation_id":"x","colour":"red"},"signatures":[]}`,
		"trailing data": `{"charter":{},"signatures":[]} {}`,
		"not json":      `charter: yes`,
		"wrong type":    `{"charter":{"version":"one"},"signatures":[]}`,
		"bad duration":  `{"charter":{"period":"a fortnight"},"signatures":[]}`,
	} {
		if _, err := ParseSignedCharter([]byte(doc)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

// A refused submission leaves the stored chain as it was.
func TestSubmitRefusalLeavesStateUntouched(t *testing.T) {
	ka, ida := newKey(t)
	kb, idb := newKey(t)
	db := memDB(t)
	f, err := New(testConfig(), ka, db, discard(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem := func(id string, name string) Member {
		return Member{PeerID: id, Name: name, API: "http://x.example", Addrs: []string{"/ip4/127.0.0.1/tcp/1"}, Status: StatusActive}
	}
	v1 := founding(t, []Member{mem(ida.String(), "a"), mem(idb.String(), "b")}, ka, kb)
	if err := f.Submit(context.Background(), v1); err != nil {
		t.Fatal(err)
	}
	bad := []*SignedCharter{
		amend(t, v1, func(c *Charter) { c.Name = "Renamed" }, ka),                     // 1 of 2
		amend(t, v1, func(c *Charter) { c.Version = 5 }, ka, kb),                      // skips
		founding(t, []Member{mem(ida.String(), "a"), mem(idb.String(), "b")}, ka, kb), // repeats
	}
	for i, sc := range bad {
		if err := f.Submit(context.Background(), sc); err == nil {
			t.Fatalf("bad[%d] accepted", i)
		}
		got, _ := f.Charter()
		if got.Charter.Digest() != v1.Charter.Digest() {
			t.Fatalf("bad[%d] changed the charter in force", i)
		}
		head, err := f.store.head()
		if err != nil || head.Charter.Digest() != v1.Charter.Digest() {
			t.Fatalf("bad[%d] changed the stored head: %v", i, err)
		}
	}
	// A new node refuses to boot from an invalid charter.
	if _, err := CheckStored(memDB(t), bad[0]); err == nil {
		t.Fatal("bootstrap from an under-signed charter accepted")
	}
}
