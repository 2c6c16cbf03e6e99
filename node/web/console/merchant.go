package console

import (
	"errors"
	"net/http"
	"strings"

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
func (c *Console) signin(r *http.Request) web.TokenSignin {
	l := c.site.Locale(r)
	return web.TokenSignin{Title: l.T("console.signin.title"), Area: "merchant", Label: l.T("console.signin.token"),
		Hint: l.T("console.signin.hint"), Notice: c.notice(r, notices)}
}

// notices are the confirmations a redirect may ask a console page to
// show, by the "done" query parameter; only these fixed texts are ever
// shown.
var notices = map[string]string{
	"signed-out": "console.notice.signed_out",
	"created":    "console.notice.created",
	"saved":      "console.notice.saved",
	"taken-down": "console.notice.taken_down",
	"stock":      "console.notice.stock",
	"bulk":       "console.notice.bulk",
}

// notice is the confirmation r's "done" asks for among texts, in r's
// language: a text that is a message id ("console.…") is written in it,
// another is shown as it is.
func (c *Console) notice(r *http.Request, texts map[string]string) string {
	n := web.NoticeIn(r, texts)
	if strings.HasPrefix(n, "console.") {
		return c.site.T(r, n)
	}
	return n
}

// merchantSigninForm is GET /merchant/signin.
func (c *Console) merchantSigninForm(w http.ResponseWriter, r *http.Request) {
	c.site.RenderTokenSignin(w, r, http.StatusOK, c.signin(r), web.NewForm())
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
			f.Add("token", c.site.T(r, "console.signin.unknown_token"))
		case err != nil:
			c.site.Fail(w, r, err)
			return
		}
	}
	if !f.OK() {
		c.site.RenderTokenSignin(w, r, http.StatusUnprocessableEntity, c.signin(r), f)
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
