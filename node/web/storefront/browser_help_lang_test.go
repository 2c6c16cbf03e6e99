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
// Chinese into bigrams); an article's Chinese version is what a zh-CN
// reader sees and searches, the article as written an English one's; in
// English the same pages read in English.
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
			Section: content.SectionShoppers, Category: "Orders",
			Translations: map[string]content.Translation{"zh-CN": {Title: "发货时间", Body: "每个商家各自发出自己的包裹。"}}},
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
	// An article with a Chinese version shows it, and a Chinese query
	// finds that version.
	if r := b.Get("/help/shipping"); !strings.Contains(r.Body, "<h1>发货时间</h1>") || !strings.Contains(r.Body, "每个商家各自发出自己的包裹。") {
		t.Errorf("the Chinese version of an article:\n%s", r.Body)
	}
	if r := b.Get("/help?q=" + url.QueryEscape("发货")); !strings.Contains(r.Body, "发货时间") {
		t.Errorf("the Chinese help search for 发货 misses the article's Chinese version:\n%s", r.Body)
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
	if r := en.Get("/help/shipping"); !strings.Contains(r.Body, "<h1>Shipping times</h1>") {
		t.Errorf("the English reader does not get the article as written:\n%s", r.Body)
	}
	if r := en.Get("/help?q=" + url.QueryEscape("发货")); strings.Contains(r.Body, "Shipping times") {
		t.Error("the English help search found the article by its Chinese version")
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
			{"help-translated-zh", "/help/shipping?lang=zh-CN"},
		} {
			if err := chromedp.Do(cctx, chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
				t.Fatalf("%s at %d: %v", p.name, size.w, err)
			}
			check.Shoot(t, cctx, shots, fmt.Sprintf("%s-%d.png", p.name, size.w), size.w, p.name)
		}
	}
}
