package oidc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// Paths every member serves. The storefront serves LoginPath and
// CallbackPath; the provider serves the rest under /oidc/ and the
// discovery document at /.well-known/openid-configuration.
const (
	AuthorizePath = "/oidc/authorize"
	TokenPath     = "/oidc/token"
	// LoginPath is where the provider sends the browser to sign the
	// shopper in and ask for approval, with the auth request's id.
	LoginPath = "/signin/alliance/approve"
	// CallbackPath is where a provider sends the code back to a member:
	// the member's charter API URL followed by it is its only redirect URI.
	CallbackPath = "/signin/alliance/callback"
)

// Config bounds the flows.
type Config struct {
	// AuthRequestTTL is how long an auth request waits for the shopper
	// (default 10m); RelyingParty sign-ins wait as long.
	AuthRequestTTL time.Duration
	// CodeTTL is how long a code waits for its exchange (default 1m).
	CodeTTL time.Duration
	// IDTokenTTL is how long an ID token is valid (default 5m): B uses it
	// once, at sign-in.
	IDTokenTTL time.Duration
	// MaxPendingPerClient caps the auth requests one client member may
	// have waiting (default 500); MaxPendingPerAddr caps them per remote
	// address (default 20).
	MaxPendingPerClient, MaxPendingPerAddr int
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{AuthRequestTTL: 10 * time.Minute, CodeTTL: time.Minute, IDTokenTTL: 5 * time.Minute,
		MaxPendingPerClient: 500, MaxPendingPerAddr: 20}
}

// Validate names the bad field.
func (c Config) Validate() error {
	switch {
	case c.AuthRequestTTL < time.Minute:
		return errors.New("oidc: Config.AuthRequestTTL: must be at least 1m")
	case c.CodeTTL < time.Second || c.CodeTTL > 10*time.Minute:
		return errors.New("oidc: Config.CodeTTL: must be 1s..10m")
	case c.IDTokenTTL < time.Minute:
		return errors.New("oidc: Config.IDTokenTTL: must be at least 1m")
	case c.MaxPendingPerClient < 1:
		return errors.New("oidc: Config.MaxPendingPerClient: must be at least 1")
	case c.MaxPendingPerAddr < 1:
		return errors.New("oidc: Config.MaxPendingPerAddr: must be at least 1")
	}
	return nil
}

// Charter gives the charter in force.
type Charter interface {
	Charter() (*federation.SignedCharter, error)
}

// Account is what a provider tells about its shopper.
type Account struct {
	Name, Email string
}

// Accounts finds this node's shoppers by id (the subject of their tokens).
type Accounts interface {
	Account(ctx context.Context, subject string) (Account, error)
}

// Deps are what both roles need.
type Deps struct {
	DB      *badger.DB
	Key     crypto.PrivKey // the node's libp2p key: Ed25519
	Charter Charter
	// Accounts is needed by the provider only.
	Accounts Accounts
	// ClientAddr names the remote client of a request, for budgets; nil
	// uses the connection's address.
	ClientAddr func(*http.Request) string
	// HTTP calls other members' token endpoints (nil: a client with a
	// 10s timeout).
	HTTP *http.Client
	// BaseURL is this node's API URL, the issuer while no charter is in
	// force yet.
	BaseURL string
	Log     *slog.Logger
}

func (d Deps) check() error {
	if d.DB == nil || d.Key == nil || d.Charter == nil {
		return errors.New("oidc: needs a database, a key and a charter")
	}
	if d.Key.Type() != crypto.Ed25519 {
		return fmt.Errorf("oidc: the node key is %v, not Ed25519", d.Key.Type())
	}
	return nil
}
