package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
)

// asOperator runs h for a visitor signed in with the current operator
// token and sends anyone else to the sign-in page with 303.
func (wb *Web) asOperator(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := wb.sessions.load(r)
		if !ok || !wb.isOperator(sess) {
			seeOther(w, r, "/operator/signin")
			return
		}
		h(w, r, sess)
	}
}

// isOperator reports whether sess signed in with the operator token the
// node has now, after the operator last signed out.
func (wb *Web) isOperator(sess *session) bool {
	if wb.opts.OperatorToken == "" || sess.Operator == "" {
		return false
	}
	want := wb.sessions.fingerprint(wb.opts.OperatorToken)
	if subtle.ConstantTimeCompare([]byte(sess.Operator), []byte(want)) != 1 {
		return false
	}
	live, err := wb.revoked.live(operatorPrincipal, sess)
	if err != nil {
		wb.log.Error("web: reading when the operator signed out", "err", err)
	}
	return live
}

// operatorTokenOK compares a typed token with the operator's in constant
// time (hashing both first, so that not even the length leaks).
func (wb *Web) operatorTokenOK(token string) bool {
	if wb.opts.OperatorToken == "" {
		return false
	}
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(wb.opts.OperatorToken))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// dashboardPage is an operator page with its navigation and CSRF token.
func (wb *Web) dashboardPage(sess *session, title, current string, data any) *page {
	return &page{Title: title, Area: "operator", Nav: nav("operator", current), SignedIn: true,
		NoIndex: true, CSRF: wb.sessions.csrfToken(sess), Data: data}
}

// operatorSigninForm is GET /operator/signin.
func (wb *Web) operatorSigninForm(w http.ResponseWriter, r *http.Request) {
	wb.signinPage(w, r, http.StatusOK, "operator", newForm())
}

// operatorSignin is POST /operator/signin.
func (wb *Web) operatorSignin(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	token := postedToken(r, f)
	if token != "" && !wb.operatorTokenOK(token) {
		f.Add("token", "This is not the operator token of this node.")
	}
	if !f.OK() {
		wb.signinPage(w, r, http.StatusUnprocessableEntity, "operator", f)
		return
	}
	if err := wb.renewSession(w, r, func(s *session) { s.Operator = wb.sessions.fingerprint(token) }); err != nil {
		wb.fail(w, r, err)
		return
	}
	seeOther(w, r, "/operator")
}

// operatorSignout ends every operator session begun until now, this
// browser's and any copy of its cookie: POST /operator/signout.
func (wb *Web) operatorSignout(w http.ResponseWriter, r *http.Request) {
	if sess, ok := wb.sessions.load(r); ok && wb.isOperator(sess) {
		if err := wb.revoked.end(operatorPrincipal); err != nil {
			wb.fail(w, r, err)
			return
		}
	}
	if err := wb.renewSession(w, r, func(s *session) { s.Operator = "" }); err != nil {
		wb.fail(w, r, err)
		return
	}
	seeOther(w, r, "/operator/signin?done=signed-out")
}

// membersPage is what the members template shows.
type membersPage struct {
	Federation string // the federation's name; "" without a charter
	Members    []memberRow
	Interval   int // seconds between live updates
}

// operatorMembers is the dashboard's front page: GET /operator.
func (wb *Web) operatorMembers(w http.ResponseWriter, r *http.Request, sess *session) {
	v := membersPage{Members: wb.memberRows(r.Context()), Interval: int(wb.opts.EventInterval.Seconds())}
	if sc, err := wb.deps.Federation.Charter(); err == nil && sc != nil {
		v.Federation = sc.Charter.Name
	}
	p := wb.dashboardPage(sess, "Members", "/operator", v)
	p.Styles, p.Scripts = []string{"dashboard.css"}, []string{"operator.js"}
	wb.render(w, r, http.StatusOK, "operator_members", p)
}

// operatorMerchants lists this node's merchants: GET /operator/merchants.
func (wb *Web) operatorMerchants(w http.ResponseWriter, r *http.Request, sess *session) {
	list, err := wb.deps.Merchants.Merchants(r.Context())
	if err != nil {
		wb.fail(w, r, err)
		return
	}
	if list == nil {
		list = []catalog.Merchant{}
	}
	wb.render(w, r, http.StatusOK, "operator_merchants", wb.dashboardPage(sess, "Merchants", "/operator/merchants", list))
}
