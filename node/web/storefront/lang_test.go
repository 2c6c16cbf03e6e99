package storefront

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// A shopper reading Chinese sees the storefront's words in Chinese,
// prices as zh-CN writes them, and a listing's Chinese translation when
// it carries one; a shopper reading English sees the listing as its
// merchant wrote it. A merchant's page and a listing's shipping and
// returns line speak Chinese too: countries, counts, rates and dates.
func TestStorefrontInChinese(t *testing.T) {
	h := newShippingCart(t)
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
	body = zh.Get("/search?q=cast").Body // the cookie remembers the choice
	for _, want := range []string{`<html lang="zh-CN">`, "“cast”的搜索结果", "1 件商品", "€1,234.50", ">有货<", "10 以下", "250 及以上"} {
		if !strings.Contains(body, want) {
			t.Errorf("the zh-CN search page lacks %s", want)
		}
	}
	if !strings.Contains(zh.Get("/").Body, "来自联盟所有平台的") {
		t.Error("the zh-CN home page is not in Chinese")
	}

	if _, err := h.Other.Cat.SetMerchantProfile(t.Context(), h.forge.ID, catalog.MerchantProfileInput{Name: "Bremen Forge", Country: "DE",
		Email: "help@forge.example", DefaultShipping: h.forgeShipping, Policies: catalog.Policies{ReturnDays: 30,
			ReturnShipping: catalog.ReturnPaidByMerchant, RestockingFeeBPS: 500, HandlingDays: 2}}); err != nil {
		t.Fatal(err)
	}
	h.Replicate()
	wantAll(t, "the zh-CN listing's shipping and returns line", zh.Get("/listings/"+h.pan.ID).Body,
		`<p class="policies-line">配送至 2 个国家/地区 · 预计 3月5日–6日 送达 · 30 天内可退货</p>`, "配送至德国：运费 €5.90 起。")
	wantAll(t, "the zh-CN merchant page", zh.Get(merchantURL(h.Other.ID.String(), h.forge.ID)).Body,
		`所属平台：<a href="/search?platform=`+h.Other.ID.String()+`">Beta Bazaar</a>，从德国发货。`, `<h2 id="policies-title">退货与发货</h2>`, "收货后 30 天内可退货；退货运费由商家承担。",
		"退货退款时将扣除商品价格 5.00% 的重新上架费。", "订单在 2 个工作日内发出。", `<h2 id="ships-title">配送范围</h2>`,
		`<th scope="col">送达时间</th>`, `<td class="places" data-label="国家/地区">德国</td>`,
		`<td class="price" data-label="运费">每单 €4.90 &#43; 每件 €1.00</td>`, `<td class="transit" data-label="送达时间">1–2 个工作日</td>`,
		`<h2 id="listings-title">商品</h2>`)
	missing := zh.Get("/merchants/nope")
	webtest.WantStatus(t, missing, http.StatusNotFound)
	wantAll(t, "the zh-CN error page", missing.Body, "<h1>找不到页面</h1>", "这里什么也没有。", `<a href="/">返回首页</a>`)
	wantAll(t, "the English merchant page", h.browser().Get(merchantURL(h.Other.ID.String(), h.forge.ID)).Body,
		"shipping from Germany.", "Orders are sent within 2 business days.", `<td class="places" data-label="Countries">Germany</td>`)

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
