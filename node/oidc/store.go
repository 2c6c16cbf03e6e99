package oidc

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// Badger keys, all under "oidc/" and all with a TTL.
const (
	prefixRequest = "oidc/req/"    // + id: authRequest JSON
	prefixCode    = "oidc/code/"   // + sha256(code): auth request id
	prefixClient  = "oidc/pend/c/" // + client + "/" + id: a pending request
	prefixAddr    = "oidc/pend/a/" // + addr + "/" + id: a pending request
	prefixLogin   = "oidc/login/"  // + state: a relying party's pending sign-in
)

// authRequest is one authorization request kept by the provider from
// /oidc/authorize until its code is exchanged or it expires. It is the
// op.AuthRequest zitadel's provider works on.
type authRequest struct {
	ID              string                   `json:"id"`
	ClientID        string                   `json:"client_id"`
	RedirectURI     string                   `json:"redirect_uri"`
	State           string                   `json:"state"`
	Nonce           string                   `json:"nonce"`
	Scopes          []string                 `json:"scopes"`
	ResponseType    oidc.ResponseType        `json:"response_type"`
	ResponseMode    oidc.ResponseMode        `json:"response_mode,omitempty"`
	Challenge       string                   `json:"challenge,omitempty"`
	ChallengeMethod oidc.CodeChallengeMethod `json:"challenge_method,omitempty"`
	Addr            string                   `json:"addr"`
	Created         time.Time                `json:"created"`
	Expires         time.Time                `json:"expires"`
	// Subject and AuthTime are set when the shopper approves.
	Subject  string    `json:"subject,omitempty"`
	AuthTime time.Time `json:"auth_time,omitzero"`
	// CodeIssued is set once a code was given out: there is never a second.
	CodeIssued bool `json:"code_issued,omitempty"`
}

func (a *authRequest) GetID() string          { return a.ID }
func (a *authRequest) GetACR() string         { return "" }
func (a *authRequest) GetAMR() []string       { return []string{"pwd"} }
func (a *authRequest) GetAudience() []string  { return []string{a.ClientID} }
func (a *authRequest) GetAuthTime() time.Time { return a.AuthTime }
func (a *authRequest) GetClientID() string    { return a.ClientID }
func (a *authRequest) GetNonce() string       { return a.Nonce }
func (a *authRequest) GetRedirectURI() string { return a.RedirectURI }
func (a *authRequest) GetScopes() []string    { return a.Scopes }
func (a *authRequest) GetState() string       { return a.State }
func (a *authRequest) GetSubject() string     { return a.Subject }
func (a *authRequest) Done() bool             { return a.Subject != "" }
func (a *authRequest) GetResponseType() oidc.ResponseType {
	return a.ResponseType
}
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.ResponseMode }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.Challenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.Challenge, Method: a.ChallengeMethod}
}

// randomID returns n random bytes, base64url.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func codeKey(code string) []byte {
	sum := sha256.Sum256([]byte(code))
	return []byte(prefixCode + hex.EncodeToString(sum[:]))
}

// putTTL stores v as JSON under key until expires.
func putTTL(txn *badger.Txn, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if ttl <= 0 {
		return fmt.Errorf("%w: %s has expired", ErrNotFound, key)
	}
	return txn.SetEntry(badger.NewEntry([]byte(key), b).WithTTL(ttl))
}

// getJSON reads key into v; ErrNotFound when absent or expired.
func getJSON(txn *badger.Txn, key string, v any) error {
	it, err := txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return it.Value(func(b []byte) error { return json.Unmarshal(b, v) })
}

// count returns how many live keys start with prefix, up to limit.
func count(txn *badger.Txn, prefix string, limit int) int {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues = false
	opts.Prefix = []byte(prefix)
	it := txn.NewIterator(opts)
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid() && n < limit; it.Next() {
		n++
	}
	return n
}

// loadRequest reads an auth request that has not expired.
func loadRequest(txn *badger.Txn, id string, now time.Time) (*authRequest, error) {
	var a authRequest
	if err := getJSON(txn, prefixRequest+id, &a); err != nil {
		return nil, fmt.Errorf("auth request %s: %w", id, err)
	}
	if !now.Before(a.Expires) {
		return nil, fmt.Errorf("auth request %s: %w", id, ErrNotFound)
	}
	return &a, nil
}

func saveRequest(txn *badger.Txn, a *authRequest, now time.Time) error {
	return putTTL(txn, prefixRequest+a.ID, a, a.Expires.Sub(now))
}

func deleteRequest(txn *badger.Txn, a *authRequest) error {
	for _, k := range []string{prefixRequest + a.ID, prefixClient + a.ClientID + "/" + a.ID, prefixAddr + a.Addr + "/" + a.ID} {
		if err := txn.Delete([]byte(k)); err != nil {
			return err
		}
	}
	return nil
}
