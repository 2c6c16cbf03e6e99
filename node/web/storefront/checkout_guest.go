package storefront

import (
	"net/http"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A guest who checks out is asked first who they are: to sign in or to
// create an account, after which their cart is the account's
// (signShopperIn merges it), or, when the operator allows guest checkout
// (Options.GuestCheckout), to give a name and an e-mail address. That
// opens an account without a password, as the API's are, spending the
// client's accounts budget as a sign-up does; the session is signed in
// to it, so the guest follows the order on this device until the
// session ends, and the checkout goes on as any shopper's. An account
// without a password claims no e-mail address, so a guest cannot take
// an address from the shopper who signs in with it.

// guestCheckoutView is what the guest's checkout page shows.
type guestCheckoutView struct {
	Cart                 cartView
	SigninURL, SignupURL string
	// Guest is true when the storefront takes guests' orders; Form is
	// then their name and e-mail address.
	Guest bool
	Form  *web.Form
}

// guestCheckoutPage shows a guest how to go on to the checkout, with f's
// problems; an empty cart goes back to the cart.
func (sf *Storefront) guestCheckoutPage(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, f *web.Form) {
	c, err := sf.guestCart(r.Context(), sess)
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	if len(c.Groups) == 0 {
		web.SeeOther(w, r, "/cart")
		return
	}
	v := guestCheckoutView{Cart: sf.cartView(r.Context(), c), SigninURL: shopperSigninURL("/checkout"),
		SignupURL: withNext("/signup", "/checkout"), Guest: sf.opts.GuestCheckout, Form: f}
	sf.render(w, r, status, "checkout_guest", sf.guestPage(w, r, sf.site.T(r, "checkout.title"), v))
}

// guestCheckout opens a guest's account from a name and an e-mail
// address and goes on to the checkout with the guest's cart in it:
// POST /checkout/guest. Only when the storefront takes guests' orders.
func (sf *Storefront) guestCheckout(w http.ResponseWriter, r *http.Request) {
	if !sf.opts.GuestCheckout {
		sf.site.NotFound(w, r)
		return
	}
	sv, ok, err := sf.shopperOf(w, r)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	if ok {
		web.SeeOther(w, r, "/checkout")
		return
	}
	if len(guestLines(sv.sess)) == 0 {
		web.SeeOther(w, r, "/cart")
		return
	}
	in := order.ShopperInput{Name: strings.TrimSpace(r.PostForm.Get("name")), Email: strings.TrimSpace(r.PostForm.Get("email")), Lang: sf.shopperLang(r)}
	f := web.NewForm()
	f.Set("name", in.Name)
	f.Set("email", in.Email)
	if in.Name == "" {
		f.Add("name", sf.site.T(r, "refusal.enter_name"))
	}
	if in.Email == "" {
		f.Add("email", sf.site.T(r, "refusal.enter_email"))
	}
	var sh order.Shopper
	if f.OK() {
		sh, _, err = sf.deps.Shoppers.CreateShopper(r.Context(), in)
		if !addFieldErrors(sf.speechOf(r), f, err, accountLabels) && err != nil {
			sf.site.FailOrder(w, r, err)
			return
		}
	}
	if !f.OK() {
		sf.guestCheckoutPage(w, r, sv.sess, http.StatusUnprocessableEntity, f)
		return
	}
	sf.signShopperIn(w, r, sh, "/checkout", "")
}
