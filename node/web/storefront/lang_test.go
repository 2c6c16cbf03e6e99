package storefront

import (
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// A shopper reading Chinese sees the storefront's words in Chinese,
// prices as zh-CN writes them, and a listing's Chinese translation when
// it carries one; a shopper reading English sees the listing as its
// merchant wrote it.
func TestStorefrontInChinese(t *testing.T) {
	h := newHarness(t)
	in := webtest.Input("Cast iron pan", "Acme", "Home > Kitchen > Cookware", 123450, 3)
	in.Translations = map[string]catalog.Translation{"zh-CN": {Title: "铸铁平底锅", Description: "手工锻造。"}}
	l := h.List(in)

	zh := h.browser()
	body := zh.Get(web.ListingURL(l.ID) + "?lang=zh-CN").Body
	for _, want := range []string{`<html lang="zh-CN">`, "<h1>铸铁平底锅</h1>", "<title>铸铁平底锅 · ", "手工锻造。", "€1,234.50", "仅剩 3 件", ">加入购物车</button>", ">购物车</a>", ">全部商品</a>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the zh-CN listing page lacks %s", want)
		}
	}
	body = zh.Get("/search?q=pan").Body // the cookie remembers the choice
	for _, want := range []string{`<html lang="zh-CN">`, "“pan”的搜索结果", "1 件商品", "€1,234.50", ">有货<"} {
		if !strings.Contains(body, want) {
			t.Errorf("the zh-CN search page lacks %s", want)
		}
	}
	if !strings.Contains(zh.Get("/").Body, "来自联盟所有平台的") {
		t.Error("the zh-CN home page is not in Chinese")
	}

	body = h.browser().Get(web.ListingURL(l.ID)).Body
	for _, want := range []string{`<html lang="en">`, "<h1>Cast iron pan</h1>", "€1,234.50", "Only 3 left", ">Add to cart</button>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the English listing page lacks %s", want)
		}
	}
	if strings.Contains(body, "铸铁平底锅") {
		t.Error("the English page shows the Chinese translation")
	}
}
