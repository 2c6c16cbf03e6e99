package oidc

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// LeaveTTL is how long a shopper's sign-in on another member lets that
// member's storefront spend the shopper's points here: after it, the
// shopper signs in with this member again.
const LeaveTTL = 30 * 24 * time.Hour

// CheckLeave checks a shopper's leave for the storefront of member
// client to hold the points of subject, this node's shopper: raw must be
// an ID token this provider signed for client about subject, issued
// within LeaveTTL, and client must be an active member now. The token
// proves the shopper approved client on this node's own sign-in page; a
// storefront cannot make one, and a suspended member's leave ends with
// its membership.
func (p *Provider) CheckLeave(_ context.Context, client, subject string, raw []byte) error {
	if len(raw) == 0 {
		return fmt.Errorf("%w: no ID token: the shopper has not signed in with this member there", ErrInvalid)
	}
	if len(raw) > 16<<10 {
		return fmt.Errorf("%w: ID token of %d bytes is too long", ErrInvalid, len(raw))
	}
	if _, err := activeMember(p.d.Charter, client); err != nil {
		return err
	}
	jws, err := jose.ParseSigned(string(raw), []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return fmt.Errorf("%w: ID token: %v", ErrInvalid, err)
	}
	payload, err := jws.Verify(p.priv.Public())
	if err != nil {
		return fmt.Errorf("%w: ID token is not signed by this member", ErrInvalid)
	}
	var c oidc.IDTokenClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return fmt.Errorf("%w: ID token claims: %v", ErrInvalid, err)
	}
	now, iat := p.now(), c.GetIssuedAt()
	switch {
	case c.GetSubject() != subject:
		return fmt.Errorf("%w: the ID token is about another shopper than %s", ErrInvalid, subject)
	case !slices.Contains(c.GetAudience(), client):
		return fmt.Errorf("%w: the ID token was not issued to member %s", ErrInvalid, client)
	case iat.After(now.Add(time.Minute)):
		return fmt.Errorf("%w: the ID token is issued in the future", ErrInvalid)
	case now.Sub(iat) > LeaveTTL:
		return fmt.Errorf("%w: the shopper signed in there on %s, more than %d days ago: sign in with this member again",
			ErrInvalid, iat.UTC().Format("2 Jan 2006"), int(LeaveTTL/(24*time.Hour)))
	}
	return nil
}
