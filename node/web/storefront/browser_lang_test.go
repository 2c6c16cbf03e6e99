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
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestChineseStorefrontInChromium picks 简体中文 with the footer's
// selector and reads the home page, a search, a listing carrying a
// Chinese translation and the cart at a phone's and a desktop's size:
// the navigation is Chinese, prices are written as zh-CN writes them,
// the choice holds from page to page, and nothing overflows on the phone.
func TestChineseStorefrontInChromium(t *testing.T) {
	h := newHarness(t)
	in := webtest.Input("Cast iron pan", "Acme", "Home > Kitchen > Cookware", 123450, 3)
	in.Translations = map[string]catalog.Translation{"zh-CN": {Title: "铸铁平底锅", Description: "手工锻造，已开锅。"}}
	pan := h.List(in)
	h.List(webtest.Input("Linen apron", "Linho", "Home > Kitchen", 2479, 10))
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
		text := func(sel string) string {
			t.Helper()
			s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).innerText`, sel)))
			if err != nil {
				t.Fatalf("reading %s at %d: %v", sel, size.w, err)
			}
			return s
		}
		shoot := func(name string) {
			check.Shoot(t, ctx, shots, fmt.Sprintf("lang-%s-%d.png", name, size.w), size.w, name)
		}
		run("home in English", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`footer .languages`)))
		if got := text(`.site-nav`); got == "" || !containsAll(got, "Search", "Cart", "Sign in") {
			t.Errorf("at %d the English navigation reads %q", size.w, got)
		}
		run("choose Chinese", chromedp.Click(chromedp.CSS(`footer .languages a[hreflang="zh-CN"]`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] footer .languages a[aria-current][hreflang="zh-CN"]`)))
		shoot("home-zh")
		if got := text(`.site-nav`); !containsAll(got, "搜索", "购物车", "登录") {
			t.Errorf("at %d the Chinese navigation reads %q", size.w, got)
		}
		// The choice holds on a page reached without ?lang=.
		run("search", chromedp.Navigate(srv.URL+"/search?q=pan"), chromedp.WaitVisible(chromedp.CSS(`.cards`)))
		shoot("search-zh")
		if got := text(`main`); !containsAll(got, "“pan”的搜索结果", "1 件商品", "€1,234.50", "有货") {
			t.Errorf("at %d the Chinese search page reads %q", size.w, got)
		}
		run("listing", chromedp.Navigate(srv.URL+web.ListingURL(pan.ID)), chromedp.WaitVisible(chromedp.CSS(`#add-to-cart`)))
		shoot("listing-zh")
		if got := text(`main`); !containsAll(got, "铸铁平底锅", "手工锻造，已开锅。", "€1,234.50", "仅剩 3 件", "加入购物车") {
			t.Errorf("at %d the Chinese listing page reads %q", size.w, got)
		}
		run("add", chromedp.Click(chromedp.CSS(`#add-to-cart`)), chromedp.WaitVisible(chromedp.CSS(`.cart-group`)))
		shoot("cart-zh")
		if got := text(`main`); !containsAll(got, "已加入购物车。", "您的购物车", "1 件商品，来自 1 个平台。", "铸铁平底锅", "€1,234.50", "去结账") {
			t.Errorf("at %d the Chinese cart reads %q", size.w, got)
		}
		run("checkout", chromedp.Navigate(srv.URL+"/checkout"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		shoot("checkout-zh")
		if got := text(`main h1`); got != "结账" {
			t.Errorf("at %d the checkout is titled %q, want 结账", size.w, got)
		}
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
