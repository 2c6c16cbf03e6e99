package storefront

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// A shopper whose account lives on another member signs in here with
// "Sign in with <member>" (OpenID Connect, authorization code with PKCE):
// GET /signin/with/{peer} sends the browser to the member's provider,
// which sends it back to GET /signin/alliance/callback, where the ID
// token is verified against the charter and the local shopper linked to
// (issuer, subject) is signed in (Shoppers.LinkedShopper). Such a session
// ends at the next request once the issuer is no longer an active member
// (shopperOf).
//
// As the provider of its own shoppers, this storefront shows GET
// /signin/alliance/approve: the shopper signs in here if needed and
// approves the member that asks; the POST hands the request back to the
// provider, which sends the code to that member.

// AllianceMember is another member a shopper may sign in with, or a
// storefront its shoppers ordered on.
type AllianceMember struct {
	PeerID, Name string
	// API is the member's charter URL (its storefront).
	API string
}

// AllianceIdentity is a shopper as their home member vouches for them.
type AllianceIdentity struct {
	Issuer, Subject, Name, Email string
	// Next is the local path the sign-in began from.
	Next string
	// IDToken is the verified ID token, kept as the shopper's leave to
	// spend its points here.
	IDToken string
}

// AllianceRequest is another member's request to know one of this
// node's shoppers.
type AllianceRequest struct {
	ID, ClientName, ClientAPI string
}

// Alliance is the node's OpenID Connect roles, both optional in tests.
type Alliance interface {
	// Providers are the other active members, in charter order.
	Providers() []AllianceMember
	// Active reports whether a member is an active one now.
	Active(peer string) bool
	// Member returns a member of the charter in force, whatever its
	// status.
	Member(peer string) (AllianceMember, bool)
	// Begin starts a sign-in with a member for the browser session bind
	// and returns where to send the browser.
	Begin(ctx context.Context, issuer, bind, next string) (string, error)
	// Finish verifies the member's answer for the same session.
	Finish(ctx context.Context, state, code, bind string) (AllianceIdentity, error)
	// Request is a pending request of another member; Approve lets it
	// know subject and returns where the browser goes next.
	Request(ctx context.Context, id string) (AllianceRequest, error)
	Approve(ctx context.Context, id, subject string) (string, error)
}

// allianceView is what the sign-in page shows of the alliance.
type allianceView struct {
	Name string
	URL  string
}

// allianceSignins are the "Sign in with" links of the sign-in page.
func (sf *Storefront) allianceSignins(next string) []allianceView {
	if sf.deps.Alliance == nil {
		return nil
	}
	var out []allianceView
	for _, m := range sf.deps.Alliance.Providers() {
		out = append(out, allianceView{Name: m.Name, URL: withNext("/signin/with/"+url.PathEscape(m.PeerID), next)})
	}
	return out
}

// signinWith sends the browser to a member's sign-in: GET
// /signin/with/{peer}.
func (sf *Storefront) signinWith(w http.ResponseWriter, r *http.Request) {
	if sf.deps.Alliance == nil {
		sf.site.NotFound(w, r)
		return
	}
	sess, err := sf.sessions.Start(w, r)
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	next, peer := safeNext(r.URL.Query().Get("next")), r.PathValue("peer")
	if !sf.deps.Alliance.Active(peer) {
		name := sf.site.T(r, "signin.that_platform")
		if m, ok := sf.deps.Alliance.Member(peer); ok {
			name = m.Name
		}
		sf.allianceFailed(w, r, next, sf.site.T(r, "signin.not_member", "Name", name))
		return
	}
	u, err := sf.deps.Alliance.Begin(r.Context(), peer, sess.ID, next)
	if err != nil {
		sf.allianceFailed(w, r, next, sf.site.T(r, "signin.member_cannot", "Why", err.Error()))
		return
	}
	web.SeeOther(w, r, u)
}

// allianceCallback signs in the shopper a member vouched for: GET
// /signin/alliance/callback.
func (sf *Storefront) allianceCallback(w http.ResponseWriter, r *http.Request) {
	if sf.deps.Alliance == nil {
		sf.site.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		msg := sf.site.T(r, "signin.not_completed", "Code", e)
		if d := q.Get("error_description"); d != "" {
			msg = sf.site.T(r, "signin.not_completed_why", "Code", e, "Why", d)
		}
		sf.allianceFailed(w, r, "", msg)
		return
	}
	sess, ok := sf.sessions.Load(r)
	if !ok {
		sf.allianceFailed(w, r, "", sf.site.T(r, "signin.session_ended"))
		return
	}
	id, err := sf.deps.Alliance.Finish(r.Context(), q.Get("state"), q.Get("code"), sess.ID)
	if err != nil {
		sf.allianceFailed(w, r, "", sf.site.T(r, "signin.not_verified", "Why", err.Error()))
		return
	}
	sh, err := sf.deps.Shoppers.LinkedShopper(r.Context(), order.Link{Issuer: id.Issuer, Subject: id.Subject, Name: id.Name,
		Email: id.Email, Lang: sf.shopperLang(r), Leave: []byte(id.IDToken)})
	if err != nil {
		sf.site.FailOrder(w, r, err)
		return
	}
	sf.signShopperIn(w, r, sh, safeNext(id.Next), "")
}

// allianceFailed shows the shopper sign-in page with what went wrong.
func (sf *Storefront) allianceFailed(w http.ResponseWriter, r *http.Request, next, msg string) {
	f := web.NewForm()
	f.Add("", msg)
	sf.accountPage(w, r, http.StatusBadRequest, "shopper_signin", sf.site.T(r, "account.signin_title"), f, next)
}

// approveView is what the approval page shows.
type approveView struct {
	Request AllianceRequest
	Shopper order.Shopper
	// Host is the asking member's host, as its charter URL names it.
	Host string
	// Elsewhere is set when the signed-in account is itself linked to
	// another member: this node does not vouch for it.
	Elsewhere bool
}

// approveForm asks the signed-in shopper to let a member know them: GET
// /signin/alliance/approve?id=.
func (sf *Storefront) approveForm(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	sf.renderApprove(w, r, sv, r.URL.Query().Get("id"))
}

func (sf *Storefront) renderApprove(w http.ResponseWriter, r *http.Request, sv shopperVisit, id string) {
	if sf.deps.Alliance == nil {
		sf.site.NotFound(w, r)
		return
	}
	req, err := sf.deps.Alliance.Request(r.Context(), id)
	if err != nil {
		sf.site.Status(w, r, http.StatusBadRequest, sf.site.T(r, "signin.request_invalid"), sf.site.T(r, "signin.request_invalid_text"))
		return
	}
	v := approveView{Request: req, Shopper: sv.shopper, Elsewhere: sv.shopper.Issuer != ""}
	if u, err := url.Parse(req.ClientAPI); err == nil {
		v.Host = u.Host
		// The approval's redirect chain ends at the member's callback:
		// the page's form may go there.
		w.Header().Set("Content-Security-Policy", strings.Replace(w.Header().Get("Content-Security-Policy"),
			"form-action 'self'", "form-action 'self' "+u.Scheme+"://"+u.Host, 1))
	}
	sf.render(w, r, http.StatusOK, "alliance_approve", sf.shopperPage(sv, sf.site.T(r, "signin.sign_in_to", "Name", req.ClientName), v))
}

// approve lets the member know the signed-in shopper: POST
// /signin/alliance/approve.
func (sf *Storefront) approve(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	if sf.deps.Alliance == nil {
		sf.site.NotFound(w, r)
		return
	}
	id := r.PostForm.Get("id")
	if sv.shopper.Issuer != "" {
		sf.renderApprove(w, r, sv, id)
		return
	}
	next, err := sf.deps.Alliance.Approve(r.Context(), id, sv.shopper.ID)
	if err != nil {
		sf.renderApprove(w, r, sv, id)
		return
	}
	web.SeeOther(w, r, next)
}

// endedByAlliance reports whether sh signed in through a member that is
// no longer an active one: its session ends.
func (sf *Storefront) endedByAlliance(sh order.Shopper) bool {
	return sh.Issuer != "" && (sf.deps.Alliance == nil || !sf.deps.Alliance.Active(sh.Issuer))
}

var errAllianceEnded = errors.New("storefront: the shopper's home is no longer an active member")

// remoteOrdersShown bounds the orders placed on other members that the
// orders page lists.
const remoteOrdersShown = 50

// remoteOrderRow is an order the shopper placed on another member.
type remoteOrderRow struct {
	ID, Member, Total string
	// URL is the order's page on that member's storefront; "" when the
	// member is no longer in the charter.
	URL    string
	Placed time.Time
}

// remoteOrders lists the orders the shopper placed on other members'
// storefronts, newest first, each linking to its page there.
func (sf *Storefront) remoteOrders(ctx context.Context, sh order.Shopper) ([]remoteOrderRow, error) {
	if sh.Issuer != "" || sf.deps.Alliance == nil { // a shopper of another member sees those at home
		return nil, nil
	}
	list, err := sf.deps.Orders.RemoteOrders(ctx, sh.ID, remoteOrdersShown)
	if err != nil {
		return nil, err
	}
	var out []remoteOrderRow
	for _, ro := range list {
		row := remoteOrderRow{ID: ro.Order, Member: "a former member", Total: web.FormatMoney(ro.Total.Amount, ro.Total.Currency), Placed: ro.PlacedAt}
		if m, ok := sf.deps.Alliance.Member(ro.Member); ok {
			row.Member = m.Name
			if u, err := url.Parse(m.API); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
				row.URL = strings.TrimRight(m.API, "/") + orderURL(ro.Order)
			}
		}
		out = append(out, row)
	}
	return out, nil
}
