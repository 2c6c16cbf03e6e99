// Package oidc makes every member of the alliance an OpenID Provider for
// its own shoppers and a relying party for the other members' shoppers,
// so that a shopper with an account on member A signs in on member B's
// storefront with "Sign in with A", and no password crosses to B.
//
// # Trust
//
// The charter is the only trust anchor. A member's issuer URL is its
// charter API URL (federation.Member.API); its ID tokens are signed with
// EdDSA by its node's own libp2p Ed25519 key, and a relying party checks
// them against the public key inside the issuer's peer ID, read from the
// charter in force at that moment (memberKeySet). No JWKS is fetched or
// trusted. Only active members of the current charter are accepted: as
// provider (by B, at every step and at every later request of a session
// signed in through it) and as client (by A: the client_id is the
// requesting member's peer ID, its redirect URI is its charter API URL
// followed by CallbackPath). A suspended or removed member is refused at
// once.
//
// # Flow (authorization code with PKCE)
//
//	B  RelyingParty.Begin      state, nonce and PKCE verifier kept in B's
//	                           Badger, bound to the browser's session
//	A  /oidc/authorize          zitadel's op checks client and redirect URI;
//	                           the auth request is kept in A's Badger
//	A  LoginPath (storefront)   the shopper signs in on A if needed and
//	                           approves; Provider.Approve marks it done
//	A  /oidc/authorize/callback a single-use code goes back to B
//	B  RelyingParty.Finish     the code and verifier buy an ID token at
//	                           A's /oidc/token; B verifies it via the
//	                           charter and learns (A's peer ID, subject)
//
// The provider side is github.com/zitadel/oidc/v3's op package over a
// Badger storage (storage.go); the relying party uses golang.org/x/oauth2
// for the exchange and zitadel's rp verifier with memberKeySet.
//
// # State and budgets
//
// Auth requests, codes and pending sign-ins live under the "oidc/" key
// prefix with a Badger TTL, so that none outlives its use. A code is
// taken at its first use, right or wrong. Every client member and every
// remote address has a budget of pending auth requests
// (Config.MaxPendingPerClient, Config.MaxPendingPerAddr).
package oidc
