package dashboard

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// This node's merchants, from the dashboard: the merchants page lists
// them and adds one (its token is shown once, on a page that is never
// cached); each merchant's page renames it, suspends or reinstates it,
// and links to replacing its token. Suspending asks to confirm on a page
// that says what it does to the merchant's live listings and open
// orders, with their counts (see catalog.Catalog.SuspendMerchant). A
// token replaced, or a merchant suspended, stops working at once, for
// the API and for the merchant's console sessions, which look the token
// up at every request.

// maxMerchantName is the longest name the dashboard gives a merchant, as
// the API does.
const maxMerchantName = 100

// merchantRow is one merchant in the merchants table.
type merchantRow struct {
	catalog.Merchant
	URL string
}

// merchantsPage is what the merchants template shows.
type merchantsPage struct {
	Merchants []merchantRow
	Add       *web.Form
}

// merchantPage is what one merchant's template shows.
type merchantPage struct {
	Merchant catalog.Merchant
	URL      string
	// Listings counts its live listings; Open its parts accepted and
	// not shipped yet; OrdersURL lists its parts.
	Listings, Open int
	OrdersURL      string
	Rename         *web.Form
}

// merchantToken is what the token template shows.
type merchantToken struct {
	Merchant catalog.Merchant
	// Token is the new token; "" on the confirmation.
	Token string
	// Added is true when the merchant was just added.
	Added bool
}

// merchantNotices are the confirmations a merchant's page shows after a
// redirect, by its "done" parameter.
var merchantNotices = map[string]string{
	"renamed":    "Merchant renamed.",
	"suspended":  "Merchant suspended. Its token no longer works and its listings cannot be bought until you reinstate it.",
	"reinstated": "Merchant reinstated. Its token works again and its listings can be bought again.",
}

// merchantURL is a merchant's page.
func merchantURL(id string) string { return "/operator/merchants/" + url.PathEscape(id) }

// operatorMerchants lists this node's merchants with the form that adds
// one: GET /operator/merchants.
func (d *Dashboard) operatorMerchants(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	d.merchantsPage(w, r, sess, http.StatusOK, web.NewForm())
}

func (d *Dashboard) merchantsPage(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, add *web.Form) {
	list, err := d.deps.Merchants.Merchants(r.Context())
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	v := merchantsPage{Add: add}
	for _, m := range list {
		v.Merchants = append(v.Merchants, merchantRow{Merchant: m, URL: merchantURL(m.ID)})
	}
	p := d.dashboardPage(sess, "Merchants", "/operator/merchants", v)
	p.Styles = []string{"dashboard.css"}
	d.pages.Render(w, r, status, "operator_merchants", p)
}

// checkMerchantName puts the name typed into f, trimmed, and says what is
// wrong with it next to the input.
func checkMerchantName(r *http.Request, f *web.Form) string {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	f.Set("name", name)
	switch {
	case name == "":
		f.Add("name", "Enter a name for the merchant.")
	case utf8.RuneCountInString(name) > maxMerchantName:
		f.Add("name", "Keep the name to 100 characters or fewer.")
	}
	return name
}

// nameProblem puts the catalog's refusal of a name next to the input;
// ok is false for errors that are not the name's fault.
func nameProblem(err error, f *web.Form) (ok bool) {
	var ve *catalog.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Errors {
		f.Add("name", "The name "+fe.Message+".")
	}
	return true
}

// addMerchant adds a merchant and shows its token, this once: POST
// /operator/merchants.
func (d *Dashboard) addMerchant(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	name := checkMerchantName(r, f)
	if !f.OK() {
		d.merchantsPage(w, r, sess, http.StatusUnprocessableEntity, f)
		return
	}
	m, token, err := d.deps.Merchants.CreateMerchant(r.Context(), name)
	if nameProblem(err, f) {
		d.merchantsPage(w, r, sess, http.StatusUnprocessableEntity, f)
		return
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	p := d.dashboardPage(sess, "Merchant added", "/operator/merchants", merchantToken{Merchant: m, Token: token, Added: true})
	d.pages.Render(w, r, http.StatusCreated, "operator_merchant_token", p)
}

// merchantOf reads the merchant the path names, answering the page's
// failure (404 for an unknown one) itself when it cannot.
func (d *Dashboard) merchantOf(w http.ResponseWriter, r *http.Request) (catalog.Merchant, bool) {
	m, err := d.deps.Merchants.Merchant(r.Context(), r.PathValue("id"))
	if errors.Is(err, catalog.ErrNotFound) {
		d.site.NotFound(w, r)
		return m, false
	}
	if err != nil {
		d.site.Fail(w, r, err)
		return m, false
	}
	return m, true
}

// operatorMerchant shows one merchant: GET /operator/merchants/{id}.
func (d *Dashboard) operatorMerchant(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	m, ok := d.merchantOf(w, r)
	if !ok {
		return
	}
	f := web.NewForm()
	f.Set("name", m.Name)
	d.merchantPage(w, r, sess, http.StatusOK, m, f)
}

func (d *Dashboard) merchantPage(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, m catalog.Merchant, rename *web.Form) {
	v, err := d.merchantPageOf(r.Context(), m)
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	v.Rename = rename
	p := d.dashboardPage(sess, m.Name, "/operator/merchants", v)
	p.Styles = []string{"dashboard.css"}
	if status == http.StatusOK {
		p.Notice = merchantNotices[r.URL.Query().Get("done")]
	}
	d.pages.Render(w, r, status, "operator_merchant", p)
}

// merchantPageOf counts what a suspension would touch.
func (d *Dashboard) merchantPageOf(ctx context.Context, m catalog.Merchant) (merchantPage, error) {
	v := merchantPage{Merchant: m, URL: merchantURL(m.ID),
		OrdersURL: "/operator/orders?" + url.Values{"merchant": {m.ID}}.Encode()}
	var err error
	if v.Listings, err = d.deps.Merchants.MerchantListingCount(ctx, m.ID); err != nil {
		return v, err
	}
	t, err := d.deps.Orders.Totals(ctx, order.PartFilter{Merchant: m.ID, Member: d.deps.Merchants.Platform(), Role: order.RoleHome,
		Status: order.StatusAccepted})
	v.Open = t.Parts
	return v, err
}

// renameMerchant gives a merchant another name: POST
// /operator/merchants/{id}/name.
func (d *Dashboard) renameMerchant(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	m, ok := d.merchantOf(w, r)
	if !ok {
		return
	}
	f := web.NewForm()
	name := checkMerchantName(r, f)
	if f.OK() {
		_, err := d.deps.Merchants.RenameMerchant(r.Context(), m.ID, name)
		if err != nil && !nameProblem(err, f) {
			d.site.Fail(w, r, err)
			return
		}
	}
	if !f.OK() {
		d.merchantPage(w, r, sess, http.StatusUnprocessableEntity, m, f)
		return
	}
	web.SeeOther(w, r, merchantURL(m.ID)+"?done=renamed")
}

// suspendForm says what suspending a merchant does, with the counts of
// what it touches, and asks to confirm: GET
// /operator/merchants/{id}/suspend.
func (d *Dashboard) suspendForm(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	m, ok := d.merchantOf(w, r)
	if !ok {
		return
	}
	if m.Suspended() {
		web.SeeOther(w, r, merchantURL(m.ID))
		return
	}
	v, err := d.merchantPageOf(r.Context(), m)
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	p := d.dashboardPage(sess, "Suspend "+m.Name+"?", "/operator/merchants", v)
	d.pages.Render(w, r, http.StatusOK, "operator_merchant_suspend", p)
}

// suspendMerchant suspends a merchant: POST
// /operator/merchants/{id}/suspend.
func (d *Dashboard) suspendMerchant(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	d.setSuspended(w, r, d.deps.Merchants.SuspendMerchant, "suspended")
}

// reinstateMerchant ends a merchant's suspension: POST
// /operator/merchants/{id}/reinstate.
func (d *Dashboard) reinstateMerchant(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	d.setSuspended(w, r, d.deps.Merchants.ReinstateMerchant, "reinstated")
}

func (d *Dashboard) setSuspended(w http.ResponseWriter, r *http.Request, change func(context.Context, string) (catalog.Merchant, error), done string) {
	m, ok := d.merchantOf(w, r)
	if !ok {
		return
	}
	if _, err := change(r.Context(), m.ID); err != nil {
		d.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, merchantURL(m.ID)+"?done="+done)
}

// merchantTokenForm asks to confirm: GET /operator/merchants/{id}/token.
func (d *Dashboard) merchantTokenForm(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	m, ok := d.merchantOf(w, r)
	if !ok {
		return
	}
	p := d.dashboardPage(sess, "Replace a merchant's token", "/operator/merchants", merchantToken{Merchant: m})
	d.pages.Render(w, r, http.StatusOK, "operator_merchant_token", p)
}

// rotateMerchantToken replaces the token and shows the new one: POST
// /operator/merchants/{id}/token.
func (d *Dashboard) rotateMerchantToken(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	m, ok := d.merchantOf(w, r)
	if !ok {
		return
	}
	token, err := d.deps.Merchants.RotateMerchantToken(r.Context(), m.ID)
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	p := d.dashboardPage(sess, "New merchant token", "/operator/merchants", merchantToken{Merchant: m, Token: token})
	d.pages.Render(w, r, http.StatusOK, "operator_merchant_token", p)
}
