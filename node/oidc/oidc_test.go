package oidc

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/libp2p/go-libp2p/core/crypto"
	"golang.org/x/oauth2"
)

var ctx = context.Background()

func TestShopperOfAlphaSignsInOnBetaThroughTheCharter(t *testing.T) {
	al := newAlliance(t, DefaultConfig())
	u, err := al.b.rp.Begin(ctx, al.a.id, "session-1", "/cart")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, al.a.srv.URL+AuthorizePath+"?") || !strings.Contains(u, "code_challenge_method=S256") {
		t.Fatalf("authorize URL %s: want Alpha's, with PKCE", u)
	}
	q := approveAt(t, al.a, u, "shp_ada")
	if q.Get("code") == "" {
		t.Fatalf("no code: %v", q)
	}
	id, err := al.b.rp.Finish(ctx, q.Get("state"), q.Get("code"), "session-1")
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{Issuer: al.a.id, Subject: "shp_ada", Name: "Ada Lovelace", Email: "ada@example.org", Next: "/cart", IDToken: id.IDToken}
	if id != want || id.IDToken == "" {
		t.Fatalf("identity %+v, want %+v with its ID token", id, want)
	}
	// The ID token is Ada's leave for Beta to spend her points at Alpha,
	// and for nothing else.
	if err := al.a.prov.CheckLeave(ctx, al.b.id, "shp_ada", []byte(id.IDToken)); err != nil {
		t.Fatalf("Alpha refuses its own token as Beta's leave: %v", err)
	}
	tampered := []byte(id.IDToken[:len(id.IDToken)-4] + "AAAA")
	for name, c := range map[string]struct {
		prov            *Provider
		client, subject string
		raw             []byte
	}{
		"another client":  {al.a.prov, al.a.id, "shp_ada", []byte(id.IDToken)},
		"another shopper": {al.a.prov, al.b.id, "shp_bob", []byte(id.IDToken)},
		"another issuer":  {al.b.prov, al.b.id, "shp_ada", []byte(id.IDToken)},
		"a tampered one":  {al.a.prov, al.b.id, "shp_ada", tampered},
		"none":            {al.a.prov, al.b.id, "shp_ada", nil},
	} {
		if err := c.prov.CheckLeave(ctx, c.client, c.subject, c.raw); !errors.Is(err, ErrInvalid) {
			t.Errorf("a leave from %s: %v, want ErrInvalid", name, err)
		}
	}
	later := al.a.prov.now
	al.a.prov.now = func() time.Time { return later().Add(LeaveTTL + time.Hour) }
	if err := al.a.prov.CheckLeave(ctx, al.b.id, "shp_ada", []byte(id.IDToken)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "sign in with this member again") {
		t.Errorf("a leave older than LeaveTTL: %v", err)
	}
	al.a.prov.now = later
	// The state is spent: the same answer a second time is refused.
	if _, err := al.b.rp.Finish(ctx, q.Get("state"), q.Get("code"), "session-1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second finish: %v, want ErrNotFound", err)
	}
}

func TestFinishInAnotherSessionIsRefused(t *testing.T) {
	al := newAlliance(t, DefaultConfig())
	u, _ := al.b.rp.Begin(ctx, al.a.id, "session-1", "")
	q := approveAt(t, al.a, u, "shp_ada")
	if _, err := al.b.rp.Finish(ctx, q.Get("state"), q.Get("code"), "session-2"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("finish in another session: %v, want ErrInvalid", err)
	}
}

// authorizeAs plays the client member client (its id and redirect URI)
// with verifier, and returns the code Alpha gives.
func authorizeAs(t *testing.T, al *alliance, client *member, redirect, verifier string) string {
	t.Helper()
	c := oauthFor(al.a, client, redirect)
	q := approveAt(t, al.a, c.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "shp_ada")
	if q.Get("code") == "" {
		t.Fatalf("no code: %v", q)
	}
	return q.Get("code")
}

func oauthFor(provider, client *member, redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: client.id, RedirectURL: redirect, Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: provider.srv.URL + AuthorizePath, TokenURL: provider.srv.URL + TokenPath, AuthStyle: oauth2.AuthStyleInParams}}
}

func TestCodeIsUsedOnceAndOnlyWithItsVerifier(t *testing.T) {
	al := newAlliance(t, DefaultConfig())
	redirect := RedirectURI(al.b.srv.URL)
	c := oauthFor(al.a, al.b, redirect)
	verifier := oauth2.GenerateVerifier()

	code := authorizeAs(t, al, al.b, redirect, verifier)
	tok, err := c.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil || tok.Extra("id_token") == nil {
		t.Fatalf("exchange: %v", err)
	}
	if _, err := c.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("replayed code: %v, want invalid_grant", err)
	}

	code = authorizeAs(t, al, al.b, redirect, verifier)
	_, err = c.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	if err == nil || !strings.Contains(err.Error(), "invalid code_verifier") {
		t.Fatalf("wrong verifier: %v, want invalid code_verifier", err)
	}
	// A wrong try spends the code: the right verifier comes too late.
	if _, err := c.Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("code accepted after a wrong verifier")
	}

	code = authorizeAs(t, al, al.b, redirect, verifier)
	if _, err := c.Exchange(ctx, code); err == nil || !strings.Contains(err.Error(), "code_verifier required") {
		t.Fatalf("no verifier: %v, want code_verifier required", err)
	}
}

func TestAuthorizeRefusesRedirectsOutsideTheClientsAPIAndStrangers(t *testing.T) {
	al := newAlliance(t, DefaultConfig())
	stranger := newMember(t)
	cases := []struct {
		name, client, redirect, want string
	}{
		{"redirect to another host", al.b.id, "http://evil.example/signin/alliance/callback", "redirect_uri"},
		{"redirect to another member", al.b.id, RedirectURI(al.c.srv.URL), "redirect_uri"},
		{"another path of the client", al.b.id, al.b.srv.URL + "/elsewhere", "redirect_uri"},
		{"client not in the charter", stranger.id, RedirectURI(stranger.srv.URL), "not an active member"},
		{"the provider itself", al.a.id, RedirectURI(al.a.srv.URL), "does not sign in with itself"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := &oauth2.Config{ClientID: c.client, RedirectURL: c.redirect, Scopes: []string{"openid"},
				Endpoint: oauth2.Endpoint{AuthURL: al.a.srv.URL + AuthorizePath}}
			status, loc, body := get(t, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			if status != http.StatusBadRequest || loc != nil || !strings.Contains(body, c.want) {
				t.Fatalf("got %d to %v: %q; want 400 naming %q", status, loc, body, c.want)
			}
		})
	}
}

func TestSuspendedMembersAreRefusedAtOnce(t *testing.T) {
	t.Run("provider suspended between code and exchange", func(t *testing.T) {
		al := newAlliance(t, DefaultConfig())
		u, _ := al.b.rp.Begin(ctx, al.a.id, "s", "")
		q := approveAt(t, al.a, u, "shp_ada")
		al.charter.setStatus(al.a.id, federation.StatusSuspended)
		_, err := al.b.rp.Finish(ctx, q.Get("state"), q.Get("code"), "s")
		if !errors.Is(err, ErrNotMember) || !strings.Contains(err.Error(), "suspended") {
			t.Fatalf("finish: %v, want ErrNotMember naming suspended", err)
		}
		if _, err := al.b.rp.Begin(ctx, al.a.id, "s", ""); !errors.Is(err, ErrNotMember) {
			t.Fatalf("begin with a suspended member: %v", err)
		}
		if al.b.rp.Active(al.a.id) {
			t.Fatal("a suspended member is active")
		}
		for _, p := range al.b.rp.Providers() {
			if p.PeerID == al.a.id {
				t.Fatal("a suspended member is offered as a provider")
			}
		}
	})
	t.Run("client suspended between approval and exchange", func(t *testing.T) {
		al := newAlliance(t, DefaultConfig())
		redirect := RedirectURI(al.b.srv.URL)
		verifier := oauth2.GenerateVerifier()
		code := authorizeAs(t, al, al.b, redirect, verifier)
		al.charter.remove(al.b.id)
		if _, err := oauthFor(al.a, al.b, redirect).Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil {
			t.Fatal("a removed member exchanged a code")
		}
	})
	t.Run("token verified after its issuer was suspended", func(t *testing.T) {
		al := newAlliance(t, DefaultConfig())
		raw := signToken(t, al.a.key, claims(al.a.srv.URL, al.b.id, time.Now().Add(time.Minute)))
		if _, err := al.b.rp.Verify(ctx, al.a.id, raw, "n"); err != nil {
			t.Fatalf("valid token: %v", err)
		}
		al.charter.setStatus(al.a.id, federation.StatusSuspended)
		if _, err := al.b.rp.Verify(ctx, al.a.id, raw, "n"); !errors.Is(err, ErrNotMember) {
			t.Fatalf("token of a suspended member: %v, want ErrNotMember", err)
		}
	})
}

func claims(iss, aud string, exp time.Time) map[string]any {
	return map[string]any{"iss": iss, "sub": "shp_ada", "aud": []string{aud}, "exp": exp.Unix(), "iat": time.Now().Unix(), "nonce": "n"}
}

func TestForgedAndExpiredTokensAreRefused(t *testing.T) {
	al := newAlliance(t, DefaultConfig())
	stranger, _, _ := crypto.GenerateEd25519Key(nil)
	soon := time.Now().Add(time.Minute)
	cases := []struct {
		name   string
		key    crypto.PrivKey
		issuer string // the member B is told the token is from
		claims map[string]any
		want   string
	}{
		{"a key outside the charter", stranger, al.a.id, claims(al.a.srv.URL, al.b.id, soon), "not signed by member"},
		{"expired", al.a.key, al.a.id, claims(al.a.srv.URL, al.b.id, time.Now().Add(-2*time.Minute)), "expired"},
		{"for another audience", al.a.key, al.a.id, claims(al.a.srv.URL, al.c.id, soon), "audience"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := signToken(t, c.key, c.claims)
			_, err := al.b.rp.Verify(ctx, c.issuer, raw, "n")
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), c.want) {
				t.Fatalf("verify: %v, want an error naming %q", err, c.want)
			}
		})
	}
	if _, err := al.b.rp.Verify(ctx, al.a.id, signToken(t, al.a.key, claims(al.a.srv.URL, al.b.id, soon)), "other"); err == nil {
		t.Fatal("a token with another nonce was accepted")
	}
}

func TestPendingRequestsAreBudgetedPerAddress(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxPendingPerAddr = 2
	al := newAlliance(t, cfg)
	for i := range 3 {
		u, err := al.b.rp.Begin(ctx, al.a.id, "s", "")
		if err != nil {
			t.Fatal(err)
		}
		status, loc, body := get(t, u)
		if i < 2 {
			if status != http.StatusFound || loc.Path != LoginPath {
				t.Fatalf("request %d: %d to %v: %s", i, status, loc, body)
			}
			continue
		}
		// Past the budget: the client is told, through its redirect URI.
		if status != http.StatusFound || loc.Path != CallbackPath || loc.Query().Get("error") != "access_denied" ||
			!strings.Contains(loc.Query().Get("error_description"), "too many pending") {
			t.Fatalf("request past the budget: %d to %v", status, loc)
		}
	}
}

func TestDiscoveryNamesTheCharterURLAndEdDSA(t *testing.T) {
	al := newAlliance(t, DefaultConfig())
	status, _, body := get(t, al.a.srv.URL+"/.well-known/openid-configuration")
	if status != http.StatusOK || !strings.Contains(body, `"issuer":"`+al.a.srv.URL+`"`) || !strings.Contains(body, `"EdDSA"`) {
		t.Fatalf("discovery: %d %s", status, body)
	}
	if _, err := url.Parse(al.a.srv.URL); err != nil {
		t.Fatal(err)
	}
}

// TestAMemberCannotSignForAnotherMember: Gamma, a real member, answers at
// Alpha's URL (a hijacked route) with a provider of its own that names
// Alpha as issuer and signs with Gamma's key. The whole flow runs over
// HTTP, and Beta refuses the token: only the key in Alpha's peer ID
// speaks for Alpha. Gamma's key with Gamma's issuer, sent as Alpha's, is
// refused too.
func TestAMemberCannotSignForAnotherMember(t *testing.T) {
	al := newAlliance(t, DefaultConfig())
	// Gamma's provider, told by a forged charter view that Gamma's URL is Alpha's.
	forged := &charterBox{sc: &federation.SignedCharter{Charter: federation.Charter{FederationID: "test"}}}
	for _, m := range al.charter.sc.Charter.Members {
		if m.PeerID == al.c.id {
			m.API = al.a.srv.URL
		}
		forged.sc.Charter.Members = append(forged.sc.Charter.Members, m)
	}
	rogue, err := NewProvider(DefaultConfig(), Deps{DB: al.c.db, Key: al.c.key, Charter: forged, BaseURL: al.a.srv.URL,
		Accounts: accountBook{"shp_ada": {Name: "Ada Lovelace", Email: "ada@example.org"}}})
	if err != nil {
		t.Fatal(err)
	}
	if rogue.Issuer() != al.a.srv.URL {
		t.Fatalf("the rogue provider names %s as issuer", rogue.Issuer())
	}
	h := rogue.Handler()
	al.a.rogue.Store(&h)

	u, err := al.b.rp.Begin(ctx, al.a.id, "s", "")
	if err != nil {
		t.Fatal(err)
	}
	status, loc, body := get(t, u)
	if status != http.StatusFound || loc.Path != LoginPath {
		t.Fatalf("rogue authorize: %d %v %s", status, loc, body)
	}
	next, err := rogue.Approve(ctx, loc.Query().Get("id"), "shp_ada")
	if err != nil {
		t.Fatal(err)
	}
	_, loc, _ = get(t, al.a.srv.URL+next)
	_, err = al.b.rp.Finish(ctx, loc.Query().Get("state"), loc.Query().Get("code"), "s")
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "not signed by member "+al.a.id) {
		t.Fatalf("a token Gamma signed for Alpha's issuer: %v, want it refused as not signed by Alpha", err)
	}

	raw := signToken(t, al.c.key, claims(al.c.srv.URL, al.b.id, time.Now().Add(time.Minute)))
	if _, err := al.b.rp.Verify(ctx, al.a.id, raw, "n"); err == nil || !strings.Contains(err.Error(), "issuer") {
		t.Fatalf("Gamma's own token sent as Alpha's: %v, want an issuer mismatch", err)
	}
}
