package oidc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"
)

// RelyingParty is this node as the client of the other members'
// providers: it sends a shopper to their sign-in and verifies what comes
// back against the charter.
type RelyingParty struct {
	cfg  Config
	d    Deps
	self string
	now  func() time.Time
}

// NewRelyingParty builds the relying party.
func NewRelyingParty(cfg Config, d Deps) (*RelyingParty, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	id, err := peer.IDFromPrivateKey(d.Key)
	if err != nil {
		return nil, err
	}
	return &RelyingParty{cfg: cfg, d: d, self: id.String(), now: time.Now}, nil
}

// Member is another member a shopper may sign in with.
type Member struct {
	PeerID, Name string
	// API is its charter URL, its issuer.
	API string
}

// Providers lists the other active members, in charter order.
func (r *RelyingParty) Providers() []Member {
	sc, err := r.d.Charter.Charter()
	if err != nil {
		return nil
	}
	var out []Member
	for _, m := range sc.Charter.ActiveMembers() {
		if m.PeerID != r.self && m.API != "" {
			out = append(out, Member{PeerID: m.PeerID, Name: m.Name, API: m.API})
		}
	}
	return out
}

// Member returns a member of the charter in force, whatever its status.
func (r *RelyingParty) Member(id string) (Member, bool) {
	sc, err := r.d.Charter.Charter()
	if err != nil {
		return Member{}, false
	}
	pid, err := peer.Decode(id)
	if err != nil {
		return Member{}, false
	}
	m, ok := sc.Charter.Member(pid)
	return Member{PeerID: m.PeerID, Name: m.Name, API: m.API}, ok
}

// Active reports whether issuer is an active member now: a session
// signed in through it ends when it is not.
func (r *RelyingParty) Active(issuer string) bool {
	_, err := activeMember(r.d.Charter, issuer)
	return err == nil
}

// login is a sign-in begun here and not finished yet.
type login struct {
	Issuer   string    `json:"issuer"` // peer ID
	API      string    `json:"api"`    // its issuer URL when the sign-in began
	Verifier string    `json:"verifier"`
	Nonce    string    `json:"nonce"`
	Bind     string    `json:"bind"` // the browser session it belongs to
	Next     string    `json:"next,omitempty"`
	Expires  time.Time `json:"expires"`
}

func (r *RelyingParty) oauth(m federation.Member) *oauth2.Config {
	api := strings.TrimRight(m.API, "/")
	self := r.selfAPI()
	return &oauth2.Config{ClientID: r.self, RedirectURL: RedirectURI(self), Scopes: []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail},
		Endpoint: oauth2.Endpoint{AuthURL: api + AuthorizePath, TokenURL: api + TokenPath, AuthStyle: oauth2.AuthStyleInParams}}
}

func (r *RelyingParty) selfAPI() string {
	if m, err := activeMember(r.d.Charter, r.self); err == nil && m.API != "" {
		return m.API
	}
	return r.d.BaseURL
}

// Begin starts a sign-in with the member issuer for the browser session
// bind, coming back to next (a local path) after it, and returns the URL
// of the issuer's authorize endpoint to send the browser to.
func (r *RelyingParty) Begin(_ context.Context, issuer, bind, next string) (string, error) {
	if issuer == r.self {
		return "", fmt.Errorf("%w: issuer: this member's own shoppers sign in with their password", ErrInvalid)
	}
	m, err := activeMember(r.d.Charter, issuer)
	if err != nil {
		return "", err
	}
	if bind == "" {
		return "", fmt.Errorf("%w: a sign-in needs a browser session", ErrInvalid)
	}
	state := randomID(18)
	l := login{Issuer: issuer, API: m.API, Verifier: oauth2.GenerateVerifier(), Nonce: randomID(18), Bind: bind, Next: next,
		Expires: r.now().Add(r.cfg.AuthRequestTTL)}
	err = r.d.DB.Update(func(txn *badger.Txn) error { return putTTL(txn, prefixLogin+state, l, r.cfg.AuthRequestTTL) })
	if err != nil {
		return "", err
	}
	return r.oauth(m).AuthCodeURL(state, oauth2.S256ChallengeOption(l.Verifier), oauth2.SetAuthURLParam("nonce", l.Nonce)), nil
}

// Identity is a shopper as its home member vouches for them.
type Identity struct {
	// Issuer is the home member's peer ID, Subject the shopper's id there.
	Issuer, Subject string
	Name, Email     string
	// Next is the local path the sign-in began from.
	Next string
	// IDToken is the verified ID token: the issuer takes it back as the
	// shopper's leave for this storefront to spend its points
	// (Provider.CheckLeave).
	IDToken string
}

// Finish ends the sign-in state names for the browser session bind: it
// takes the pending sign-in (once), exchanges code with its verifier at
// the issuer's token endpoint and verifies the ID token against the
// charter.
func (r *RelyingParty) Finish(ctx context.Context, state, code, bind string) (Identity, error) {
	var l login
	err := r.d.DB.Update(func(txn *badger.Txn) error {
		if err := getJSON(txn, prefixLogin+state, &l); err != nil {
			return fmt.Errorf("state: %w", err)
		}
		return txn.Delete([]byte(prefixLogin + state))
	})
	if err != nil {
		return Identity{}, err
	}
	if l.Bind != bind {
		return Identity{}, fmt.Errorf("%w: state: the sign-in was begun in another browser session", ErrInvalid)
	}
	if !r.now().Before(l.Expires) {
		return Identity{}, fmt.Errorf("state: %w", ErrNotFound)
	}
	m, err := activeMember(r.d.Charter, l.Issuer)
	if err != nil {
		return Identity{}, err
	}
	if m.API != l.API {
		return Identity{}, fmt.Errorf("%w: member %s moved to %s during the sign-in", ErrInvalid, l.Issuer, m.API)
	}
	tok, err := r.oauth(m).Exchange(context.WithValue(ctx, oauth2.HTTPClient, r.d.HTTP), code, oauth2.VerifierOption(l.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: code exchange with %s: %v", ErrInvalid, m.Name, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, fmt.Errorf("%w: %s sent no ID token", ErrInvalid, m.Name)
	}
	claims, err := r.Verify(ctx, l.Issuer, raw, l.Nonce)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Issuer: l.Issuer, Subject: claims.Subject, Name: claims.Name, Email: claims.Email, Next: l.Next, IDToken: raw}, nil
}

// Verify checks an ID token said to come from the member issuer: its
// signature by the issuer's key from the charter, its issuer URL (the
// issuer's charter API URL), its audience (this node), its times and its
// nonce.
func (r *RelyingParty) Verify(ctx context.Context, issuer, raw, nonce string) (*oidc.IDTokenClaims, error) {
	m, err := activeMember(r.d.Charter, issuer)
	if err != nil {
		return nil, err
	}
	v := rp.NewIDTokenVerifier(m.API, r.self, memberKeySet{charter: r.d.Charter, peer: issuer, issuer: m.API},
		rp.WithSupportedSigningAlgorithms(string("EdDSA")), rp.WithNonce(func(context.Context) string { return nonce }))
	claims, err := rp.VerifyIDToken[*oidc.IDTokenClaims](ctx, raw, v)
	if err != nil {
		if errors.Is(err, ErrNotMember) || errors.Is(err, ErrInvalid) {
			return nil, fmt.Errorf("ID token: %w", err)
		}
		return nil, fmt.Errorf("%w: ID token from %s: %v", ErrInvalid, m.Name, err)
	}
	return claims, nil
}
