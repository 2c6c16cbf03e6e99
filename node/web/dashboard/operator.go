package dashboard

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"

	"github.com/fedmart/fedmart/node/web"
)

// asOperator runs h for a visitor signed in with the current operator
// token and sends anyone else to the sign-in page with 303.
func (d *Dashboard) asOperator(h func(http.ResponseWriter, *http.Request, *web.Session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := d.sessions.Load(r)
		if !ok || !d.isOperator(sess) {
			web.SeeOther(w, r, "/operator/signin")
			return
		}
		h(w, r, sess)
	}
}

// isOperator reports whether sess signed in with the operator token the
// node has now, after the operator last signed out.
func (d *Dashboard) isOperator(sess *web.Session) bool {
	if d.opts.OperatorToken == "" || sess.Operator == "" {
		return false
	}
	want := d.sessions.Fingerprint(d.opts.OperatorToken)
	if subtle.ConstantTimeCompare([]byte(sess.Operator), []byte(want)) != 1 {
		return false
	}
	live, err := d.site.SessionLive(principal, sess)
	if err != nil {
		d.site.Log().Error("web: reading when the operator signed out", "err", err)
	}
	return live
}

// operatorTokenOK compares a typed token with the operator's in constant
// time (hashing both first, so that not even the length leaks).
func (d *Dashboard) operatorTokenOK(token string) bool {
	if d.opts.OperatorToken == "" {
		return false
	}
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(d.opts.OperatorToken))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// dashboardPage is an operator page with its navigation and CSRF token.
func (d *Dashboard) dashboardPage(sess *web.Session, title, current string, data any) *web.Page {
	items := withSponsored(nav(current, d.deps.Coupons != nil, d.deps.Reviews != nil), current)
	if d.deps.Content != nil {
		items = append(items[:len(items)-1:len(items)-1], web.NavItem{Label: "Pages and help", Href: "/operator/pages", Current: current == "/operator/pages"}, items[len(items)-1])
	}
	return &web.Page{Title: title, Area: "operator", Nav: items, SignedIn: true,
		NoIndex: true, CSRF: d.sessions.CSRFToken(sess), Data: data}
}

// principal names the operator, whose sessions end together (see
// web.Site.EndSessions).
const principal = "operator"

// signin is the dashboard's token sign-in page, with the notice r asks for.
func signin(r *http.Request) web.TokenSignin {
	return web.TokenSignin{Title: "Operator sign-in", Area: "operator", Label: "Operator token",
		Hint: "The operator token is in the node's operator.token file.", Notice: web.NoticeIn(r, notices)}
}

// notices are the confirmations a redirect may ask the sign-in page to
// show, by the "done" query parameter.
var notices = map[string]string{"signed-out": web.SignedOut}

// operatorSigninForm is GET /operator/signin.
func (d *Dashboard) operatorSigninForm(w http.ResponseWriter, r *http.Request) {
	d.site.RenderTokenSignin(w, r, http.StatusOK, signin(r), web.NewForm())
}

// operatorSignin is POST /operator/signin.
func (d *Dashboard) operatorSignin(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm()
	token := web.PostedToken(r, f)
	if token != "" && !d.operatorTokenOK(token) {
		f.Add("token", "This is not the operator token of this node.")
	}
	if !f.OK() {
		d.site.RenderTokenSignin(w, r, http.StatusUnprocessableEntity, signin(r), f)
		return
	}
	if err := d.site.RenewSession(w, r, func(s *web.Session) { s.Operator = d.sessions.Fingerprint(token) }); err != nil {
		d.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/operator")
}

// operatorSignout ends every operator session begun until now, this
// browser's and any copy of its cookie: POST /operator/signout.
func (d *Dashboard) operatorSignout(w http.ResponseWriter, r *http.Request) {
	if sess, ok := d.sessions.Load(r); ok && d.isOperator(sess) {
		if err := d.site.EndSessions(principal); err != nil {
			d.site.Fail(w, r, err)
			return
		}
	}
	if err := d.site.RenewSession(w, r, func(s *web.Session) { s.Operator = "" }); err != nil {
		d.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/operator/signin?done=signed-out")
}

// membersPage is what the members template shows.
type membersPage struct {
	Federation string // the federation's name; "" without a charter
	Members    []memberRow
	Interval   int // seconds between live updates
}

// operatorMembers shows the members: GET /operator/members.
func (d *Dashboard) operatorMembers(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	v := membersPage{Members: d.memberRows(r.Context()), Interval: int(d.opts.EventInterval.Seconds())}
	if sc, err := d.deps.Federation.Charter(); err == nil && sc != nil {
		v.Federation = sc.Charter.Name
	}
	p := d.dashboardPage(sess, "Members", "/operator/members", v)
	p.Styles, p.Scripts = []string{"dashboard.css"}, []string{"operator.js"}
	d.pages.Render(w, r, http.StatusOK, "operator_members", p)
}
