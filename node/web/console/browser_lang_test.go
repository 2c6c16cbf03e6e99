package console

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserConsoleInChinese: in Chromium, the merchant picks 简体中文
// in the console's header; the listings, orders, campaigns and offers
// pages then read Chinese at 1280x900 and 390x844, fit both, and pass
// axe-core's rules; a listing sent without a title is refused with the title named
// in Chinese next to its input.
func TestBrowserConsoleInChinese(t *testing.T) {
	h := newAdsHarness(t)
	lamp := h.List(webtest.Input("Adjustable brass desk lamp with a linen shade", "Acme", "Home > Lighting", 4990, 5))
	_, at := h.buy(2, lamp)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	now := h.Clock.Now()
	if _, err := h.Self.Cat.PutCampaign(t.Context(), h.Merchant.ID, "", catalog.CampaignInput{Name: "Spring lamps", Keywords: []string{"lamp", "brass"},
		TotalBudget: 10000, DailyBudget: 2000, FeeBPS: 250, Categories: []string{"Home > Lighting"}, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 0, 7)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Self.Cat.PutOffer(t.Context(), h.Merchant.ID, "", catalog.OfferInput{Name: "Buy two, get one", Kind: catalog.OfferBuyGet, Buy: 2, Get: 1,
		PerOrderLimit: 3, Listings: []string{lamp.ID}, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	c := h.serve(t)
	check := webtest.NewPageChecker(t)
	checked := func(page string) {
		t.Helper()
		c.fits(page)
		ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
		defer cancel()
		found, err := check.Check(ctx)
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		for _, f := range found {
			t.Errorf("%s: %s", page, f)
		}
	}
	c.signIn(h.Token)
	c.run("pick-chinese", chromedp.Click(chromedp.CSS(`header.site .languages a[lang="zh-CN"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] table.listings-table`)))
	if got := eval[string](c, `document.querySelector('h1').textContent`); got != "我的商品" {
		t.Errorf("after the selector the heading reads %q", got)
	}
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		c.run("viewport-"+size.name, chromedp.EmulateViewport(size.w, size.h))
		c.run(size.name+"-zh-listings", chromedp.Navigate(c.base+"/merchant"), chromedp.WaitVisible(chromedp.CSS(`table.listings-table`)))
		checked(size.name + " listings in Chinese")
		c.run(size.name+"-zh-orders", chromedp.Navigate(c.base+"/merchant/orders"), chromedp.WaitVisible(chromedp.CSS(`tr.part[data-part="`+part+`"]`)))
		if got := eval[string](c, `document.querySelector('tr.part .part-status').textContent`); got != "已接单，备货中" {
			t.Errorf("the part's status reads %q", got)
		}
		checked(size.name + " orders in Chinese")
		c.run(size.name+"-zh-campaigns", chromedp.Navigate(c.base+"/merchant/campaigns"), chromedp.WaitVisible(chromedp.CSS(`table.campaigns-table`)))
		if got := eval[string](c, `document.querySelector('tr.campaign-row .campaign-state').textContent`); got != "进行中" {
			t.Errorf("the campaign's state reads %q", got)
		}
		checked(size.name + " campaigns in Chinese")
		c.run(size.name+"-zh-offers", chromedp.Navigate(c.base+"/merchant/offers"), chromedp.WaitVisible(chromedp.CSS(`table.offers-table`)))
		if got := eval[string](c, `document.querySelector('tr.offer-row td').textContent`); got != "买 2 送 1，每单最多 3 件" {
			t.Errorf("the offer gives %q", got)
		}
		checked(size.name + " offers in Chinese")
		c.run(size.name+"-zh-listing-refused", chromedp.Navigate(c.base+"/merchant/listings/new"), chromedp.WaitVisible(chromedp.CSS(`#f-title`)),
			chromedp.SendKeys(chromedp.CSS(`#f-category`), "Home > Lighting"),
			chromedp.SendKeys(chromedp.CSS(`#f-shipping_regions`), "DE"),
			chromedp.SendKeys(chromedp.CSS(`#f-variants-0-sku`), "LAMP-2"),
			chromedp.SendKeys(chromedp.CSS(`#f-variants-0-price`), "12.50"),
			chromedp.Click(chromedp.CSS(`.listing-form .actions button[type="submit"]:not([name])`)),
			chromedp.WaitVisible(chromedp.CSS(`#f-title-error`)))
		if got := eval[string](c, `document.querySelector('#f-title-error').textContent`); got != "标题为必填项。" {
			t.Errorf("next to the title: %q", got)
		}
		checked(size.name + " refused listing in Chinese")
	}
}
