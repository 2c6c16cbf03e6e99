package storefront

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestChineseMerchantPageInChromium reads a merchant's page and one of
// its listings in Chinese at a phone's and a desktop's size: the policies,
// the rates table and the listing's shipping and returns line are
// Chinese, and nothing overflows on the phone.
func TestChineseMerchantPageInChromium(t *testing.T) {
	h := newShippingCart(t)
	if _, err := h.Other.Cat.SetMerchantProfile(t.Context(), h.forge.ID, catalog.MerchantProfileInput{Name: "Bremen Forge", Country: "DE",
		Email: "help@forge.example", Description: "Pans forged by hand in Bremen.", DefaultShipping: h.forgeShipping,
		Policies: catalog.Policies{ReturnDays: 30, ReturnShipping: catalog.ReturnPaidByMerchant, RestockingFeeBPS: 500, HandlingDays: 2,
			Legal: "Bremen Forge GmbH, HRB 1234"}}); err != nil {
		t.Fatal(err)
	}
	h.Replicate()
	srv := httptest.NewServer(h.handler)
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	shots := os.Getenv("FEDMART_SCREENSHOTS")
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		ctx := webtest.Chrome(t, size.w, size.h)
		ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
			t.Helper()
			if err := chromedp.Do(ctx, actions...); err != nil {
				t.Fatalf("%s at %d: %v", what, size.w, err)
			}
		}
		main := func() string {
			t.Helper()
			s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
			if err != nil {
				t.Fatalf("reading the page at %d: %v", size.w, err)
			}
			return s
		}
		run("merchant page", chromedp.Navigate(srv.URL+merchantURL(h.Other.ID.String(), h.forge.ID)+"?lang=zh-CN"),
			chromedp.WaitVisible(chromedp.CSS(`.rates-table`)))
		check.Shoot(t, ctx, shots, fmt.Sprintf("merchant-zh-%d.png", size.w), size.w, "merchant-zh")
		if got := main(); !containsAll(got, "从德国发货", "退货与发货", "收货后 30 天内可退货；退货运费由商家承担。", "订单在 2 个工作日内发出。",
			"配送范围", "每单 €4.90 + 每件 €1.00", "1–2 个工作日", "法律声明", "商品") {
			t.Errorf("at %d the Chinese merchant page reads %q", size.w, got)
		}
		if size.w < 600 { // the phone's rate table labels its cells, with the full-width colon
			label, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".rates-table td[data-label]"), "::before").content`))
			if err != nil || !strings.Contains(label, "：") || strings.Contains(label, `": "`) {
				t.Errorf("the phone's rate table labels its cells with %q (%v)", label, err)
			}
		}
		run("listing", chromedp.Navigate(srv.URL+"/listings/"+h.pan.ID), chromedp.WaitVisible(chromedp.CSS(`.policies-line`)))
		if got := main(); !containsAll(got, "配送至 2 个国家/地区", "30 天内可退货", "配送至德国：运费 €5.90 起。") {
			t.Errorf("at %d the Chinese listing's terms read %q", size.w, got)
		}
	}
}
