package storefront

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestHelpCentreInChineseInChromium: with 简体中文 picked, the help
// centre's chrome (its title, search, sections, the article's "was this
// helpful?") is Chinese, and a Chinese query finds an article written in
// Chinese (the help search shares the catalog's analyzer, which cuts
// Chinese into bigrams); in English the same pages read in English.
func TestHelpCentreInChineseInChromium(t *testing.T) {
	h := newHarness(t)
	store, err := content.Open(h.Self.DB, h.Self.Cat, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, in := range []content.Input{
		{Kind: content.KindArticle, Slug: "tuihuo", Title: "如何申请退货", Body: "在订单页面点击“申请退货”，选择要退回的商品并说明原因。",
			Section: content.SectionShoppers, Category: "订单"},
		{Kind: content.KindArticle, Slug: "shipping", Title: "Shipping times", Body: "Each merchant ships its own parcel.",
			Section: content.SectionShoppers, Category: "Orders"},
	} {
		if _, err := store.Save(ctx, in, true, false, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Publish(ctx, in.Kind, in.Slug); err != nil {
			t.Fatal(err)
		}
	}
	sf, err := New(h.site, Deps{Search: h.Index, Listings: h.Self.Cat, Merchants: h.Self.Cat, Shoppers: h.shoppers,
		Carts: h.orders, Orders: h.Self.Orders, Profiles: h.Self.Cat, Points: h.Self.Orders, Content: store},
		Options{Payments: h.payments})
	if err != nil {
		t.Fatal(err)
	}
	handler := h.site.Handler(sf)
	b := webtest.NewBrowser(t, handler)
	home := b.Get("/help?lang=zh-CN")
	webtest.WantStatus(t, home, http.StatusOK)
	for _, want := range []string{"<h1>帮助中心</h1>", "搜索帮助中心", "搜索帮助", "购物者", "如何申请退货"} {
		if !strings.Contains(home.Body, want) {
			t.Errorf("the Chinese help centre lacks %q", want)
		}
	}
	found := b.Get("/help?q=" + url.QueryEscape("退货"))
	if !strings.Contains(found.Body, "帮助：“退货”的搜索结果") || !strings.Contains(found.Body, "如何申请退货") || strings.Contains(found.Body, "Shipping times") {
		t.Errorf("the Chinese help search for 退货:\n%s", found.Body)
	}
	article := b.Get("/help/tuihuo")
	for _, want := range []string{"这篇文章有帮助吗？", "更新于", "有帮助", "帮助中心</a>"} {
		if !strings.Contains(article.Body, want) {
			t.Errorf("the Chinese article page lacks %q", want)
		}
	}
	none := b.Get("/help?q=" + url.QueryEscape("发票"))
	if !strings.Contains(none.Body, "没有文章解答“发票”") {
		t.Errorf("the Chinese help search that finds nothing:\n%s", none.Body)
	}
	en := webtest.NewBrowser(t, handler)
	if r := en.Get("/help/tuihuo?lang=en"); !strings.Contains(r.Body, "Was this helpful?") || !strings.Contains(r.Body, "For shoppers") {
		t.Errorf("the English article page:\n%s", r.Body)
	}

	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	shots := os.Getenv("FEDMART_SCREENSHOTS")
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		cctx := webtest.Chrome(t, size.w, size.h)
		cctx, cancel := context.WithTimeout(cctx, 90*time.Second)
		defer cancel()
		for _, p := range []struct{ name, path string }{
			{"help-zh", "/help?lang=zh-CN"},
			{"help-search-zh", "/help?q=" + url.QueryEscape("退货")},
			{"help-article-zh", "/help/tuihuo"},
			{"help-article-en", "/help/tuihuo?lang=en"},
		} {
			if err := chromedp.Do(cctx, chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
				t.Fatalf("%s at %d: %v", p.name, size.w, err)
			}
			check.Shoot(t, cctx, shots, fmt.Sprintf("%s-%d.png", p.name, size.w), size.w, p.name)
		}
	}
}
