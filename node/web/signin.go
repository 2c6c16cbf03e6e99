package web

import (
	"net/http"
	"strings"
)

// Merchants and operators sign in with their bearer tokens, typed into a
// form and kept in the session (the merchant's sealed, the operator's as a
// keyed fingerprint); shoppers with a password. Each sign-in and sign-out
// renews the session's ID.

// TokenSignin is the token sign-in page of an area: what the console and
// the dashboard each show at /<area>/signin.
type TokenSignin struct {
	// Title is the page's title.
	Title string
	// Area is "merchant" or "operator"; the form posts to /<area>/signin.
	Area string
	// Label is the token input's label, Hint says how to get a token.
	Label, Hint string
	// Notice is a confirmation shown above the form (after a sign-out).
	Notice string
}

// tokenSigninView is what the token sign-in template shows.
type tokenSigninView struct {
	Action string // where the form posts
	Label  string // the token input's label
	Hint   string // how to get a token
	Form   *Form
}

// SignedOut is the notice a sign-in page shows after a sign-out
// (?done=signed-out).
const SignedOut = "You are signed out."

// NoticeIn is the confirmation r's "done" parameter asks for, from one
// page family's fixed texts: only these are ever shown.
func NoticeIn(r *http.Request, texts map[string]string) string {
	return texts[r.URL.Query().Get("done")]
}

// SeeOther redirects after a POST (or to a sign-in) with 303 See Other.
func SeeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// RenderTokenSignin renders a token sign-in form with status.
func (s *Site) RenderTokenSignin(w http.ResponseWriter, r *http.Request, status int, ts TokenSignin, f *Form) {
	v := tokenSigninView{Action: "/" + ts.Area + "/signin", Label: ts.Label, Hint: ts.Hint, Form: f}
	p := &Page{Title: ts.Title, Area: ts.Area, NoIndex: true, Notice: ts.Notice, Data: v}
	s.pages.Render(w, r, status, "token_signin", s.WithSession(w, r, p))
}

// PostedToken reads the token field of a sign-in form, or records that
// it is missing.
func PostedToken(r *http.Request, f *Form) string {
	t := strings.TrimSpace(r.PostForm.Get("token"))
	if t == "" {
		f.Add("token", "Enter your token.")
	}
	return t
}

// RenewSession renews the visitor's session, lets set record who signed
// in (or out), and saves it.
func (s *Site) RenewSession(w http.ResponseWriter, r *http.Request, set func(*Session)) error {
	sess, ok := s.sessions.Load(r)
	if !ok {
		sess = s.sessions.New()
	}
	s.sessions.Renew(sess)
	set(sess)
	return s.sessions.Save(w, sess)
}
