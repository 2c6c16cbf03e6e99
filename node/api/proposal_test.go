package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/api"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/prometheus/client_golang/prometheus"
)

// member is one running federation member with its API: a real libp2p
// host on loopback, in-memory Badger, and the API served over HTTP.
type member struct {
	fed   *federation.Federation
	key   crypto.PrivKey
	url   string
	token string
}

func startMember(t *testing.T, name string) *member {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := federation.DefaultConfig()
	cfg.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	cfg.DialInterval = 50 * time.Millisecond
	cfg.MaxBackoff = 500 * time.Millisecond
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	fed, err := federation.New(cfg, key, db, log, nil, federation.Limits...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- fed.Run(ctx) }()
	m := &member{fed: fed, key: key, token: name + "-operator-token"}
	reg := prometheus.NewRegistry()
	srv := httptest.NewServer(api.New(api.Config{OperatorToken: m.token}, api.Deps{Federation: fed, Gatherer: reg, Registry: reg}, log).Handler())
	m.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
		fed.Close()
	})
	return m
}

func (m *member) charterMember(name string) federation.Member {
	out := federation.Member{PeerID: m.fed.Self().String(), Name: name, API: m.url, Status: federation.StatusActive}
	for _, a := range m.fed.Host().Addrs() {
		out.Addrs = append(out.Addrs, a.String())
	}
	return out
}

// startFederation runs members named by names under a version 1 they all
// signed, and waits until they are connected.
func startFederation(t *testing.T, names ...string) ([]*member, *federation.SignedCharter) {
	t.Helper()
	var ms []*member
	v1 := &federation.SignedCharter{Charter: federation.Charter{
		FederationID: "api-test", Name: "API Test", Version: 1, Currency: "EUR", Period: federation.Duration(time.Hour),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000, PayableOn: federation.PayableOnDelivered},
	}}
	for _, name := range names {
		m := startMember(t, name)
		ms = append(ms, m)
		v1.Charter.Members = append(v1.Charter.Members, m.charterMember(name))
	}
	for _, m := range ms {
		if err := v1.Sign(m.key); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range ms {
		if err := m.fed.Submit(context.Background(), v1); err != nil {
			t.Fatal(err)
		}
	}
	testwait.For(t, 10*time.Second, func() error {
		for _, m := range ms {
			for _, s := range m.fed.Members() {
				if !s.Connected {
					return fmt.Errorf("%s not connected to %s", m.fed.Self().ShortString(), s.Name)
				}
			}
		}
		return nil
	})
	return ms, v1
}

// call does one request and checks the answer against the OpenAPI spec.
func call(t *testing.T, method, url, route, token string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s %s: %d with Content-Type %q, want application/problem+json", method, url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if err := api.CheckResponse(method, route, resp.StatusCode, b); err != nil {
		t.Errorf("%v\nbody: %s", err, b)
	}
	return resp.StatusCode, b
}

// proposalAnswer is the part of a Proposal answer the tests read.
type proposalAnswer struct {
	Digest  string   `json:"digest"`
	Version uint64   `json:"version"`
	Signers []string `json:"signers"`
	Voters  []string `json:"voters"`
	Needed  int      `json:"needed"`
	InForce bool     `json:"in_force"`
}

func decodeProposal(t *testing.T, b []byte) proposalAnswer {
	t.Helper()
	var p proposalAnswer
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return p
}

const (
	proposalsRoute = "/v1/federation/proposals"
	signRoute      = "/v1/federation/proposals/{digest}/sign"
)

func (m *member) proposals(t *testing.T) []proposalAnswer {
	t.Helper()
	s, b := call(t, "GET", m.url+proposalsRoute, proposalsRoute, m.token, nil)
	var out struct {
		Proposals []proposalAnswer `json:"proposals"`
	}
	if err := json.Unmarshal(b, &out); s != 200 || err != nil {
		t.Fatalf("proposals: %d %s", s, b)
	}
	return out.Proposals
}

func (m *member) sign(t *testing.T, digest string) (int, []byte) {
	t.Helper()
	return call(t, "POST", m.url+"/v1/federation/proposals/"+digest+"/sign", signRoute, m.token, nil)
}

// nextVersion is the successor of prev with edit applied, signed by keys.
func nextVersion(t *testing.T, prev *federation.SignedCharter, edit func(*federation.Charter), keys ...crypto.PrivKey) *federation.SignedCharter {
	t.Helper()
	next := prev.Charter
	next.Members = append([]federation.Member(nil), prev.Charter.Members...)
	next.Version, next.Previous = prev.Charter.Version+1, prev.Charter.Digest()
	edit(&next)
	sc := &federation.SignedCharter{Charter: next}
	for _, k := range keys {
		if err := sc.Sign(k); err != nil {
			t.Fatal(err)
		}
	}
	return sc
}

func TestProposalRefusals(t *testing.T) {
	ms, v1 := startFederation(t, "alpha", "beta")
	alpha := ms[0]
	rename := func(ch *federation.Charter) { ch.Name = "Renamed" }
	forged := nextVersion(t, v1, rename, ms[0].key, ms[1].key)
	forged.Signatures[1].Signature = forged.Signatures[0].Signature
	outsider, _, _ := crypto.GenerateEd25519Key(rand.Reader)
	tests := []struct {
		name   string
		token  string
		body   []byte
		status int
		says   string
	}{
		{"no token", "", nextVersion(t, v1, rename, ms[0].key).Marshal(), 401, "operator token"},
		{"another node's token", ms[1].token, nextVersion(t, v1, rename, ms[0].key).Marshal(), 403, "operator token"},
		{"not json", alpha.token, []byte("{"), 422, "charter"},
		{"unknown field", alpha.token, []byte(`{"charter":{},"signatures":[],"extra":1}`), 422, "extra"},
		{"forged signature", alpha.token, forged.Marshal(), 422, forged.Signatures[1].PeerID},
		{"non-member signer", alpha.token, nextVersion(t, v1, rename, ms[0].key, outsider).Marshal(), 422, "has no vote"},
		{"unsigned", alpha.token, nextVersion(t, v1, rename).Marshal(), 422, "signatures"},
		{"bad field", alpha.token, nextVersion(t, v1, func(ch *federation.Charter) { ch.Currency = "euro" }, ms[0].key).Marshal(), 422, "charter.currency"},
		{"wrong version", alpha.token, nextVersion(t, v1, func(ch *federation.Charter) { ch.Version = 5 }, ms[0].key).Marshal(), 409, "charter.version"},
		{"wrong previous", alpha.token, nextVersion(t, v1, func(ch *federation.Charter) { ch.Previous = strings.Repeat("0", 64) }, ms[0].key).Marshal(), 409, "charter.previous"},
	}
	for _, tt := range tests {
		s, b := call(t, "POST", alpha.url+proposalsRoute, proposalsRoute, tt.token, tt.body)
		if s != tt.status || !strings.Contains(string(b), tt.says) {
			t.Errorf("%s: %d %s, want %d naming %q", tt.name, s, b, tt.status, tt.says)
		}
	}
	if got := alpha.proposals(t); len(got) != 0 {
		t.Fatalf("%d refused proposals are pending", len(got))
	}
	if s, b := alpha.sign(t, strings.Repeat("ab", 32)); s != 404 || !strings.Contains(string(b), "no such pending amendment") {
		t.Fatalf("unknown digest: %d %s, want 404", s, b)
	}
}

func TestProposalSignedOverTheFederation(t *testing.T) {
	ms, v1 := startFederation(t, "alpha", "beta", "gamma")
	alpha, beta, gamma := ms[0], ms[1], ms[2]
	if got := alpha.proposals(t); len(got) != 0 {
		t.Fatalf("%d proposals before any", len(got))
	}
	v2 := nextVersion(t, v1, func(ch *federation.Charter) { ch.Name = "Renamed" }, alpha.key)
	s, b := call(t, "POST", alpha.url+proposalsRoute, proposalsRoute, alpha.token, v2.Marshal())
	p := decodeProposal(t, b)
	if s != 201 || p.Digest != v2.Charter.Digest() || p.Version != 2 || p.Needed != 3 || len(p.Voters) != 3 || len(p.Signers) != 1 || p.InForce {
		t.Fatalf("propose: %d %s", s, b)
	}
	testwait.For(t, 10*time.Second, func() error {
		for _, m := range []*member{beta, gamma} {
			if got := m.proposals(t); len(got) != 1 || got[0].Digest != p.Digest {
				return fmt.Errorf("%s lists %d proposals", m.fed.Self().ShortString(), len(got))
			}
		}
		return nil
	})
	s, b = beta.sign(t, p.Digest)
	if p := decodeProposal(t, b); s != 200 || len(p.Signers) != 2 || p.InForce {
		t.Fatalf("beta signs: %d %s", s, b)
	}
	testwait.For(t, 10*time.Second, func() error {
		if got := gamma.proposals(t); len(got) != 1 || len(got[0].Signers) != 2 {
			return fmt.Errorf("gamma lists %+v", got)
		}
		return nil
	})
	s, b = gamma.sign(t, p.Digest)
	if p := decodeProposal(t, b); s != 200 || len(p.Signers) != 3 || !p.InForce {
		t.Fatalf("gamma signs: %d %s", s, b)
	}
	testwait.For(t, 10*time.Second, func() error {
		for _, m := range ms {
			sc, _ := m.fed.Charter()
			if sc.Charter.Version != 2 || sc.Charter.Name != "Renamed" {
				return fmt.Errorf("%s at version %d", m.fed.Self().ShortString(), sc.Charter.Version)
			}
			if got := m.proposals(t); len(got) != 0 {
				return fmt.Errorf("%s still lists %d proposals", m.fed.Self().ShortString(), len(got))
			}
		}
		return nil
	})
	if s, _ := gamma.sign(t, p.Digest); s != 404 {
		t.Fatalf("signing a proposal that took force: %d, want 404", s)
	}

	// A proposal that brings enough signatures takes force at once.
	cur, _ := alpha.fed.Charter()
	v3 := nextVersion(t, cur, func(ch *federation.Charter) { ch.Policy.StorefrontCommissionBPS = 1500 }, alpha.key, beta.key, gamma.key)
	s, b = call(t, "POST", alpha.url+proposalsRoute, proposalsRoute, alpha.token, v3.Marshal())
	if p := decodeProposal(t, b); s != 200 || !p.InForce || p.Version != 3 {
		t.Fatalf("fully signed proposal: %d %s", s, b)
	}
	if sc, _ := alpha.fed.Charter(); sc.Charter.Version != 3 {
		t.Fatalf("alpha at version %d after a fully signed proposal", sc.Charter.Version)
	}
}
