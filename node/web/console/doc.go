// Package console serves the merchant console under /merchant: sign-in
// with the merchant's token, the merchant's listings with their stock
// (searched by title or SKU, filtered by stock state, in numbered pages),
// bulk stock and price changes, the listing editor (with picture
// uploads), take-downs, feed
// uploads (CSV or JSON lines) with their progress and their problems in
// plain words, the incoming order parts with ship (a carrier of the
// table, or another with its tracking page), deliver, refund in full,
// and refund part of a part (some units and/or an amount, with or
// without shipping, back to stock or not, reviewed before it is made;
// refund_some.go), each part listing its refunds and what is left
// refundable, the returns shoppers ask for (open ones first; approved
// with a drop-off code, an address or an https label, refused with a
// reason, or received after a confirmation of the refund and the
// restocking fee; returns.go), linked from their parts, the
// conversations with the shoppers of its parts (unread first, each part's
// thread with a form to answer; messages.go), the issues shoppers report
// (the most urgent deadline first, overdue ones marked; each with its
// thread, answered by a question, an offer of a remedy, a refund within
// what is left refundable and confirmed first, or a refusal with
// reasons; once escalated, the arbiter's questions answered and its
// decision shown; issues.go),
// earnings per settlement period, and the merchant's published profile,
// policies and shipping profiles (when Deps.Profiles is set).
//
// # Model
//
// New builds a Console over a web.Site from Deps, the few methods it
// reads and changes of the catalog, the order service's home parts and
// the settlement view (each declared here). Every request looks the
// session's sealed token up again, so a rotated token or a sign-out
// anywhere ends the merchant's sessions at once. A feed upload is parsed
// whole, refused whole when malformed, and then written a chunk at a
// time by a background job on the site (web.Site.Go), whose page follows
// it; one job per merchant runs at a time.
//
// The listings table is a catalog query (ListingEditor.QueryListings)
// whose filters and page live in the URL, so that every form posted from
// the table (a stock change, a bulk change) comes back to the same page
// of it. A bulk change is reviewed before it is written (PlanBulk shows
// each variant's value now and after, and what stands in the way) and
// then applied all or nothing at the description versions reviewed
// (ApplyBulk): a change with any problem writes nothing, and the review
// shows again with each problem on its row.
//
// Pages are laid out for a phone first (static/console.css): below 48rem
// every table row is a card of labelled lines, and the header holds the
// merchant's name, the console's sections and sign-out, not the
// storefront's search.
//
// # Lifecycle
//
// New (which lets a signed-in merchant upload a feed, or a listing's
// pictures, larger than a form) -> Mount. Running feed jobs stop between two chunks when the site
// closes, and the site's Close waits for them.
package console
