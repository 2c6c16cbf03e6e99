package storefront

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// maxPasswordBytes is the longest password: bcrypt reads no more.
const maxPasswordBytes = 72

// accountForm is what the sign-in and sign-up templates show.
type accountForm struct {
	Form *web.Form
	Next string // where to go after signing in, a local path or ""
	// SignupURL and SigninURL link the two forms, keeping Next.
	SignupURL, SigninURL string
	MinPassword          int
	// Alliance are the "Sign in with <member>" links (alliance.go).
	Alliance []allianceView
}

// accountPage renders the sign-in or sign-up form with status.
func (sf *Storefront) accountPage(w http.ResponseWriter, r *http.Request, status int, name, title string, f *web.Form, next string) {
	v := accountForm{Form: f, Next: next, MinPassword: order.MinPasswordLen,
		SignupURL: withNext("/signup", next), SigninURL: shopperSigninURL(next), Alliance: sf.allianceSignins(next)}
	p := &web.Page{Title: title, NoIndex: true, Notice: sf.noticeOf(r), Data: v}
	sf.render(w, r, status, name, sf.site.WithSession(w, r, p))
}

// withNext adds a next parameter to path when next is a local path.
func withNext(path, next string) string {
	if next = safeNext(next); next != "" {
		return path + "?" + url.Values{"next": {next}}.Encode()
	}
	return path
}

// shopperSigninForm is GET /signin/shopper.
func (sf *Storefront) shopperSigninForm(w http.ResponseWriter, r *http.Request) {
	sf.accountPage(w, r, http.StatusOK, "shopper_signin", sf.site.T(r, "account.signin_title"), web.NewForm(), safeNext(r.URL.Query().Get("next")))
}

// shopperSignin checks the e-mail address and password and keeps the
// shopper in a renewed session: POST /signin/shopper.
func (sf *Storefront) shopperSignin(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm()
	email, password := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	f.Set("email", email)
	if email == "" {
		f.Add("email", sf.site.T(r, "signin.enter_email"))
	}
	if password == "" {
		f.Add("password", sf.site.T(r, "signin.enter_password"))
	}
	pair := web.PairKey(email, sf.site.Client(r))
	if wait := sf.signins.Wait(pair); f.OK() && wait > 0 {
		f.Add("password", sf.site.T(r, "signin.too_many", "Wait", web.WaitText(wait)))
		web.RetryAfter(w, wait)
		sf.accountPage(w, r, http.StatusTooManyRequests, "shopper_signin", sf.site.T(r, "account.signin_title"), f, next)
		return
	}
	var sh order.Shopper
	if f.OK() {
		var err error
		sh, err = sf.deps.Shoppers.Authenticate(r.Context(), email, password)
		switch {
		case errors.Is(err, order.ErrBadCredentials):
			msg := sf.site.T(r, "signin.wrong")
			if wait := sf.signins.Failed(pair); wait > 0 {
				msg = sf.site.T(r, "signin.wrong_wait", "Wait", web.WaitText(wait))
			}
			f.Add("password", msg)
		case err != nil:
			sf.site.FailOrder(w, r, err)
			return
		}
	}
	if !f.OK() {
		sf.accountPage(w, r, http.StatusUnprocessableEntity, "shopper_signin", sf.site.T(r, "account.signin_title"), f, next)
		return
	}
	sf.signins.Succeeded(pair)
	sf.signShopperIn(w, r, sh, next, "")
}

// signShopperIn keeps sh in a renewed session, without the cart of
// whoever was signed in before, with the account's latest cart and the
// guest's lines added to it (see mergeGuest), and redirects to next;
// without one, to the cart when there is something to show there (with
// the notice done, or the merge's), and to the home page otherwise. When
// a guest line could not be added in full, the cart says so, whatever
// next was.
func (sf *Storefront) signShopperIn(w http.ResponseWriter, r *http.Request, sh order.Shopper, next, done string) {
	var lines []guestLine
	if sess, ok := sf.sessions.Load(r); ok {
		lines = guestLines(sess)
	}
	cartID, dropped, err := sf.mergeGuest(r.Context(), sh.ID, lines)
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	if sess, ok := sf.sessions.Load(r); ok && len(lines) > 0 {
		sf.carryShipping(r.Context(), sh.ID, cartID, sess)
	}
	if sess, ok := sf.sessions.Load(r); ok {
		sf.adoptAdClicks(r.Context(), sess, sh.ID)
	}
	err = sf.site.RenewSession(w, r, func(s *web.Session) {
		if s.Values == nil {
			s.Values = map[string]string{}
		}
		s.Values[web.ValueShopper] = sh.ID
		delete(s.Values, valueCart)
		delete(s.Values, valueGuest)
		delete(s.Values, valueRates)
		delete(s.Values, valueAdClicks)
		if cartID != "" {
			s.Values[valueCart] = cartID
		}
	})
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	switch {
	case dropped > 0:
		next = "/cart?done=merged-partly"
	case next != "":
	case done != "":
		next = "/cart?done=" + done
	case len(lines) > 0:
		next = "/cart?done=merged"
	default:
		next = "/"
	}
	web.SeeOther(w, r, next)
}

// signupForm is GET /signup.
func (sf *Storefront) signupForm(w http.ResponseWriter, r *http.Request) {
	sf.accountPage(w, r, http.StatusOK, "shopper_signup", sf.site.T(r, "account.signup_title"), web.NewForm(), safeNext(r.URL.Query().Get("next")))
}

// signup opens a shopper account and signs the shopper in: POST /signup.
func (sf *Storefront) signup(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm()
	in := order.ShopperInput{Name: strings.TrimSpace(r.PostForm.Get("name")), Email: strings.TrimSpace(r.PostForm.Get("email")),
		Password: r.PostForm.Get("password"), Lang: sf.shopperLang(r)}
	next := safeNext(r.PostForm.Get("next"))
	f.Set("name", in.Name)
	f.Set("email", in.Email)
	if in.Name == "" {
		f.Add("name", sf.site.T(r, "signin.enter_name"))
	}
	if in.Email == "" {
		f.Add("email", sf.site.T(r, "signin.enter_email"))
	}
	switch n := len(in.Password); {
	case n == 0:
		f.Add("password", sf.site.T(r, "signin.choose_password"))
	case n < order.MinPasswordLen:
		f.Add("password", sf.site.T(r, "signin.password_short", "N", order.MinPasswordLen))
	case n > maxPasswordBytes:
		f.Add("password", sf.site.T(r, "signin.password_long", "N", maxPasswordBytes))
	}
	var sh order.Shopper
	if f.OK() {
		var err error
		sh, _, err = sf.deps.Shoppers.CreateShopper(r.Context(), in)
		if !addFieldErrors(sf.speechOf(r), f, err, accountLabels) && err != nil {
			sf.site.FailOrder(w, r, err)
			return
		}
	}
	if !f.OK() {
		sf.accountPage(w, r, http.StatusUnprocessableEntity, "shopper_signup", sf.site.T(r, "account.signup_title"), f, next)
		return
	}
	sf.signShopperIn(w, r, sh, next, "welcome")
}

// accountLabels are the messages that name the sign-up inputs in the
// order service's messages.
var accountLabels = map[string]string{"name": "refusal.label.name", "email": "refusal.label.email", "password": "refusal.label.password"}

// shopperSignoutForm asks to confirm a sign-out, for pages whose header
// has no form to post it: GET /signout.
func (sf *Storefront) shopperSignoutForm(w http.ResponseWriter, r *http.Request) {
	if !sf.shopperSignedIn(r) {
		web.SeeOther(w, r, "/signin")
		return
	}
	p := &web.Page{Title: sf.site.T(r, "nav.sign_out"), SignedIn: true, NoIndex: true}
	sf.render(w, r, http.StatusOK, "shopper_signout", sf.site.WithSession(w, r, p))
}

// shopperSignout forgets the shopper and the cart, and ends the shopper's
// other sessions too (a copied cookie, another device): POST /signout.
func (sf *Storefront) shopperSignout(w http.ResponseWriter, r *http.Request) {
	if sess, ok := sf.sessions.Load(r); ok && sess.Values[web.ValueShopper] != "" {
		if err := sf.deps.Shoppers.EndSessions(r.Context(), sess.Values[web.ValueShopper]); err != nil {
			sf.site.Fail(w, r, err)
			return
		}
	}
	err := sf.site.RenewSession(w, r, func(s *web.Session) {
		delete(s.Values, web.ValueShopper)
		delete(s.Values, valueCart)
		delete(s.Values, valueGuest)
		delete(s.Values, valueRates)
	})
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/signin/shopper?done=signed-out")
}
