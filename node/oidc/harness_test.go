package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// charterBox is a charter in force that a test amends.
type charterBox struct {
	mu sync.Mutex // guards sc
	sc *federation.SignedCharter
}

func (c *charterBox) Charter() (*federation.SignedCharter, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp := *c.sc
	cp.Charter.Members = append([]federation.Member(nil), c.sc.Charter.Members...)
	return &cp, nil
}

// setStatus changes a member's status, as an amendment would.
func (c *charterBox) setStatus(id, status string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range c.sc.Charter.Members {
		if c.sc.Charter.Members[i].PeerID == id {
			c.sc.Charter.Members[i].Status = status
		}
	}
}

// remove takes a member out of the charter.
func (c *charterBox) remove(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sc.Charter.Members = slices.DeleteFunc(c.sc.Charter.Members, func(m federation.Member) bool { return m.PeerID == id })
}

// accountBook is the provider's shoppers.
type accountBook map[string]Account

func (a accountBook) Account(_ context.Context, id string) (Account, error) {
	acc, ok := a[id]
	if !ok {
		return Account{}, fmt.Errorf("shopper %s: %w", id, ErrNotFound)
	}
	return acc, nil
}

// member is one node of the test alliance: its key, its HTTP server,
// its Badger, its provider and its relying party.
type member struct {
	key crypto.PrivKey
	id  string
	srv *httptest.Server
	mux *http.ServeMux
	// rogue, when set, answers in mux's stead: someone else serving at
	// the member's URL.
	rogue atomic.Pointer[http.Handler]
	db    *badger.DB
	prov  *Provider
	rp    *RelyingParty
}

type alliance struct {
	charter *charterBox
	a, b, c *member
}

func newMember(t *testing.T) *member {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := peer.IDFromPrivateKey(key)
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	m := &member{key: key, id: id.String(), mux: http.NewServeMux(), db: db}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := m.rogue.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		m.mux.ServeHTTP(w, r)
	}))
	t.Cleanup(m.srv.Close)
	return m
}

// newAlliance starts Alpha, Beta and Gamma, all active, each provider
// and relying party over its own Badger and real HTTP.
func newAlliance(t *testing.T, cfg Config) *alliance {
	t.Helper()
	al := &alliance{a: newMember(t), b: newMember(t), c: newMember(t)}
	sc := &federation.SignedCharter{Charter: federation.Charter{FederationID: "test", Name: "Test"}}
	for i, m := range []*member{al.a, al.b, al.c} {
		sc.Charter.Members = append(sc.Charter.Members, federation.Member{PeerID: m.id, Name: []string{"Alpha", "Beta", "Gamma"}[i],
			API: m.srv.URL, Status: federation.StatusActive})
	}
	al.charter = &charterBox{sc: sc}
	for _, m := range []*member{al.a, al.b, al.c} {
		d := Deps{DB: m.db, Key: m.key, Charter: al.charter, BaseURL: m.srv.URL,
			Accounts: accountBook{"shp_ada": {Name: "Ada Lovelace", Email: "ada@example.org"}}}
		var err error
		if m.prov, err = NewProvider(cfg, d); err != nil {
			t.Fatal(err)
		}
		if m.rp, err = NewRelyingParty(cfg, d); err != nil {
			t.Fatal(err)
		}
		h := m.prov.Handler()
		m.mux.Handle("/oidc/", h)
		m.mux.Handle("/.well-known/openid-configuration", h)
	}
	return al
}

// browser follows no redirect by itself, so that each step is seen.
var browser = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// get fetches u and returns the status and the Location.
func get(t *testing.T, u string) (int, *url.URL, string) {
	t.Helper()
	resp, err := browser.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body [2048]byte
	n, _ := resp.Body.Read(body[:])
	loc, _ := resp.Location()
	return resp.StatusCode, loc, string(body[:n])
}

// approveAt plays the shopper at provider m: from the authorize URL to
// the redirect back to the client, approving as subject. It returns the
// redirect's query (code and state, or error).
func approveAt(t *testing.T, m *member, authorize, subject string) url.Values {
	t.Helper()
	status, loc, body := get(t, authorize)
	if status != http.StatusFound || loc == nil || loc.Path != LoginPath {
		t.Fatalf("authorize: %d to %v, want 302 to %s: %s", status, loc, LoginPath, body)
	}
	next, err := m.prov.Approve(context.Background(), loc.Query().Get("id"), subject)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	status, loc, body = get(t, m.srv.URL+next)
	if status != http.StatusFound || loc == nil {
		t.Fatalf("callback: %d: %s", status, body)
	}
	return loc.Query()
}

// signToken signs claims with key as an ID token.
func signToken(t *testing.T, key crypto.PrivKey, claims map[string]any) string {
	t.Helper()
	priv, err := privateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: priv}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
