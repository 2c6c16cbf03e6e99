package dashboard

import (
	"net/http"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// Replacing a merchant's token from the dashboard: the merchants page
// links each merchant to a confirmation (GET), whose form replaces the
// token (POST) and shows the new one, this once, on a page that is never
// cached. The old token stops working at once, for the API and for the
// merchant's console sessions, which look the token up at every request.

// merchantToken is what the token template shows.
type merchantToken struct {
	Merchant catalog.Merchant
	// Token is the new token; "" on the confirmation.
	Token string
}

// merchantTokenForm asks to confirm: GET /operator/merchants/{id}/token.
func (d *Dashboard) merchantTokenForm(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	m, err := d.deps.Merchants.Merchant(r.Context(), r.PathValue("id"))
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	p := d.dashboardPage(sess, "Replace a merchant's token", "/operator/merchants", merchantToken{Merchant: m})
	d.pages.Render(w, r, http.StatusOK, "operator_merchant_token", p)
}

// rotateMerchantToken replaces the token and shows the new one: POST
// /operator/merchants/{id}/token.
func (d *Dashboard) rotateMerchantToken(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	m, err := d.deps.Merchants.Merchant(r.Context(), r.PathValue("id"))
	if err != nil {
		d.site.Fail(w, r, err)
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
