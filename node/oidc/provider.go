package oidc

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Provider is this node as the OpenID Provider of its own shoppers.
type Provider struct {
	cfg  Config
	d    Deps
	self string // peer ID
	priv ed25519.PrivateKey
	op   *op.Provider
	now  func() time.Time
	// mu guards the budget counts and the write of a new auth request.
	mu sync.Mutex
}

// NewProvider builds the provider; Handler serves it.
func NewProvider(cfg Config, d Deps) (*Provider, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	if d.Accounts == nil {
		return nil, errors.New("oidc: the provider needs Accounts")
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	id, err := peer.IDFromPrivateKey(d.Key)
	if err != nil {
		return nil, err
	}
	priv, err := privateKey(d.Key)
	if err != nil {
		return nil, err
	}
	p := &Provider{cfg: cfg, d: d, self: id.String(), priv: priv, now: time.Now}
	var ck [32]byte // the key of the opaque access tokens, derived from the node key
	m := hmac.New(sha256.New, priv.Seed())
	m.Write([]byte("fedmart/oidc/access-token/v1"))
	copy(ck[:], m.Sum(nil))
	issuer := func(bool) (op.IssuerFromRequest, error) {
		return func(*http.Request) string { return p.Issuer() }, nil
	}
	ep := func(path string) *op.Endpoint { return op.NewEndpoint(strings.TrimPrefix(path, "/")) }
	p.op, err = op.NewProvider(&op.Config{CryptoKey: ck, CodeMethodS256: true, SupportedScopes: []string{"openid", "profile", "email"}},
		storage{p}, issuer, op.WithAllowInsecure(),
		op.WithCustomEndpoints(ep(AuthorizePath), ep(TokenPath), ep("/oidc/userinfo"), ep("/oidc/revoke"), ep("/oidc/end_session"), ep("/oidc/keys")),
		op.WithCustomIntrospectionEndpoint(ep("/oidc/introspect")),
		op.WithCustomDeviceAuthorizationEndpoint(ep("/oidc/device_authorization")))
	if err != nil {
		return nil, fmt.Errorf("oidc: provider: %w", err)
	}
	return p, nil
}

// Issuer is this node's issuer URL: its API URL in the charter in force,
// or Deps.BaseURL while there is none.
func (p *Provider) Issuer() string {
	if m, err := activeMember(p.d.Charter, p.self); err == nil && m.API != "" {
		return m.API
	}
	return p.d.BaseURL
}

// Handler serves the discovery document, /oidc/authorize and its
// callback, /oidc/token and /oidc/keys. Mount it at
// /.well-known/openid-configuration and /oidc/.
func (p *Provider) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := ""
		if p.d.ClientAddr != nil {
			addr = p.d.ClientAddr(r)
		} else if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			addr = host
		}
		w.Header().Set("Cache-Control", "no-store")
		if r.URL.Path == AuthorizePath {
			// zitadel's answer to an unknown client does not say why: say it.
			if _, err := (storage{p}).GetClientByClientID(r.Context(), r.FormValue("client_id")); err != nil {
				http.Error(w, "client_id: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		p.op.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), addrKey{}, addr)))
	})
}

// Request is a pending auth request as the approval page shows it.
type Request struct {
	ID string
	// Client is the member asking, as the charter names it.
	ClientPeer, ClientName, ClientAPI string
	// Scopes are what it asks to know.
	Scopes []string
}

// Request returns the pending auth request id, refused when its client
// is no longer an active member.
func (p *Provider) Request(ctx context.Context, id string) (Request, error) {
	a, err := storage{p}.AuthRequestByID(ctx, id)
	if err != nil {
		return Request{}, err
	}
	m, err := activeMember(p.d.Charter, a.GetClientID())
	if err != nil {
		return Request{}, err
	}
	return Request{ID: id, ClientPeer: m.PeerID, ClientName: m.Name, ClientAPI: m.API, Scopes: a.GetScopes()}, nil
}

// Approve records that subject, this node's shopper, signed in and lets
// the client know them; it returns where the browser goes next (the
// provider's callback, which sends the code to the client).
func (p *Provider) Approve(ctx context.Context, id, subject string) (string, error) {
	if subject == "" {
		return "", fmt.Errorf("%w: no subject", ErrInvalid)
	}
	if _, err := p.Request(ctx, id); err != nil {
		return "", err
	}
	now := p.now()
	err := p.d.DB.Update(func(txn *badger.Txn) error {
		a, err := loadRequest(txn, id, now)
		if err != nil {
			return err
		}
		if a.Done() && a.Subject != subject {
			return fmt.Errorf("%w: auth request %s was approved by another shopper", ErrInvalid, id)
		}
		a.Subject, a.AuthTime = subject, now.UTC().Truncate(time.Second)
		return saveRequest(txn, a, now)
	})
	if err != nil {
		return "", err
	}
	return AuthorizePath + "/callback?id=" + id, nil
}
