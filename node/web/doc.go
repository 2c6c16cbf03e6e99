// Package web is the page kit fedmart's server-rendered pages share: the
// storefront (node/web/storefront), the merchant console
// (node/web/console) and the operator dashboard (node/web/dashboard) are
// each built over one Site, and node/pages.go mounts the three. The kit
// serves no page of its own but the failure pages and the token sign-in
// form the console and the dashboard share. Templates (html/template),
// style sheets and scripts are embedded in the binary; nothing is loaded
// from elsewhere, and every page works without JavaScript (scripts only
// add live updates and feed upload progress without reloads).
//
// # Model
//
// A Site is built once by New from Deps (the charter, the node's Badger,
// the budgets) and Options. Each audience parses its own templates over
// the kit's layout with Site.Pages and renders them with Pages.Render;
// Site.Handler mounts every audience beside the static files and the
// "page not found" answer. Requests pass, in order: panic recovery,
// security headers (a strict Content-Security-Policy: only this node's
// scripts and styles), a body cap, the CSRF check, and the routes.
//
// Pages speak English or Simplified Chinese (lang.go, over the messages
// of node/web/locale): each template is parsed once and cloned per
// language, its "t", "money", "date" and "ago" functions speaking that
// language; the visitor picks one with the footer's selector, else their
// browser's Accept-Language decides.
//
// Pages are rendered from one layout (templates/base.html, with the
// csrf, pager, chips, errors, summary and field partials) and one
// template per page, executed into a buffer so that a failure is a clean
// error page. Text from merchants and other members is only ever escaped
// by html/template: no helper marks data as safe. Forms (Form) keep what
// was typed and show each problem next to its input. What several
// audiences show alike lives here too: money and times (money.go,
// template.go), an order's words (order.go), a settlement period's row
// (period.go), the SVG charts drawn on the server (chart.go), an
// order part's conversation with its "thread" partial (thread.go), and
// what search engines and link previews read (seo.go: each member's
// storefront URL from the charter, OpenGraph and Twitter cards,
// breadcrumbs, hreflang alternates; category.go: category URLs and the
// operator's category descriptions, kept under "p/category/").
//
// # Sessions and CSRF
//
// A session (session.go) is a cookie signed with HMAC-SHA256 under a key
// derived from Options.SessionSecret: HttpOnly, SameSite=Lax, and Secure
// with a __Host- name when BaseURL is https. A session starts when a page
// with a POST form is first shown, is renewed (new ID) at every sign-in
// and sign-out, and expires Options.SessionTTL after it was issued. It
// holds a merchant's token sealed with AES-GCM (the console), a keyed
// fingerprint of the operator token (the dashboard), or the shopper's id
// and cart in Values (the storefront). Signing out ends a principal's
// sessions on the node, every copy of the cookie included: the kit keeps
// when merchants' and the operator's sessions ended in Badger under "p/"
// (revocation.go), beside the time zone (zone.go) and the category
// descriptions (category.go), the state the pages store; the order service
// keeps shoppers'. Every POST, on any route, must carry the session's
// CSRF token (an HMAC of the session ID, compared in constant time) or
// is refused with 403; a POST without a session is refused before its
// body is read, and only a signed-in merchant's upload to a path the
// console named (AllowUpload) may be larger than a form. The cookie's
// name carries the port of BaseURL, since browsers share cookies between
// the ports of one host.
//
// # Budgets and throttling
//
// Sign-ups, sign-in attempts and checkouts spend the client's budgets
// (Deps.Budgets, shared with the REST API; Site.Spending): past one, a
// 429 page says when to try again. A Throttle counts wrong passwords per
// pair of e-mail address and client, and makes that pair alone wait.
//
// # Lifecycle
//
// New -> the audiences' New -> Handler, served by the node's http.Server
// -> Close, which ends the open event streams (Site.Stream) so that the
// server's graceful shutdown is not held until its deadline, and waits
// for the background jobs started with Site.Go (merchants' feed uploads)
// to stop between two steps.
package web
