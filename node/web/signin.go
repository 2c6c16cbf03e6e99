package web

import (
	"net/http"
	"strings"
)

// Merchants and operators sign in with their bearer tokens, typed into a
// form and kept in the session (the merchant's sealed, the operator's as a
// keyed fingerprint). Each sign-in and sign-out renews the session's ID.

// tokenSignin is what the token sign-in template shows.
type tokenSignin struct {
	Action string // where the form posts
	Label  string // the token input's label
	Hint   string // how to get a token
	Form   *form
}

// notices are the confirmations a redirect may ask a page to show, by the
// "done" query parameter; only these fixed texts are ever shown.
var notices = map[string]string{
	"signed-out": "You are signed out.",
	"created":    "Listing created. It is live and replicating to the federation.",
	"saved":      "Listing saved.",
	"taken-down": "Listing taken down.",
	"stock":      "Stock updated.",
}

// noticeOf is the confirmation r's "done" parameter asks for.
func noticeOf(r *http.Request) string { return notices[r.URL.Query().Get("done")] }

// seeOther redirects after a POST (or to a sign-in) with 303 See Other.
func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// signinPage renders a token sign-in form with status.
func (wb *Web) signinPage(w http.ResponseWriter, r *http.Request, status int, area string, f *form) {
	v := tokenSignin{Action: "/" + area + "/signin", Form: f}
	title := "Merchant sign-in"
	v.Label, v.Hint = "Merchant token", "Your platform's operator gave you this token (it starts with fmm_) when they added you as a merchant."
	if area == "operator" {
		title = "Operator sign-in"
		v.Label, v.Hint = "Operator token", "The operator token is in the node's operator.token file."
	}
	p := &page{Title: title, Area: area, NoIndex: true, Notice: noticeOf(r), Data: v}
	wb.render(w, r, status, "token_signin", wb.withSession(w, r, p))
}

// postedToken reads the token field of a sign-in form, or records that it
// is missing.
func postedToken(r *http.Request, f *form) string {
	t := strings.TrimSpace(r.PostForm.Get("token"))
	if t == "" {
		f.Add("token", "Enter your token.")
	}
	return t
}

// renewSession renews the visitor's session, lets set record who signed in, and
// saves it.
func (wb *Web) renewSession(w http.ResponseWriter, r *http.Request, set func(*session)) error {
	sess, ok := wb.sessions.load(r)
	if !ok {
		sess = wb.sessions.newSession()
	}
	wb.sessions.renew(sess)
	set(sess)
	return wb.sessions.save(w, sess)
}
