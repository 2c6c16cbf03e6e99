package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func postOffer(t *testing.T, m *webtest.Browser, path string, form url.Values) webtest.Response {
	t.Helper()
	form.Set("csrf", webtest.CSRF(t, m.Get("/merchant/offers")))
	return m.Post(path, form)
}

// TestOffersAreCreatedShownWithTheirUptakeAndEnded: the merchant creates
// an offer from the form (bad input named next to its input), a shopper
// buys with it, the list shows its orders, units and cost, and the
// merchant ends it after a confirmation.
func TestOffersAreCreatedShownWithTheirUptakeAndEnded(t *testing.T) {
	h := newHarness(t)
	pan := h.List(webtest.Input("Cast iron pan", "Forge", "Home > Kitchen", 5000, 20))
	m := h.browser()
	m.SignInMerchant(h.Token)
	day := h.Clock.Now().UTC().Format(time.DateOnly)
	form := url.Values{"name": {"Winter sale"}, "kind": {"percent"}, "percent": {"150"}, "starts": {day}, "ends": {day}}
	r := postOffer(t, m, "/merchant/offers", form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "percent", "Percent off must be between 1 and 10000 basis points, not 15000.")
	webtest.HasFieldError(t, r.Body, "ends", "Ends must be after starts.")
	form.Set("percent", "15")
	form.Set("categories", "Home > Kitchen")
	form.Set("ends", h.Clock.Now().UTC().AddDate(0, 0, 30).Format(time.DateOnly))
	webtest.WantRedirect(t, postOffer(t, m, "/merchant/offers", form), "/merchant/offers?done=created")
	offers, err := h.Self.Cat.Offers(t.Context(), h.Self.ID.String(), h.Merchant.ID)
	if err != nil || len(offers) != 1 || offers[0].PercentBPS != 1500 || offers[0].Categories[0] != "Home > Kitchen" {
		t.Fatalf("the offer: %+v %v", offers, err)
	}
	h.buy(2, pan)
	list := m.Get("/merchant/offers")
	for _, want := range []string{"Winter sale", `<span class="badge live-badge">Live</span>`, "15 % off", "Home &gt; Kitchen",
		`<td data-label="Orders" class="num">1</td>`, `<td data-label="Units" class="num">2</td>`, `<td data-label="Cost to you" class="num offer-cost">€15.00</td>`} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("the offers page lacks %s", want)
		}
	}
	end := "/merchant/offers/" + url.PathEscape(offers[0].ID) + "/end"
	webtest.WantText(t, m.Get(end), "End the offer “Winter sale” (15 % off)?")
	webtest.WantRedirect(t, postOffer(t, m, end, url.Values{}), "/merchant/offers?done=ended")
	if got, _ := h.Self.Cat.Offers(t.Context(), h.Self.ID.String(), h.Merchant.ID); len(got) != 0 {
		t.Errorf("the offer is live after its end: %+v", got)
	}
	webtest.WantStatus(t, m.Get(end), http.StatusNotFound)
	webtest.WantStatus(t, postOffer(t, m, end, url.Values{}), http.StatusNotFound)
	if list := m.Get("/merchant/offers"); !strings.Contains(list.Body, `class="offer-row ended"`) {
		t.Error("the ended offer is not listed as ended")
	}
}

// TestBrowserOffersFitAPhone loads the offers page with an offer and a
// refused form, and the end confirmation, at 1280x900 and 390x844.
func TestBrowserOffersFitAPhone(t *testing.T) {
	h := newHarness(t)
	c := h.serve(t)
	pan := h.List(webtest.Input("Cast iron pan", "Forge", "Home > Kitchen", 5000, 20))
	now := h.Clock.Now()
	o, err := h.Self.Cat.PutOffer(t.Context(), h.Merchant.ID, "", catalog.OfferInput{Name: "Buy two, get one", Kind: catalog.OfferBuyGet, Buy: 2, Get: 1,
		PerOrderLimit: 3, Listings: []string{pan.ID}, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	h.buy(3, pan)
	c.signIn(h.Token)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		c.run("viewport-"+size.name, chromedp.EmulateViewport(size.w, size.h))
		c.run(size.name+"-offers", chromedp.Navigate(c.base+"/merchant/offers"), chromedp.WaitVisible(chromedp.CSS(`table.offers-table`)))
		c.fits(size.name + " offers")
		c.run(size.name+"-offer-refused", chromedp.SetValue(chromedp.CSS(`#f-percent`), "half"), chromedp.Click(chromedp.CSS(`#create-offer`)),
			chromedp.WaitVisible(chromedp.CSS(`.error-summary`)))
		c.fits(size.name + " refused offer form")
		c.run(size.name+"-offer-end", chromedp.Navigate(c.base+"/merchant/offers/"+url.PathEscape(o.ID)+"/end"), chromedp.WaitVisible(chromedp.CSS(`#end-offer`)))
		c.fits(size.name + " end offer")
	}
	if got := eval[string](c, `document.title`); !strings.Contains(got, "End the offer") {
		t.Errorf("the end page's title: %q", got)
	}
}
