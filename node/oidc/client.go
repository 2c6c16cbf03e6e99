package oidc

import (
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// memberClient is another active member as the provider's client: a
// public client (PKCE, no secret) whose id is its peer ID and whose only
// redirect URI is its charter API URL followed by CallbackPath.
type memberClient struct {
	m     federation.Member
	idTTL time.Duration
}

var _ op.Client = memberClient{}

func (c memberClient) GetID() string          { return c.m.PeerID }
func (c memberClient) RedirectURIs() []string { return []string{RedirectURI(c.m.API)} }
func (c memberClient) PostLogoutRedirectURIs() []string {
	return []string{strings.TrimRight(c.m.API, "/") + "/"}
}
func (c memberClient) ApplicationType() op.ApplicationType {
	return op.ApplicationTypeWeb
}
func (c memberClient) AuthMethod() oidc.AuthMethod { return oidc.AuthMethodNone }
func (c memberClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c memberClient) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c memberClient) LoginURL(id string) string    { return LoginPath + "?id=" + id }
func (c memberClient) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeBearer
}
func (c memberClient) IDTokenLifetime() time.Duration { return c.idTTL }

// DevMode lets a member whose charter URL is plain http (a demo or a
// test on loopback) use it as its redirect URI: the charter said so.
func (c memberClient) DevMode() bool { return strings.HasPrefix(c.m.API, "http://") }
func (c memberClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c memberClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c memberClient) IsScopeAllowed(string) bool { return false }

// IDTokenUserinfoClaimsAssertion puts name and e-mail address into the
// ID token: B never calls the userinfo endpoint.
func (c memberClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c memberClient) ClockSkew() time.Duration             { return 0 }

// RedirectURI is the one redirect URI of the member whose API URL is api.
func RedirectURI(api string) string { return strings.TrimRight(api, "/") + CallbackPath }
