package console

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// issueRowOf is the issues table's row of issue iid.
func issueRowOf(body, iid string) string {
	return regexp.MustCompile(`(?s)<tr class="issue[^"]*" data-issue="` + iid + `".*?</tr>`).FindString(body)
}

// TestMerchantAnswersIssuesByUrgency: two issues on two parts, the older
// past its first-response deadline; the list puts it first, marked
// overdue; on its page a refund above what is left is said at the
// amount, a refund offer is confirmed with its amount before it is sent,
// and the shopper's acceptance pays it.
func TestMerchantAnswersIssuesByUrgency(t *testing.T) {
	h := newHarness(t)
	open := func(price int64, category string) (string, string, string) {
		_, at := h.buy(2, h.List(webtest.Input("Desk lamp", "Acme", "Home", price, 10)))
		id := strings.TrimPrefix(at, "/orders/")
		i, err := h.Self.Orders.OpenIssue(t.Context(), "", id, id+"-1", order.IssueInput{Category: category, Description: "Broken on arrival.",
			Remedy: order.RemedyRefund, Amount: price}, "")
		if err != nil {
			t.Fatal(err)
		}
		return id, id + "-1", i.ID
	}
	_, part1, late := open(1500, "damaged")
	h.Clock.Advance(47 * time.Hour)
	_, _, fresh := open(2000, "wrong_item")
	h.Clock.Advance(2 * time.Hour) // the first is past its 48 h, the second is not
	m := h.browser()
	m.SignInMerchant(h.Token)
	list := m.Get("/merchant/issues")
	webtest.WantStatus(t, list, http.StatusOK)
	if a, b := strings.Index(list.Body, late), strings.Index(list.Body, fresh); a < 0 || b < 0 || a > b {
		t.Fatalf("the overdue issue is not listed first (%d, %d)", a, b)
	}
	row := issueRowOf(list.Body, late)
	for _, want := range []string{`class="issue overdue"`, "It arrived damaged", "a refund of €15.00", `Answer by <time datetime="2026-03-03T12:00:00Z">`,
		`<strong class="overdue-mark">overdue</strong>`, `href="/merchant/issues/` + late + `"`} {
		if !strings.Contains(row, want) {
			t.Errorf("the late issue's row lacks %s:\n%s", want, row)
		}
	}
	if strings.Contains(issueRowOf(list.Body, fresh), "overdue") {
		t.Error("the fresh issue is marked overdue")
	}
	webtest.WantText(t, list, "1 past its deadline.")
	if !strings.Contains(list.Body, `<a href="/merchant/issues" aria-current="page"`) {
		t.Error("Issues is not the current page of the navigation")
	}

	// In Chinese the list says the same, with the merchant's states.
	wantChinese(t, "the issues", getIn(m, "/merchant/issues", zhAccept),
		[]string{"<h1>纠纷</h1>", "到货时已损坏", "商品有误", "退款 €15.00", "答复期限：", `<strong class="overdue-mark">已逾期</strong>`,
			"<strong>1 个纠纷已超过期限。</strong>请优先处理。", ">待答复<", ">答复…<", "订单 ", "2026年3月"},
		[]string{"It arrived damaged", "Answer by", ">overdue<", "To answer", "past its deadline", "a refund of"})

	page := "/merchant/issues/" + late
	zh := getIn(m, page, zhAccept)
	wantChinese(t, "the issue", zh,
		[]string{"<h1>纠纷：到货时已损坏</h1>", "最多 <strong class=\"refundable-left\">€30.00</strong>", "<h2>提出解决方案</h2>", "<dt>提出人</dt><dd>店面运营方，<time",
			"<strong>店面运营方</strong> 报告了问题，诉求为退款 €15.00，<time", "截至 <time", "前）", "<legend>方案</legend>", ">退款</label>", ">换货</label>",
			"<h2>要求补充信息</h2>", "<h2>拒绝</h2>", ">拒绝此纠纷</button>"},
		[]string{"Offer a remedy", "The shopper", "reported the problem", "A replacement", "Refuse the issue", " ago)", "€15.00, <time"})
	zh = postIn(m, page+"/answer", zhAccept, url.Values{"csrf": {webtest.CSRF(t, zh)}, "action": {"offer"}, "remedy": {"refund"}, "amount": {"30.01"}})
	webtest.WantStatus(t, zh, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, zh.Body, "amount", "€30.01 超过了剩余可退的商品金额 €30.00。")
	got := m.Get(page)
	webtest.WantStatus(t, got, http.StatusOK)
	wantHTML(t, got, "at most <strong class=\"refundable-left\">€30.00</strong>")
	token := webtest.CSRF(t, got)
	r := m.Post(page+"/answer", url.Values{"csrf": {token}, "action": {"offer"}, "remedy": {"refund"}, "amount": {"30.01"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "amount", "€30.01 is more than the €30.00 of items left to refund.")
	r = m.Post(page+"/answer", url.Values{"csrf": {token}, "action": {"refuse"}})
	webtest.HasFieldError(t, r.Body, "refuse_text", "Give your reasons: the shopper, and the arbiter if they ask one, read them.")
	// The offer is confirmed first, and nothing is sent before.
	r = m.Post(page+"/answer", url.Values{"csrf": {token}, "action": {"offer"}, "remedy": {"refund"}, "amount": {"12"}, "offer_text": {"Sorry."}})
	webtest.WantStatus(t, r, http.StatusOK)
	wantHTML(t, r, `<button type="submit" class="danger" id="confirm-offer">Offer a refund of €12.00</button>`)
	if p, _ := h.Self.Orders.HomePartOf(t.Context(), h.Merchant.ID, part1); p.Issues[0].State != order.IssueOpen {
		t.Fatalf("an offer was sent before its confirmation: %s", p.Issues[0].State)
	}
	webtest.WantRedirect(t, m.Post(page+"/answer", url.Values{"csrf": {token}, "action": {"offer"}, "remedy": {"refund"}, "amount": {"12.00"},
		"offer_text": {"Sorry."}, "confirm": {"yes"}}), page+"?done=offer")
	got = m.Get(page + "?done=offer")
	webtest.WantText(t, got, inEnglish(t, issueNotices[order.IssueActOffer]))
	wantHTML(t, got, `<strong>You</strong> offered a refund of €12.00`)
	// The shopper accepts: the part is refunded €12.00.
	id := strings.TrimSuffix(part1, "-1")
	if _, err := h.Self.Orders.ReplyIssue(t.Context(), "", id, part1, late, order.IssueReplyInput{Action: order.IssueActAccept}); err != nil {
		t.Fatal(err)
	}
	got = m.Get(page)
	wantHTML(t, got, `<span class="issue-state status-resolved">Resolved</span>`)
	if strings.Contains(got.Body, "offer-form") {
		t.Error("a resolved issue offers answers")
	}
	// An answer sent from a page read before is refused, saying why.
	r = m.Post(page+"/answer", url.Values{"csrf": {token}, "action": {"ask_info"}, "ask_text": {"A picture?"}})
	webtest.WantStatus(t, r, http.StatusConflict)
	webtest.WantText(t, r, "Nothing was sent: issue "+late+" is resolved")
	if p, _ := h.Self.Orders.HomePartOf(t.Context(), h.Merchant.ID, part1); len(p.Refunds) != 1 || p.Refunds[0].Amount.Amount != 1200 {
		t.Errorf("the part's refunds after the acceptance: %+v", p.Refunds)
	}
}

// wantHTML fails t unless r's page holds the markup html.
func wantHTML(t *testing.T, r webtest.Response, html string) {
	t.Helper()
	if !strings.Contains(r.Body, html) {
		t.Errorf("the page lacks %s:\n%s", html, r.Body)
	}
}
