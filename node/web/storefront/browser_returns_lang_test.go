package storefront

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestReturnInChineseInChromium: a shopper who picked zh-CN follows a
// delivered part through a return in Chinese: the order page's status,
// return terms and days, the return form with its reasons and problems,
// the notice, and each step of the return with the refund and the fee
// kept, money written as zh-CN writes it. Both pages fit a phone and a
// desktop without overflowing.
func TestReturnInChineseInChromium(t *testing.T) {
	h := newHarness(t)
	b, at, part := h.deliveredPart(2, 123450)
	link := at + "/parts/" + part + "/return"
	page := b.Get(at + "?lang=zh-CN")
	webtest.WantStatus(t, page, http.StatusOK)
	p := partOf(page.Body, part)
	wantAll(t, "the Chinese delivered part", p, "已送达", "€2,469.00", "可退货至", "2026年3月15日", "退货运费由您承担。",
		"退款时将扣除商品价格 10.00% 的重新上架费。")
	wantAll(t, "the Chinese order page", page.Body, `<html lang="zh-CN"`, "已送达")
	form := b.Get(link) // the cookie keeps the choice
	webtest.WantStatus(t, form, http.StatusOK)
	wantAll(t, "the Chinese return form", form.Body, "<h1>退货</h1>", "单价 €1,234.50；共 2 件，可退 2 件。", "退货截止日期为 ",
		`<option value="damaged">到货时已损坏</option>`, `<option value="" selected>请选择原因</option>`, "申请退回这些商品", "保留商品")
	for _, english := range []string{"Return items", "each;", "It arrived damaged", "Keep the items", "You pay the return shipping"} {
		if strings.Contains(form.Body, english) {
			t.Errorf("the Chinese return form has English left: %q", english)
		}
	}
	token, key := webtest.CSRF(t, form), regexpValue(form.Body, "key")
	r := b.Post(link, url.Values{"csrf": {token}, "key": {key}, "lines[0].quantity": {"3"}, "reason": {"other"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, quantityInput(0), "Desk lamp：仅剩 2 件可退，不能退 3 件。")
	webtest.HasFieldError(t, r.Body, "note", "请简要说明退货原因。")
	problem := r.Body
	webtest.WantRedirect(t, b.Post(link, url.Values{"csrf": {token}, "key": {key}, "lines[0].quantity": {"1"}, "reason": {"damaged"},
		"note": {"灯罩裂了。"}}), at+"?done=return-requested")
	requested := b.Get(at + "?done=return-requested")
	webtest.WantText(t, requested, "您的退货申请已发送给商家。")
	wantAll(t, "the requested return", partOf(requested.Body, part), `data-state="requested"`, "到货时已损坏: “灯罩裂了。”", "<strong>已申请</strong>", "2026年3月1日")
	rid := h.returnOf(part)
	if _, err := h.Self.Orders.ApproveReturn(t.Context(), h.Merchant.ID, part, rid, order.ReturnInstructions{Address: "Alpha Goods, Hafenstr. 1, 28195 Bremen",
		DropOffCode: "RET-123456"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Self.Orders.ReceiveReturn(t.Context(), h.Merchant.ID, part, rid); err != nil {
		t.Fatal(err)
	}
	done := b.Get(at)
	wantAll(t, "the received return", partOf(done.Body, part), `data-state="received"`, "<strong>已批准</strong>", "<strong>已收到</strong>",
		"€1,111.05", "€123.45", "已退款")
	pages := map[string]string{"order-return-zh": done.Body, "return-form-zh": problem}
	h.shootPages(t, "", []string{"order-return-zh", "return-form-zh"}, pages)
}
