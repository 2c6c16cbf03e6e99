// Package storefront serves the shoppers' pages at "/": the home page,
// the search of the whole federation's catalog with its facets, listing
// pages (with OpenGraph tags and schema.org JSON-LD), the sitemap and
// robots.txt, sign-up and sign-in with a password, the cart grouped by
// home platform, the checkout, and the orders with every part followed.
//
// # Model
//
// New builds a Storefront over a web.Site from Deps, the few methods it
// reads of the search index, the catalog and the order service (each
// declared here), and Options (the payment methods it takes). Mount adds
// its routes to the site's mux.
//
// The session keeps the signed-in shopper's id (web.ValueShopper) and
// the id of the cart being filled; the cart is created when the first
// item goes in, and again whenever the one remembered is gone. Pages that
// need a shopper send anyone else to the sign-in form with a next
// parameter that brings them back, and only to a path on this site. The
// checkout form carries an idempotency key made when it was first shown,
// so that a double submit or a retry places one order; when a home
// refuses (stock gone, a price changed) or does not answer, nothing is
// ordered or charged, the form says what happened next to the lines
// concerned, and the shopper may take the lines of the platforms that
// did not answer out and buy the rest. Wrong passwords make the pair of
// address and client wait (web.Throttle), never the shopper elsewhere.
//
// # Lifecycle
//
// New -> Mount; it holds no state of its own beyond the sign-in
// throttle, and ends with the site.
package storefront
