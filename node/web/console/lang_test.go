package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/locale"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// catalogIn is language tag of the message catalog.
func catalogIn(t *testing.T, tag string) *locale.Locale {
	t.Helper()
	c, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	l, ok := c.Lookup(tag)
	if !ok {
		t.Fatalf("no locale %s", tag)
	}
	return l
}

// inEnglish is message id as the English console writes it.
func inEnglish(t *testing.T, id string) string {
	t.Helper()
	return catalogIn(t, locale.English).T(id)
}

// getIn loads path as a browser whose Accept-Language is accept.
func getIn(b *webtest.Browser, path, accept string) webtest.Response {
	b.T.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Language", accept)
	return b.Do(req)
}

// postIn posts form to path as a browser whose Accept-Language is accept.
func postIn(b *webtest.Browser, path, accept string, form url.Values) webtest.Response {
	b.T.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", accept)
	return b.Do(req)
}

// zhAccept is a Chinese browser's Accept-Language.
const zhAccept = "zh-CN,zh;q=0.9,en;q=0.5"

// leakedID is a message id shown as it is: a key the catalog lacks.
var leakedID = regexp.MustCompile(`console\.[a-z_]+\.[a-z_.]+`)

// wantChinese fails unless page is a console page in Simplified Chinese
// that says every one of want and none of notWant, and shows no bare
// message id.
func wantChinese(t *testing.T, name string, r webtest.Response, want, notWant []string) {
	t.Helper()
	webtest.WantStatus(t, r, r.Code)
	if !strings.Contains(r.Body, `<html lang="zh-CN">`) {
		t.Errorf("%s is not in zh-CN", name)
	}
	for _, w := range want {
		if !strings.Contains(r.Body, w) {
			t.Errorf("%s does not say %q", name, w)
		}
	}
	for _, w := range notWant {
		if strings.Contains(r.Body, w) {
			t.Errorf("%s still says %q in English", name, w)
		}
	}
	body := strings.ReplaceAll(r.Body, "console.css", "")
	body = strings.ReplaceAll(body, "console.js", "")
	if ids := leakedID.FindAllString(body, -1); len(ids) > 0 {
		t.Errorf("%s shows message ids: %v", name, ids)
	}
}

// TestConsoleSpeaksChineseByAcceptLanguage: a merchant whose browser
// asks for Chinese reads the listings, the orders and the campaigns in
// Chinese, with money and dates written the Chinese way, and a refused
// form names its field in Chinese; an English browser still reads
// English.
func TestConsoleSpeaksChineseByAcceptLanguage(t *testing.T) {
	h := newAdsHarness(t)
	lamp := h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	_, at := h.buy(2, lamp)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	now := h.Clock.Now()
	if _, err := h.Self.Cat.PutCampaign(t.Context(), h.Merchant.ID, "", catalog.CampaignInput{Name: "Lamps", Keywords: []string{"lamp"},
		TotalBudget: 10000, DailyBudget: 2000, FeeBPS: 250, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 0, 7)}); err != nil {
		t.Fatal(err)
	}
	cp, err := h.Self.Cat.Campaigns(t.Context(), h.Self.ID.String(), h.Merchant.ID)
	if err != nil || len(cp) != 1 {
		t.Fatalf("the campaign: %+v %v", cp, err)
	}
	if _, err := h.Self.Cat.PutOffer(t.Context(), h.Merchant.ID, "", catalog.OfferInput{Name: "Two for one", Kind: catalog.OfferBuyGet, Buy: 2, Get: 1,
		PerOrderLimit: 4, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	m := h.browser()
	m.SignInMerchant(h.Token)

	listings := getIn(m, "/merchant", zhAccept)
	webtest.WantStatus(t, listings, http.StatusOK)
	wantChinese(t, "the listings", listings,
		[]string{"<h1>我的商品</h1>", ">新建商品<", "标题或 SKU", "各 SKU 库存", "更新时间", ">编辑<", ">下架<", "修改已勾选的商品",
			"€20.00", "年", "第 1–1 件，共 1 件商品", `>将库存设为<`, `<nav class="languages" aria-label="语言">`},
		[]string{"Your listings", "Stock by SKU", "Take down<", "Change the ticked listings", "Set stock to"})

	orders := getIn(m, "/merchant/orders", zhAccept)
	webtest.WantStatus(t, orders, http.StatusOK)
	row := partRowOf(orders.Body, part)
	wantChinese(t, "the orders", orders,
		[]string{"<h1>收到的订单</h1>", ">子订单<", "收货地址", ">全部订单<", ">待发货<", "售出店面：", "€40.00", "已接单，备货中",
			"标记为已发货", "退款 €40.00…", ">承运商<", ">运单号<", "选择承运商"},
		[]string{"Incoming orders", "Ship to", "Mark shipped", "Tracking number", "Accepted, being prepared"})
	if !strings.Contains(row, "2026年") {
		t.Errorf("the part's date is not written the Chinese way:\n%s", row)
	}

	campaigns := getIn(m, "/merchant/campaigns", zhAccept)
	webtest.WantStatus(t, campaigns, http.StatusOK)
	wantChinese(t, "the campaigns", campaigns,
		[]string{"<h1>推广活动</h1>", "新建推广活动", "每笔成交费率", ">进行中<", "€100.00", "每天 €20.00", "剩余 €100.00", "今日 €0.00",
			"关键词：lamp", "整个店铺", "创建并发布", ">暂停<"},
		[]string{"New campaign", "Fee per sale", "a day", "Your whole shop", "Create and publish"})

	// A refused listing names its field in Chinese, next to the input.
	form := url.Values{"csrf": {webtest.CSRF(t, listings)}, "title": {""}, "category": {"Home"}, "brand": {"Acme"},
		"shipping_regions": {"DE"}, "variants[0].sku": {"LAMP-2"}, "variants[0].price": {"12.50"}, "variants[0].stock": {"3"}}
	r := postIn(m, "/merchant/listings", zhAccept, form)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "title", "标题为必填项。")
	wantChinese(t, "the refused listing", r, []string{"<h1>新建商品</h1>", "创建商品"}, []string{"Title is required"})
	form.Set("title", "Floor lamp")
	form.Set("variants[0].price", "ten")
	r = postIn(m, "/merchant/listings", zhAccept, form)
	webtest.HasFieldError(t, r.Body, "variants[0].price", "价格必须是金额，如 19.99。")
	// A refused campaign too.
	cf := url.Values{"csrf": {webtest.CSRF(t, campaigns)}, "name": {"Desk"}, "fee": {"5"}, "total_budget": {"ten"},
		"starts": {now.Format(time.DateOnly)}, "ends": {now.AddDate(0, 0, 3).Format(time.DateOnly)}}
	r = postIn(m, "/merchant/campaigns", zhAccept, cf)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "total_budget", "总预算必须是金额，如 19.99。")

	// A bulk change with nothing ticked and no amount is refused in Chinese.
	r = postIn(m, "/merchant/bulk", zhAccept, url.Values{"csrf": {webtest.CSRF(t, listings)}, "op": {"set_stock"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "amount", "请输入数值。")
	webtest.WantText(t, r, "请先勾选要修改的商品：每个标题前的复选框。")

	// The review of a bulk change reads Chinese.
	r = postIn(m, "/merchant/bulk", zhAccept, url.Values{"csrf": {webtest.CSRF(t, listings)}, "op": {"set_stock"}, "amount": {"7"}, "id": {lamp.ID}})
	webtest.WantStatus(t, r, http.StatusOK)
	wantChinese(t, "the bulk review", r, []string{"<h1>预览修改</h1>", "<strong>将每个款式的库存设为 7 件</strong>，共 1 件商品。", "应用 1 项修改"},
		[]string{"Set the stock", "Apply 1 change"})

	// The offers: the list, what an offer gives and a refused offer.
	offers := getIn(m, "/merchant/offers", zhAccept)
	webtest.WantStatus(t, offers, http.StatusOK)
	wantChinese(t, "the offers", offers,
		[]string{"<h1>优惠活动</h1>", "买 2 送 1，每单最多 4 件", "整个店铺", ">进行中<", "您承担的费用", "新建优惠", ">按百分比减价<", "满额包邮",
			"每件减价金额（EUR）", "创建并发布", " 至 "},
		[]string{"Percent off", "buy 2, get 1 free", "Your whole shop", "Cost to you", "New offer"})
	of := url.Values{"csrf": {webtest.CSRF(t, offers)}, "name": {"Half"}, "kind": {"percent"}, "percent": {"half"}, "starts": {"soon"},
		"ends": {now.AddDate(0, 0, 3).Format(time.DateOnly)}}
	r = postIn(m, "/merchant/offers", zhAccept, of)
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "percent", "减价百分比必须是百分数，如 15 或 12.5。")
	webtest.HasFieldError(t, r.Body, "starts", "开始日期必须是日期，如 2026-12-01。")

	// A campaign's budget page, and a total below what it spent.
	budget := getIn(m, "/merchant/campaigns/"+url.PathEscape(cp[0].ID)+"/budget", zhAccept)
	webtest.WantStatus(t, budget, http.StatusOK)
	wantChinese(t, "the budget", budget,
		[]string{"<h1>Lamps 的预算</h1>", `该推广活动当前状态为<strong id="budget-state">进行中</strong>，已花费 <strong id="budget-spent">€`, "总预算（EUR）", "保存并发布", ">取消<"},
		[]string{"has spent", "Save and publish"})
	r = postIn(m, "/merchant/campaigns/"+url.PathEscape(cp[0].ID)+"/budget", zhAccept,
		url.Values{"csrf": {webtest.CSRF(t, budget)}, "fee": {"2.5"}, "total_budget": {"0.001"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "total_budget", "总预算的小数位数超出了该货币允许的位数。")

	// The other converted pages read Chinese and show no bare message id.
	for _, pg := range []struct{ path, h1, english string }{
		{"/merchant/returns", "<h1>退货</h1>", "No returns."},
		{"/merchant/earnings", "<h1>收入</h1>", "Earnings per settlement period"},
		{"/merchant/conversations", "<h1>消息</h1>", "No messages yet."},
		{"/merchant/profile", "<h1>店铺资料与政策</h1>", "Save profile"},
		{"/merchant/shipping", "<h1>配送方案</h1>", "New shipping profile"},
		{"/merchant/feeds", "<h1>上传商品源</h1>", "Upload feed"},
		{"/merchant/issues", "<h1>纠纷</h1>", "No issues."},
		{"/merchant/shipping/new", "<h1>新建配送方案</h1>", "Add a zone"},
	} {
		r := getIn(m, pg.path, zhAccept)
		if r.Code != http.StatusOK {
			t.Fatalf("%s: status %d", pg.path, r.Code)
		}
		wantChinese(t, pg.path, r, []string{pg.h1}, []string{pg.english})
	}
	// The profile's country list names countries in Chinese.
	wantChinese(t, "the profile's countries", getIn(m, "/merchant/profile", zhAccept), []string{"德国", "欧洲"}, []string{">Germany<", ">Europe<"})

	// The same merchant in an English browser reads English.
	en := getIn(m, "/merchant/orders", "en-GB,en;q=0.9")
	if !strings.Contains(en.Body, "<h1>Incoming orders</h1>") || !strings.Contains(en.Body, `<html lang="en">`) {
		t.Errorf("an English browser does not read English:\n%s", en.Body)
	}
}

// TestConsoleLanguageSelector: the selector in the console's header
// switches the console to Chinese and back, remembered in the cookie the
// storefront shares, whatever the browser's Accept-Language.
func TestConsoleLanguageSelector(t *testing.T) {
	h := newHarness(t)
	h.List(webtest.Input("Desk lamp", "Acme", "Home", 2000, 5))
	m := h.browser()
	m.SignInMerchant(h.Token)
	first := m.Get("/merchant/orders")
	header := regexp.MustCompile(`(?s)<header class="site">.*?</header>`).FindString(first.Body)
	if !strings.Contains(header, `<nav class="languages" aria-label="Language">`) || !strings.Contains(header, `href="/merchant/orders?lang=zh-CN"`) {
		t.Fatalf("the console's header has no language selector:\n%s", header)
	}
	if footer := regexp.MustCompile(`(?s)<footer class="site">.*?</footer>`).FindString(first.Body); strings.Contains(footer, "languages") {
		t.Errorf("the console shows a second selector in its footer:\n%s", footer)
	}
	zh := m.Get("/merchant/orders?lang=zh-CN")
	wantChinese(t, "the orders after the selector", zh, []string{"<h1>收到的订单</h1>", `aria-current="true">简体中文<`}, nil)
	if c := m.Cookies["lang"]; c == nil || c.Value != locale.Chinese {
		t.Fatalf("the choice is not remembered: %+v", m.Cookies["lang"])
	}
	// Remembered on the next pages, over an English Accept-Language.
	wantChinese(t, "the listings after the selector", getIn(m, "/merchant", "en"), []string{"<h1>我的商品</h1>"}, []string{"Your listings"})
	wantChinese(t, "the storefront after the selector", getIn(m, "/", "en"), nil, nil)
	back := m.Get("/merchant?lang=en")
	if !strings.Contains(back.Body, "<h1>Your listings</h1>") {
		t.Errorf("the selector does not switch back to English:\n%s", back.Body)
	}
}

// TestConsoleMessageIDsExist: every message id the console's Go code
// keeps in a table (notices, statuses, labels, problems) is in every
// language, so that none shows as its bare id.
func TestConsoleMessageIDsExist(t *testing.T) {
	var ids []string
	for _, m := range []map[string]string{notices, partNotices, campaignNotices, campaignLabels, campaignStates, statusIDs, reasonIDs, labelIDs,
		offerNotices, offerLabels, reviewNotices, returnNotices, returnReasonText, returnStateText, returnInputLabels, earningStatuses, messageNotices, profileLabels, profileNotices, shippingNotices, jobStateText, issueNotices, issueStateIDs} {
		for _, id := range m {
			ids = append(ids, id)
		}
	}
	for _, id := range stockStateText {
		ids = append(ids, id)
	}
	for _, k := range slices.Concat(offerKinds, returnPayers, feedFormats, rateKinds) {
		ids = append(ids, k.Label)
	}
	for _, done := range []string{"approved", "refused", "received"} {
		ids = append(ids, "console.returns.done_"+done)
	}
	for _, c := range partFilters {
		ids = append(ids, c.Label)
	}
	for _, p := range problemPatterns {
		ids = append(ids, p.id)
	}
	for _, a := range []partAction{actionShip, actionDeliver, actionRefund} {
		ids = append(ids, a.refused)
	}
	for _, o := range bulkOps {
		ids = append(ids, "console.bulk.op_"+o.Value, "console.bulk.verb_"+o.Value)
	}
	ids = append(ids, "console.field.item_line", "console.field.item_region")
	for _, tag := range []string{locale.English, locale.Chinese} {
		l := catalogIn(t, tag)
		for _, id := range ids {
			if !strings.HasPrefix(id, "console.") || l.T(id, "ID", "x", "N", 1, "Field", "f") == id {
				t.Errorf("%s lacks %q", tag, id)
			}
		}
	}
}

// TestProblemsInChinese: the catalog's and the amount parser's English
// problems are written in Chinese after the field's label, numbers and
// codes kept; one no message says stays English, set apart.
func TestProblemsInChinese(t *testing.T) {
	zh := catalogIn(t, locale.Chinese)
	cases := []struct{ label, problem, want string }{
		{"Title", "is required", "标题为必填项"},
		{"Title", "must be at most 200 characters, not 231", "标题最多 200 个字符，当前为 231 个"},
		{"Stock", "must be between 0 and 1000000, not -1", "库存必须在 0 到 1000000 之间，当前为 -1"},
		{"Shipping regions (region 2)", `must be a two-letter upper-case ISO 3166-1 alpha-2 code, not "xx"`, `配送地区（第 2 个地区）必须是两个大写字母的 ISO 3166-1 地区代码，而不是 "xx"`},
		{"Pictures (line 3)", "must be an amount such as 19.99", "图片（第 3 行）必须是金额，如 19.99"},
		{`Options "size"`, "is required", `规格 "size"为必填项`},
		{"The listing", "something new", "该商品"},
	}
	for _, c := range cases {
		label, text := labelIn(zh, c.label), problemIn(zh, c.problem)
		if got := label + text; !strings.HasPrefix(got, c.want) {
			t.Errorf("%q %q in Chinese: %q, want %q", c.label, c.problem, got, c.want)
		}
	}
	if got := problemIn(zh, "something new"); got != "something new" {
		t.Errorf("an unknown problem became %q", got)
	}
	if got := labelIn(catalogIn(t, locale.English), "Pictures (line 3)"); got != "Pictures (line 3)" {
		t.Errorf("the English label changed: %q", got)
	}
}
