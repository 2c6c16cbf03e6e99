package storefront

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestChineseQueryInChromium: a listing written in Chinese is found by
// a Chinese query (茶壶, two characters inside its title) on the
// storefront in zh-CN, with Chinese navigation and its euro price as
// CLDR's zh-CN writes it (€128.00, the settlement currency of the
// federation being euros); the same search in English has English
// navigation and English's €128.00, and an English listing is found by
// an English word. Screenshots of both languages at a phone's and a
// desktop's size.
func TestChineseQueryInChromium(t *testing.T) {
	h := newHarness(t)
	pot := webtest.Input("宜兴紫砂茶壶", "茗壶坊", "Home > Kitchen", 12800, 5)
	pot.Description = "手工拉坯的紫砂茶壶，容量三百毫升。"
	h.List(pot)
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
			check.Shoot(t, ctx, shots, fmt.Sprintf("zhquery-%s-%d.png", name, size.w), size.w, name)
		}
		run("search in Chinese", chromedp.Navigate(srv.URL+"/search?q="+url.QueryEscape("茶壶")+"&lang=zh-CN"),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-CN"] .cards`)))
		shoot("search-zh")
		if got := text(`.site-nav`); !containsAll(got, "搜索", "购物车", "登录") {
			t.Errorf("at %d the Chinese navigation reads %q", size.w, got)
		}
		if got := text(`main`); !containsAll(got, "“茶壶”的搜索结果", "1 件商品", "宜兴紫砂茶壶", "€128.00") || containsAll(got, "128.00 EUR") || containsAll(got, "Linen apron") {
			t.Errorf("at %d the Chinese search for 茶壶 reads %q", size.w, got)
		}
		run("search in English", chromedp.Navigate(srv.URL+"/search?q="+url.QueryEscape("茶壶")+"&lang=en"),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] .cards`)))
		shoot("search-en")
		if got := text(`.site-nav`); !containsAll(got, "Search", "Cart", "Sign in") {
			t.Errorf("at %d the English navigation reads %q", size.w, got)
		}
		if got := text(`main`); !containsAll(got, "Results for “茶壶”", "宜兴紫砂茶壶", "€128.00") {
			t.Errorf("at %d the English search for 茶壶 reads %q", size.w, got)
		}
		run("apron in English", chromedp.Navigate(srv.URL+"/search?q=apron"), chromedp.WaitVisible(chromedp.CSS(`.cards`)))
		shoot("apron-en")
		if got := text(`main`); !containsAll(got, "Linen apron", "€24.79") {
			t.Errorf("at %d the English search for apron reads %q", size.w, got)
		}
	}
}
