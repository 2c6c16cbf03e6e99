package oidc

import (
	"context"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage is the provider's op.Storage over Badger. Only the
// authorization code grant is served: refresh tokens, client secrets,
// JWT profiles and token introspection are refused.
type storage struct{ p *Provider }

var _ op.Storage = storage{}

type addrKey struct{}

// CreateAuthRequest keeps a new auth request, within the client's and
// the remote address's budgets of pending ones.
func (s storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if _, err := activeMember(s.p.d.Charter, req.ClientID); err != nil {
		return nil, err
	}
	addr, _ := ctx.Value(addrKey{}).(string)
	now := s.p.now()
	a := &authRequest{ID: randomID(18), ClientID: req.ClientID, RedirectURI: req.RedirectURI, State: req.State, Nonce: req.Nonce,
		Scopes: req.Scopes, ResponseType: req.ResponseType, ResponseMode: req.ResponseMode,
		Challenge: req.CodeChallenge, ChallengeMethod: req.CodeChallengeMethod, Addr: addr,
		Created: now, Expires: now.Add(s.p.cfg.AuthRequestTTL)}
	s.p.mu.Lock() // the counts and the writes are one step
	defer s.p.mu.Unlock()
	err := s.p.d.DB.Update(func(txn *badger.Txn) error {
		if count(txn, prefixClient+a.ClientID+"/", s.p.cfg.MaxPendingPerClient) >= s.p.cfg.MaxPendingPerClient {
			return fmt.Errorf("%w: member %s has %d waiting", ErrBusy, a.ClientID, s.p.cfg.MaxPendingPerClient)
		}
		if count(txn, prefixAddr+addr+"/", s.p.cfg.MaxPendingPerAddr) >= s.p.cfg.MaxPendingPerAddr {
			return fmt.Errorf("%w: address %s has %d waiting", ErrBusy, addr, s.p.cfg.MaxPendingPerAddr)
		}
		ttl := s.p.cfg.AuthRequestTTL
		for _, k := range []string{prefixClient + a.ClientID + "/" + a.ID, prefixAddr + addr + "/" + a.ID} {
			if err := txn.SetEntry(badger.NewEntry([]byte(k), nil).WithTTL(ttl)); err != nil {
				return err
			}
		}
		return saveRequest(txn, a, now)
	})
	if errors.Is(err, ErrBusy) {
		return nil, oidc.ErrAccessDenied().WithDescription("%s", err.Error())
	}
	return a, err
}

// AuthRequestByID returns a pending request whose client is still an
// active member.
func (s storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	var a *authRequest
	err := s.p.d.DB.View(func(txn *badger.Txn) (err error) { a, err = loadRequest(txn, id, s.p.now()); return err })
	if err != nil {
		return nil, err
	}
	if _, err := activeMember(s.p.d.Charter, a.ClientID); err != nil {
		return nil, err
	}
	return a, nil
}

// AuthRequestByCode takes a code: it is gone after this call, whether
// the exchange that follows succeeds or not.
func (s storage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	var a *authRequest
	err := s.p.d.DB.Update(func(txn *badger.Txn) error {
		var id string
		if err := getJSON(txn, string(codeKey(code)), &id); err != nil {
			return fmt.Errorf("code: %w (used, expired or never issued)", err)
		}
		if err := txn.Delete(codeKey(code)); err != nil {
			return err
		}
		var err error
		a, err = loadRequest(txn, id, s.p.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	if _, err := activeMember(s.p.d.Charter, a.ClientID); err != nil {
		return nil, err
	}
	return a, nil
}

// SaveAuthCode keeps the code of an approved request; a request gets
// one code only.
func (s storage) SaveAuthCode(_ context.Context, id, code string) error {
	now := s.p.now()
	return s.p.d.DB.Update(func(txn *badger.Txn) error {
		a, err := loadRequest(txn, id, now)
		if err != nil {
			return err
		}
		if !a.Done() || a.CodeIssued {
			return fmt.Errorf("%w: auth request %s is not approved, or already has its code", ErrInvalid, id)
		}
		a.CodeIssued = true
		if err := saveRequest(txn, a, now); err != nil {
			return err
		}
		return putTTL(txn, string(codeKey(code)), id, min(s.p.cfg.CodeTTL, a.Expires.Sub(now)))
	})
}

func (s storage) DeleteAuthRequest(_ context.Context, id string) error {
	return s.p.d.DB.Update(func(txn *badger.Txn) error {
		a, err := loadRequest(txn, id, s.p.now())
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return deleteRequest(txn, a)
	})
}

// CreateAccessToken gives an opaque access token id; nothing accepts
// access tokens here, B uses the ID token only.
func (s storage) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return randomID(18), s.p.now().Add(s.p.cfg.IDTokenTTL), nil
}

var errUnsupported = errors.New("oidc: not supported by fedmart")

func (s storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errUnsupported
}
func (s storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}
func (s storage) TerminateSession(context.Context, string, string) error { return nil }
func (s storage) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return oidc.ErrRequestNotSupported()
}
func (s storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// signingKey is the node's Ed25519 key, its peer ID as key id.
type signingKey struct {
	id  string
	key any
}

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.EdDSA }
func (k signingKey) Algorithm() jose.SignatureAlgorithm          { return jose.EdDSA }
func (k signingKey) Key() any                                    { return k.key }
func (k signingKey) ID() string                                  { return k.id }
func (k signingKey) Use() string                                 { return "sig" }

func (s storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{id: s.p.self, key: s.p.priv}, nil
}
func (s storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.EdDSA}, nil
}

// KeySet publishes the public key for tools; members never fetch it,
// they read it from the peer ID in the charter.
func (s storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{signingKey{id: s.p.self, key: s.p.priv.Public()}}, nil
}

// GetClientByClientID accepts active members other than this node only.
func (s storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id == s.p.self {
		return nil, fmt.Errorf("%w: a member does not sign in with itself", ErrNotMember)
	}
	m, err := activeMember(s.p.d.Charter, id)
	if err != nil {
		return nil, err
	}
	return memberClient{m: m, idTTL: s.p.cfg.IDTokenTTL}, nil
}

func (s storage) AuthorizeClientIDSecret(context.Context, string, string) error {
	return errUnsupported
}

// SetUserinfoFromScopes tells the shopper's name (profile) and e-mail
// address (email).
func (s storage) SetUserinfoFromScopes(ctx context.Context, ui *oidc.UserInfo, subject, _ string, scopes []string) error {
	acc, err := s.p.d.Accounts.Account(ctx, subject)
	if err != nil {
		return err
	}
	ui.Subject = subject
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeProfile:
			ui.Name = acc.Name
		case oidc.ScopeEmail:
			ui.Email, ui.EmailVerified = acc.Email, false
		}
	}
	return nil
}
func (s storage) SetUserinfoFromToken(context.Context, *oidc.UserInfo, string, string, string) error {
	return errUnsupported
}
func (s storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errUnsupported
}
func (s storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}
func (s storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errUnsupported
}
func (s storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errUnsupported
}
func (s storage) Health(context.Context) error { return nil }
