// Package console serves the merchant console under /merchant: sign-in
// with the merchant's token, the merchant's listings with their stock,
// the listing editor (with picture uploads), take-downs, feed uploads (CSV or JSON lines) with
// their progress, the incoming order parts with ship, deliver and refund,
// and earnings per settlement period.
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
// # Lifecycle
//
// New (which lets a signed-in merchant upload a feed, or a listing's
// pictures, larger than a form) -> Mount. Running feed jobs stop between two chunks when the site
// closes, and the site's Close waits for them.
package console
