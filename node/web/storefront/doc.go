// Package storefront serves the shoppers' pages at "/": the home page
// (categories, featured listings, new arrivals), the search of the whole
// federation's catalog with its facets and its spelling corrections,
// listing pages (a gallery, option buttons, OpenGraph and Twitter tags
// and schema.org JSON-LD), category pages (/c/<path>: category.go), the
// sitemap index and its files and robots.txt (sitemap.go), sign-up and sign-in
// with a password or with another member of the alliance (alliance.go:
// OpenID Connect through Deps.Alliance), the cart grouped by home
// platform, the checkout, and the orders with every part followed,
// cancelled and refunded, beside the orders placed with the account on
// other members.
//
// # Model
//
// New builds a Storefront over a web.Site from Deps, the few methods it
// reads of the search index, the catalog, the merchants' published
// profiles and shipping rules (Profiles) and the order service (each
// declared here), and Options (the payment methods it takes, whether
// guests may check out). Mount adds its routes to the site's mux.
//
// A visitor who has not signed in fills a guest cart kept in the signed
// session cookie (guest.go); the listing page starts the session, so
// that its add-to-cart form posts at once. At sign-in or sign-up the
// guest's lines go into the account's latest cart. A signed-in shopper's
// session keeps the shopper's id (web.ValueShopper) and the id of the
// cart being filled, which the order service keeps. Checkout needs an
// account unless Options.GuestCheckout lets a guest give a name and an
// e-mail address instead (checkout_guest.go). Pages that need a shopper
// send anyone else to the sign-in form with a next parameter that brings
// them back, and only to a path on this site. The checkout form carries
// an idempotency key made when it was first shown, so that a double
// submit or a retry places one order; when a home refuses (stock gone,
// a price changed) or does not answer, nothing is ordered or charged,
// the form says what happened next to the lines concerned, and the
// shopper may take the lines of the platforms that did not answer out
// and buy the rest. Wrong passwords make the pair of address and client
// wait (web.Throttle), never the shopper elsewhere.
//
// Search engines (canonical.go, category.go, sitemap.go, home_data.go)
// see one page per listing across the alliance: a replicated listing's
// page names the page on its home member's storefront as canonical (the
// charter holds each member's URL), and only a listing's home lists it
// in its sitemap. Category pages, the home page and listing pages are
// indexable; the search, and a category page's sorts and filters, are
// not (noindex, or noindex,follow). Deps.Sitemap lets other pages (the
// operator's pages, help articles) join the sitemap.
//
// Shipping (shipping.go) is quoted from the replicated records for the
// cart's destination: each merchant's part shows its rates with prices
// and delivery dates; listing pages say where and when a listing ships
// and the merchant's returns, and put the same terms in their schema.org
// offers (policies.go).
//
// Shoppers never read a merchant's SKU nor a listing's id: a variant is
// chosen with option buttons (variant.go) and named by its options
// ("Size: 24 cm"). An order's status line is derived from its parts
// (status.go), and a cancel is confirmed on a page that says what will
// be refunded and how (cancel.go). Some units of an accepted part are
// cancelled the same way, line by line, with the refund and the card
// said before anything is sent (cancel_units.go); the order page then
// lists each part's refunds and cancellations, dated by the statuses
// that stated them, and what is left of the part. A delivered part
// whose merchant takes returns offers, until its window ends, to return
// some units with a reason and a note (returns.go); the part then
// follows each return in words, from the request to the refund
// (returns_part.go). Each part carries its conversation with the
// merchant and a form to write in it (messages.go). A shopper reports a
// problem with a part (category, description, https picture addresses,
// the remedy asked and, for a refund, its amount; issues.go), and
// follows each issue on its own page (issue.go): the thread in words,
// the charter's deadlines (the one past marked overdue), more
// information, the merchant's offer accepted (the button saying the
// refund) or rejected, and, when the charter names an arbiter and the
// issue allows it, an escalation that says why it is allowed; once
// escalated, the arbiter named, its questions and the answers sent (the
// shopper's, relayed as the storefront's note), and its decision. A notification
// e-mail's unsubscribe link opens /mail/unsubscribe (mail.go), which
// needs no sign-in: the link is signed for its address; the page, in the
// letter's language (English or Chinese), turns notifications off or
// back on, and a mail client's one-click POST turns them off. Pictures go
// through imageURL, the one place that turns a listing's image into a
// URL; a listing without one, or a picture that fails to load, shows a
// placeholder drawing.
//
// # Lifecycle
//
// New -> Mount; it holds no state of its own beyond the sign-in
// throttle and the sitemap index it last built (for ten minutes), and
// ends with the site.
package storefront
