// Package web serves fedmart's server-rendered pages: the storefront that
// searches the whole federation's catalog, the merchant console, and the
// operator dashboard. Templates (html/template), style sheets and scripts
// are embedded in the binary; nothing is loaded from elsewhere, and every
// page works without JavaScript (scripts only add live updates and feed
// upload progress without reloads).
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
// with a __Host- name when BaseURL is https. A session starts when a page
// with a POST form is first shown, is renewed (new ID) at every sign-in
// and sign-out, and expires Options.SessionTTL after it was issued. A
// merchant's session holds its token sealed with AES-GCM, looked up at
// every request, so rotating the token (from the dashboard's merchants
// page or the API) signs the merchant out; an operator's holds a keyed
// fingerprint of the operator token; a shopper's holds the shopper's id
// and cart. Signing out ends a principal's sessions on the node, every
// copy of the cookie included: a session begun before its principal's
// last sign-out is refused. The order service keeps when shoppers signed
// out; the pages keep it for merchants and the operator in Badger under
// "p/" (revocation.go), the only state they store. Every POST, on
// any route, must carry the session's CSRF token (an HMAC of the session
// ID, compared in constant time) or is refused with 403; a POST without a
// session is refused before its body is read, and only a signed-in
// merchant's feed upload may be larger than a form. The cookie's name
// carries the port of BaseURL, since browsers share cookies between the
// ports of one host.
//
// # Budgets and throttling
//
// Sign-ups, sign-in attempts and checkouts spend the client's budgets
// (Deps.Budgets, shared with the REST API; spend.go): past one, a 429
// page says when to try again. Wrong shopper passwords are counted per
// pair of e-mail address and client, and make that pair alone wait,
// longer after each failure (throttle.go): a stranger's guesses never
// keep the shopper out.
//
// # Payments
//
// The checkout offers the payment methods Options.Payments names. With
// the sandbox card provider on, every page carries a banner saying that
// payments are tests and take no money.
//
// # Areas
//
// The storefront (shopper.go, cart.go, checkout*.go, orders_page.go): a
// shopper signs up with a password, keeps a cart grouped by home platform
// (its id in session.Values), checks out with an idempotency key carried
// by the form (and, when home platforms do not answer, may take their
// lines out and buy the rest), and follows every part of an order. The merchant console
// (console*.go): listings, stock, feed uploads run as background jobs with
// progress, incoming parts with ship, deliver and refund, and earnings per
// settlement period. The operator dashboard (operator*.go, dashboard.go):
// members (whether they answer, what the outbox owes each, replication
// lag) and the parked messages to send again or drop, the charter and
// pending amendments, order flow, and settlement periods paged and
// filtered, each with what its statements wait for and its netting;
// charts drawn as SVG on the server (svg.go), and /operator/events
// pushing changes as server-sent events.
// A new page adds a route in its area's routes function, a template in
// templates/, and a nav item in nav.go; its POST forms include
// {{template "csrf" .CSRF}} and are checked without further work.
//
// # Lifecycle
//
// New -> Handler, served by the node's http.Server -> Close, which ends
// the operator's server-sent event streams so that the server's graceful
// shutdown is not held until its deadline.
package web
