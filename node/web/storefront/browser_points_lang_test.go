package storefront

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestPointsPageInChineseInChromium: the points page of a shopper who
// earned points reads in Chinese after the selector picked zh-CN (the
// balance, the history's kinds of lines), in English after it picked en,
// and fits a phone in both; the order page's chrome reads in Chinese.
func TestPointsPageInChineseInChromium(t *testing.T) {
	h := newHarness(t)
	b, _ := earnPoints(t, h)
	zh := b.Get("/points?lang=zh-CN")
	webtest.WantStatus(t, zh, http.StatusOK)
	for _, want := range []string{`<h1>我的积分</h1>`, `id="points-spendable">51 积分（€0.51）`, "订单获得", "按订单查看积分", "最近变动"} {
		if !strings.Contains(zh.Body, want) {
			t.Errorf("the Chinese points page lacks %q", want)
		}
	}
	if strings.Contains(zh.Body, "Earned on an order") || strings.Contains(zh.Body, "Spendable now") {
		t.Error("the Chinese points page has English left")
	}
	en := b.Get("/points?lang=en")
	for _, want := range []string{`<h1>Your points</h1>`, `id="points-spendable">51 points (€0.51)`, "Earned on an order", "Latest changes"} {
		if !strings.Contains(en.Body, want) {
			t.Errorf("the English points page lacks %q", want)
		}
	}
	// The order the points were earned on, in Chinese: its chrome.
	orderURL := regexp.MustCompile(`href="(/orders/ord_[^"]+)"`).FindStringSubmatch(b.Get("/orders?lang=zh-CN").Body)
	if orderURL == nil {
		t.Fatal("no order in the list")
	}
	zhOrder := b.Get(orderURL[1])
	for _, want := range []string{"全部订单", "收货地址", "包裹", "每个商家从自己的平台发出各自的包裹", "更新于"} {
		if !strings.Contains(zhOrder.Body, want) {
			t.Errorf("the Chinese order page lacks %q", want)
		}
	}
	pages := map[string]string{"points-zh": zh.Body, "points-en": en.Body, "order-zh": zhOrder.Body}
	h.shootPages(t, "", []string{"points-zh", "points-en", "order-zh"}, pages)
}
