package web

import (
	"errors"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
)

// sealMerchant labels the merchant token sealed in the session.
const sealMerchant = "merchant-token"

// merchantVisit is a request of a signed-in merchant.
type merchantVisit struct {
	sess     *session
	merchant catalog.Merchant
}

// asMerchant runs h for a signed-in merchant and sends anyone else to the
// sign-in page with 303. The token is looked up at every request, so a
// rotated token ends its sessions at once, and so does the merchant's
// sign-out anywhere.
func (wb *Web) asMerchant(h func(http.ResponseWriter, *http.Request, merchantVisit)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mv, ok, err := wb.merchantOf(w, r)
		if err != nil {
			wb.fail(w, r, err)
			return
		}
		if !ok {
			seeOther(w, r, "/merchant/signin")
			return
		}
		h(w, r, mv)
	}
}

// merchantOf returns the request's signed-in merchant, false when there
// is none. A session whose token no longer works, or that began before
// the merchant last signed out, forgets the merchant.
func (wb *Web) merchantOf(w http.ResponseWriter, r *http.Request) (merchantVisit, bool, error) {
	sess, ok := wb.sessions.load(r)
	token := ""
	if ok && sess.Merchant != "" {
		token, ok = wb.sessions.open(sealMerchant, sess.Merchant)
	}
	if !ok || token == "" {
		return merchantVisit{}, false, nil
	}
	m, err := wb.deps.Merchants.MerchantByToken(r.Context(), token)
	live := err == nil
	if live {
		if live, err = wb.revoked.live(merchantPrincipal(m.ID), sess); err != nil {
			return merchantVisit{}, false, err
		}
	}
	if !live && (err == nil || errors.Is(err, catalog.ErrNotFound)) {
		sess.Merchant = ""
		return merchantVisit{}, false, wb.sessions.save(w, sess)
	}
	if err != nil {
		return merchantVisit{}, false, err
	}
	return merchantVisit{sess: sess, merchant: m}, true, nil
}

// consolePage is a merchant console page with its navigation and the
// session's CSRF token.
func (wb *Web) consolePage(mv merchantVisit, title, current string, data any) *page {
	return &page{Title: title, Area: "merchant", Nav: nav("merchant", current), SignedIn: true,
		NoIndex: true, CSRF: wb.sessions.csrfToken(mv.sess), Data: data}
}

// merchantSigninForm is GET /merchant/signin.
func (wb *Web) merchantSigninForm(w http.ResponseWriter, r *http.Request) {
	wb.signinPage(w, r, http.StatusOK, "merchant", newForm())
}

// merchantSignin checks the token and keeps it, sealed, in the session:
// POST /merchant/signin.
func (wb *Web) merchantSignin(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	token := postedToken(r, f)
	if token != "" {
		_, err := wb.deps.Merchants.MerchantByToken(r.Context(), token)
		switch {
		case errors.Is(err, catalog.ErrNotFound):
			f.Add("token", "This is not the token of a merchant of this platform.")
		case err != nil:
			wb.fail(w, r, err)
			return
		}
	}
	if !f.OK() {
		wb.signinPage(w, r, http.StatusUnprocessableEntity, "merchant", f)
		return
	}
	if err := wb.renewSession(w, r, func(s *session) { s.Merchant = wb.sessions.seal(sealMerchant, token) }); err != nil {
		wb.fail(w, r, err)
		return
	}
	seeOther(w, r, "/merchant")
}

// merchantSignout forgets the merchant and ends its other sessions too
// (a copied cookie, another device): POST /merchant/signout.
func (wb *Web) merchantSignout(w http.ResponseWriter, r *http.Request) {
	mv, ok, err := wb.merchantOf(w, r)
	if err == nil && ok {
		err = wb.revoked.end(merchantPrincipal(mv.merchant.ID))
	}
	if err != nil {
		wb.fail(w, r, err)
		return
	}
	if err := wb.renewSession(w, r, func(s *session) { s.Merchant = "" }); err != nil {
		wb.fail(w, r, err)
		return
	}
	seeOther(w, r, "/merchant/signin?done=signed-out")
}
