package console

import (
	"errors"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// sealMerchant labels the merchant token sealed in the session.
const sealMerchant = "merchant-token"

// principal names a merchant whose sessions end together (see
// web.Site.EndSessions).
func principal(merchantID string) string { return "merchant/" + merchantID }

// merchantVisit is a request of a signed-in merchant.
type merchantVisit struct {
	sess     *web.Session
	merchant catalog.Merchant
}

// asMerchant runs h for a signed-in merchant and sends anyone else to the
// sign-in page with 303. The token is looked up at every request, so a
// rotated token ends its sessions at once, and so does the merchant's
// sign-out anywhere.
func (c *Console) asMerchant(h func(http.ResponseWriter, *http.Request, merchantVisit)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		mv, ok, err := c.merchantOf(w, r)
		if err != nil {
			c.site.Fail(w, r, err)
			return
		}
		if !ok {
			web.SeeOther(w, r, "/merchant/signin")
			return
		}
		h(w, r, mv)
	}
}

// merchantOf returns the request's signed-in merchant, false when there
// is none. A session whose token no longer works, or that began before
// the merchant last signed out, forgets the merchant.
func (c *Console) merchantOf(w http.ResponseWriter, r *http.Request) (merchantVisit, bool, error) {
	sess, ok := c.sessions.Load(r)
	token := ""
	if ok && sess.Merchant != "" {
		token, ok = c.sessions.Open(sealMerchant, sess.Merchant)
	}
	if !ok || token == "" {
		return merchantVisit{}, false, nil
	}
	m, err := c.deps.Merchants.MerchantByToken(r.Context(), token)
	live := err == nil
	if live {
		if live, err = c.site.SessionLive(principal(m.ID), sess); err != nil {
			return merchantVisit{}, false, err
		}
	}
	if !live && (err == nil || errors.Is(err, catalog.ErrNotFound)) {
		sess.Merchant = ""
		return merchantVisit{}, false, c.sessions.Save(w, sess)
	}
	if err != nil {
		return merchantVisit{}, false, err
	}
	return merchantVisit{sess: sess, merchant: m}, true, nil
}

// consolePage is a merchant console page with its navigation, the
// merchant's name in the header, its style sheet and the session's CSRF
// token.
func (c *Console) consolePage(mv merchantVisit, title, current string, data any) *web.Page {
	return &web.Page{Title: title, Area: "merchant", Nav: c.withCampaigns(nav(current, c.deps.Profiles != nil, c.offers(), c.deps.Reviews != nil), current), SignedIn: true, Account: mv.merchant.Name,
		NoIndex: true, CSRF: c.sessions.CSRFToken(mv.sess), Styles: []string{"console.css"}, Help: c.helpFor(current), Data: data}
}

// signin is the console's token sign-in page, with the notice r asks for.
func signin(r *http.Request) web.TokenSignin {
	return web.TokenSignin{Title: "Merchant sign-in", Area: "merchant", Label: "Merchant token",
		Hint:   "Your platform's operator gave you this token (it starts with fmm_) when they added you as a merchant.",
		Notice: web.NoticeIn(r, notices)}
}

// notices are the confirmations a redirect may ask a console page to
// show, by the "done" query parameter; only these fixed texts are ever
// shown.
var notices = map[string]string{
	"signed-out": web.SignedOut,
	"created":    "Listing created. It is live and replicating to the federation.",
	"saved":      "Listing saved.",
	"taken-down": "Listing taken down.",
	"stock":      "Stock updated.",
	"bulk":       "Your change is applied. The listings are signed again and replicating to the federation.",
}

// merchantSigninForm is GET /merchant/signin.
func (c *Console) merchantSigninForm(w http.ResponseWriter, r *http.Request) {
	c.site.RenderTokenSignin(w, r, http.StatusOK, signin(r), web.NewForm())
}

// merchantSignin checks the token and keeps it, sealed, in the session:
// POST /merchant/signin.
func (c *Console) merchantSignin(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm()
	token := web.PostedToken(r, f)
	if token != "" {
		_, err := c.deps.Merchants.MerchantByToken(r.Context(), token)
		switch {
		case errors.Is(err, catalog.ErrNotFound):
			f.Add("token", "This is not the token of a merchant of this platform.")
		case err != nil:
			c.site.Fail(w, r, err)
			return
		}
	}
	if !f.OK() {
		c.site.RenderTokenSignin(w, r, http.StatusUnprocessableEntity, signin(r), f)
		return
	}
	if err := c.site.RenewSession(w, r, func(s *web.Session) { s.Merchant = c.sessions.Seal(sealMerchant, token) }); err != nil {
		c.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/merchant")
}

// merchantSignout forgets the merchant and ends its other sessions too
// (a copied cookie, another device): POST /merchant/signout.
func (c *Console) merchantSignout(w http.ResponseWriter, r *http.Request) {
	mv, ok, err := c.merchantOf(w, r)
	if err == nil && ok {
		err = c.site.EndSessions(principal(mv.merchant.ID))
	}
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	if err := c.site.RenewSession(w, r, func(s *web.Session) { s.Merchant = "" }); err != nil {
		c.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/merchant/signin?done=signed-out")
}
