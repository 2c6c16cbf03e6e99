// Package web serves fedmart's server-rendered pages: the storefront that
// searches the whole federation's catalog, the merchant console, and the
// operator dashboard. Templates (html/template) and the one stylesheet and
// script are embedded in the binary; nothing is loaded from elsewhere, and
// every page works without JavaScript.
//
// # Model
//
// Web is built once by New from Deps, small interfaces this package
// declares and the node's catalog, search index and federation satisfy,
// and Options. Its Handler is mounted at "/" beside the REST API, which
// keeps /v1, /healthz, /readyz and /metrics. Requests pass, in order:
// panic recovery, security headers (a strict Content-Security-Policy:
// only this node's scripts and styles), a body cap, the CSRF check, and
// the routes in web.go.
//
// Pages are rendered from one layout (templates/base.html) and one
// template per page, executed into a buffer so that a failure is a clean
// error page. Text from merchants and other members is only ever escaped
// by html/template: no helper marks data as safe, and the listing's
// schema.org JSON-LD is encoded by html/template with encoding/json, which
// escapes '<'. Forms keep what was typed and show each problem next to its
// input (form.go); a catalog.ValidationError's field paths name the inputs.
//
// # Sessions and CSRF
//
// A session (session.go) is a cookie signed with HMAC-SHA256 under a key
// derived from Options.SessionSecret: HttpOnly, SameSite=Lax, and Secure
// with a __Host- name when BaseURL is https. Nothing is stored on the
// node. A session starts when a page with a POST form is first shown, is
// renewed (new ID) at every sign-in and sign-out, and expires
// Options.SessionTTL after it was issued. A merchant's session holds its
// token sealed with AES-GCM, looked up at every request, so rotating the
// token signs the merchant out; an operator's holds a keyed fingerprint of
// the operator token. Every POST, on any route, must carry the session's
// CSRF token (an HMAC of the session ID, compared in constant time) or is
// refused with 403.
//
// # Extending
//
// The cart, checkout, shopper account, orders and settlement pages are
// added in this package: a route in routes, a template in templates/, a
// nav slot filled in nav.go (the merchant's Orders and Earnings, the
// operator's Orders and Settlement). Their POST forms include
// {{template "csrf" .CSRF}} with the page made by withSession (or by
// consolePage, dashboardPage) and are checked without further work; what
// they remember per visitor goes in session.Values. The /signin chooser
// and /cart placeholder in shopper.go are where the shopper's pages start.
//
// # Lifecycle
//
// New -> Handler, served by the node's http.Server -> Close, which ends
// the operator's server-sent event streams so that the server's graceful
// shutdown is not held until its deadline.
package web
