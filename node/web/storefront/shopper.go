package storefront

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// Shoppers sign up and in with an e-mail address and a password on this
// storefront (Orders.CreateShopper, Orders.Authenticate). The session
// keeps the shopper's id and the id of the cart being filled in
// session.Values; that cart is the account's latest (Carts.LatestCart),
// found again at every sign-in, or one created when the first item goes
// in (a placed order closes it). A guest's cart joins it at sign-in
// (guest.go). Pages that need a shopper send anyone else to the sign-in
// form with a next parameter that brings them back.

// valueCart is the key of Session.Values that holds the id of the
// shopper's cart; web.ValueShopper holds the shopper's id.
const valueCart = "cart"

// shopperVisit is a request of a signed-in shopper.
type shopperVisit struct {
	sess    *web.Session
	shopper order.Shopper
}

// shopperHandler serves a signed-in shopper.
type shopperHandler func(http.ResponseWriter, *http.Request, shopperVisit)

// signinChooser sends each kind of visitor to its sign-in: GET /signin.
func (sf *Storefront) signinChooser(w http.ResponseWriter, r *http.Request) {
	sf.render(w, r, http.StatusOK, "signin", &web.Page{Title: sf.site.T(r, "signin.title"), NoIndex: true})
}

// backTo returns where a signed-out POST to a route sends the visitor
// after sign-in: a page, since a POST cannot be repeated by a redirect.
func backTo(path string) func(*http.Request) string {
	return func(*http.Request) string { return path }
}

// approveBack brings a signed-out approval back to its page.
func approveBack(r *http.Request) string {
	return "/signin/alliance/approve?" + url.Values{"id": {r.PostForm.Get("id")}}.Encode()
}

// orderBack brings a signed-out cancel back to its order's page.
func orderBack(r *http.Request) string { return orderURL(r.PathValue("id")) }

// asShopper runs h for a signed-in shopper and sends anyone else to the
// shopper sign-in with 303, with next set by back (nil: this GET page).
// The shopper is looked up at every request, so a session whose account
// is gone ends.
func (sf *Storefront) asShopper(back func(*http.Request) string, h shopperHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sv, ok, err := sf.shopperOf(w, r)
		if err != nil {
			sf.site.FailOrder(w, r, err)
			return
		}
		if !ok {
			next := r.URL.RequestURI()
			if back != nil {
				next = back(r)
			}
			web.SeeOther(w, r, shopperSigninURL(next))
			return
		}
		h(w, r, sv)
	}
}

// shopperOf returns the request's signed-in shopper, false when there is
// none; then the visit still holds the visitor's session, if any (a
// guest's cart), and a nil sess otherwise. A session naming a shopper
// that no longer exists forgets it.
func (sf *Storefront) shopperOf(w http.ResponseWriter, r *http.Request) (shopperVisit, bool, error) {
	sess, ok := sf.sessions.Load(r)
	if !ok {
		return shopperVisit{}, false, nil
	}
	if sess.Values[web.ValueShopper] == "" {
		return shopperVisit{sess: sess}, false, nil
	}
	sh, err := sf.deps.Shoppers.Shopper(r.Context(), sess.Values[web.ValueShopper])
	if err == nil {
		// A session begun before the shopper last signed out (a copied
		// cookie, another device) is over.
		var ended time.Time
		if ended, err = sf.deps.Shoppers.SessionsEndedAt(r.Context(), sh.ID); err == nil && sess.Issued < ended.Unix() {
			err = order.ErrNotFound
		}
		// A shopper of another member is signed out once that member is
		// suspended or removed.
		if err == nil && sf.endedByAlliance(sh) {
			err = fmt.Errorf("%w: %w", order.ErrNotFound, errAllianceEnded)
		}
	}
	if errors.Is(err, order.ErrNotFound) {
		delete(sess.Values, web.ValueShopper)
		delete(sess.Values, valueCart)
		return shopperVisit{sess: sess}, false, sf.sessions.Save(w, sess)
	}
	if err != nil {
		return shopperVisit{}, false, err
	}
	return shopperVisit{sess: sess, shopper: sh}, true, nil
}

// shopperSignedIn reports whether r's session names a shopper, without
// asking the order service: enough for the site header.
func (sf *Storefront) shopperSignedIn(r *http.Request) bool {
	sess, ok := sf.sessions.Load(r)
	return ok && sess.Values[web.ValueShopper] != ""
}

// shopperPage is a page of a signed-in shopper: the header shows the
// shopper's links and sign-out button, and the page is never cached.
func (sf *Storefront) shopperPage(sv shopperVisit, title string, data any) *web.Page {
	return &web.Page{Title: title, SignedIn: true, NoIndex: true, CSRF: sf.sessions.CSRFToken(sv.sess), Data: data}
}

// shopperSigninURL is the shopper sign-in form that returns to next.
func shopperSigninURL(next string) string {
	if next = safeNext(next); next == "" {
		return "/signin/shopper"
	}
	return "/signin/shopper?" + url.Values{"next": {next}}.Encode()
}

// safeNext returns next when it is a path on this site, "" otherwise, so
// that a crafted sign-in link cannot send a shopper to another site:
// scheme-relative ("//host"), absolute and backslashed URLs and control
// characters are refused.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsRune(next, '\\') {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if next[i] < 0x20 || next[i] == 0x7f {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	return next
}

// shopperNotices are the confirmations the shopper's pages show after a
// redirect, by the "done" query parameter; only these fixed texts are
// ever shown.
var shopperNotices = map[string]string{
	"signed-out": "You are signed out.",
	"welcome":    "Your account is open and you are signed in.",
	"added":      "Added to your cart.",
	"removed":    "Removed from your cart.",
	"updated":    "Quantity changed.",
	"ship-to":    "Your cart is quoted for delivery there: each merchant's shipping options are below.",
	"shipping":   "Shipping option chosen.",
	"merged":     "You are signed in, and the items you added before are in your cart.",
	"merged-partly": "You are signed in. Some items you added before are no longer available in the quantity you chose: " +
		"your cart holds what could be kept.",
	"placed":           "Thank you: your order is placed. Each merchant's part is followed below.",
	"return-requested": "Your return request was sent to the merchant. The part below follows it: you will see how to send the items back once it is approved.",
	"cancelled-some":   "Your cancellation was sent to the merchant. The part below shows what was cancelled, the refund and what is left.",
	"cancelled":        "Your cancellation was sent to the merchants. Each part below says when it is cancelled and refunded.",
	"message-sent":     "Your message was sent to the merchant. Their answer appears with the part, and we e-mail you when it comes.",
}
