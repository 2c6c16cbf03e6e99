package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/budget"
)

// Shoppers sign up and in with an e-mail address and a password on this
// storefront (Orders.CreateShopper, Orders.Authenticate). The session
// keeps the shopper's id and the id of the cart being filled in
// session.Values; the cart is created when the first item goes in, and
// again whenever the one remembered is gone (a placed order empties it).
// Pages that need a shopper send anyone else to the sign-in form with a
// next parameter that brings them back.

// Keys of session.Values the shopper's pages use.
const (
	valueShopper = "shopper" // the signed-in shopper's id
	valueCart    = "cart"    // the id of the shopper's cart
)

// shopperVisit is a request of a signed-in shopper.
type shopperVisit struct {
	sess    *session
	shopper order.Shopper
}

// shopperHandler serves a signed-in shopper.
type shopperHandler func(http.ResponseWriter, *http.Request, shopperVisit)

// shopperRoutes adds the shopper's pages: sign-up, sign-in, cart,
// checkout and orders.
func (wb *Web) shopperRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /signin", wb.signinChooser)
	mux.HandleFunc("GET /signin/shopper", wb.shopperSigninForm)
	mux.HandleFunc("POST /signin/shopper", wb.spending(budget.SignIns, wb.shopperSignin))
	mux.HandleFunc("GET /signup", wb.signupForm)
	mux.HandleFunc("POST /signup", wb.spending(budget.Accounts, wb.signup))
	mux.HandleFunc("GET /signout", wb.shopperSignoutForm)
	mux.HandleFunc("POST /signout", wb.shopperSignout)
	mux.HandleFunc("GET /cart", wb.cartPage)
	mux.HandleFunc("GET /cart/add", wb.addForm)
	mux.HandleFunc("POST /cart/items", wb.addToCart)
	mux.HandleFunc("POST /cart/quantity", wb.asShopper(backTo("/cart"), wb.setQuantity))
	mux.HandleFunc("POST /cart/remove", wb.asShopper(backTo("/cart"), wb.removeFromCart))
	mux.HandleFunc("GET /checkout", wb.asShopper(nil, wb.checkoutForm))
	mux.HandleFunc("POST /checkout", wb.spending(budget.Checkouts, wb.asShopper(backTo("/checkout"), wb.checkout)))
	mux.HandleFunc("POST /checkout/unavailable", wb.asShopper(backTo("/checkout"), wb.removeUnavailable))
	mux.HandleFunc("GET /orders", wb.asShopper(nil, wb.ordersPage))
	mux.HandleFunc("GET /orders/{id}", wb.asShopper(nil, wb.orderPage))
	mux.HandleFunc("POST /orders/{id}/cancel", wb.asShopper(orderBack, wb.cancelOrder))
}

// signinChooser sends each kind of visitor to its sign-in: GET /signin.
func (wb *Web) signinChooser(w http.ResponseWriter, r *http.Request) {
	wb.render(w, r, http.StatusOK, "signin", &page{Title: "Sign in", NoIndex: true})
}

// backTo returns where a signed-out POST to a route sends the visitor
// after sign-in: a page, since a POST cannot be repeated by a redirect.
func backTo(path string) func(*http.Request) string {
	return func(*http.Request) string { return path }
}

// orderBack brings a signed-out cancel back to its order's page.
func orderBack(r *http.Request) string { return orderURL(r.PathValue("id")) }

// asShopper runs h for a signed-in shopper and sends anyone else to the
// shopper sign-in with 303, with next set by back (nil: this GET page).
// The shopper is looked up at every request, so a session whose account
// is gone ends.
func (wb *Web) asShopper(back func(*http.Request) string, h shopperHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sv, ok, err := wb.shopperOf(w, r)
		if err != nil {
			wb.orderFail(w, r, err)
			return
		}
		if !ok {
			next := r.URL.RequestURI()
			if back != nil {
				next = back(r)
			}
			seeOther(w, r, shopperSigninURL(next))
			return
		}
		h(w, r, sv)
	}
}

// shopperOf returns the request's signed-in shopper, false when there is
// none. A session naming a shopper that no longer exists forgets it.
func (wb *Web) shopperOf(w http.ResponseWriter, r *http.Request) (shopperVisit, bool, error) {
	sess, ok := wb.sessions.load(r)
	if !ok || sess.Values[valueShopper] == "" {
		return shopperVisit{}, false, nil
	}
	sh, err := wb.deps.Orders.Shopper(r.Context(), sess.Values[valueShopper])
	if err == nil {
		// A session begun before the shopper last signed out (a copied
		// cookie, another device) is over.
		var ended time.Time
		if ended, err = wb.deps.Orders.SessionsEndedAt(r.Context(), sh.ID); err == nil && sess.Issued < ended.Unix() {
			err = order.ErrNotFound
		}
	}
	if errors.Is(err, order.ErrNotFound) {
		delete(sess.Values, valueShopper)
		delete(sess.Values, valueCart)
		return shopperVisit{}, false, wb.sessions.save(w, sess)
	}
	if err != nil {
		return shopperVisit{}, false, err
	}
	return shopperVisit{sess: sess, shopper: sh}, true, nil
}

// shopperSignedIn reports whether r's session names a shopper, without
// asking the order service: enough for the site header.
func (wb *Web) shopperSignedIn(r *http.Request) bool {
	sess, ok := wb.sessions.load(r)
	return ok && sess.Values[valueShopper] != ""
}

// shopperPage is a page of a signed-in shopper: the header shows the
// shopper's links and sign-out button, and the page is never cached.
func (wb *Web) shopperPage(sv shopperVisit, title string, data any) *page {
	return &page{Title: title, SignedIn: true, NoIndex: true, CSRF: wb.sessions.csrfToken(sv.sess), Data: data}
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

// orderFail renders the page for an error of the order service; what it
// does not know, wb.fail does.
func (wb *Web) orderFail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, order.ErrNotFound):
		wb.notFound(w, r)
	case errors.Is(err, order.ErrUnavailable):
		wb.status(w, r, http.StatusServiceUnavailable, "Not available",
			"A merchant's platform could not be reached. Nothing was changed; try again in a moment.")
	case errors.Is(err, order.ErrInvalid):
		wb.status(w, r, http.StatusBadRequest, "Bad request", "The request could not be understood. Check the link and try again.")
	default:
		wb.fail(w, r, err)
	}
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
	"placed":     "Thank you: your order is placed. Each merchant's part is followed below.",
	"cancelled":  "Your cancellation was sent to the merchants. Parts already shipped are not cancelled.",
}

// noticeIn is the confirmation r's "done" parameter asks for, from one
// page family's fixed texts.
func noticeIn(r *http.Request, texts map[string]string) string {
	return texts[r.URL.Query().Get("done")]
}
