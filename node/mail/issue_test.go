package mail

import (
	"html"
	"strings"
	"testing"
)

// sampleIssue is an issue letter with every field set.
func sampleIssue() IssueLetter {
	return IssueLetter{Store: "Alpha Market", URL: "http://alpha.example/orders/ord_7", To: "Ada", Merchant: "Bremen Books", Order: "ord_7", Part: "ord_7-1",
		ID: "0123456789abcdef0123456789abcdef", Category: "damaged", Description: "The cover is torn.", Remedy: "refund", Amount: "15.00 EUR",
		RespondBy: "2026-11-25 12:00 UTC", ResolveBy: "2026-12-01 12:00 UTC", Text: "A photo of the box, please.",
		OfferRemedy: "refund", OfferAmount: "12.00 EUR"}
}

// TestRenderIssueLetters writes every step of an issue, to the shopper
// and to the merchant, in English and Chinese, both bodies, with what
// each must say; only the letter of money refunded is transactional.
func TestRenderIssueLetters(t *testing.T) {
	type variant struct {
		kind, event, action, due string
		byHome                   bool
		refund                   string
		want                     map[string][]string // by language, in subject, text or HTML
	}
	vs := []variant{
		{kind: KindIssueUpdate, event: IssueOpened, want: map[string][]string{
			"en": {"your issue about part ord_7-1 is open", "damaged", "The cover is torn.", "a refund of 15.00 EUR", "2026-11-25 12:00 UTC", "2026-12-01 12:00 UTC"},
			"zh": {"已受理", "商品损坏", "退款 15.00 EUR", "2026-11-25 12:00 UTC", "2026-12-01 12:00 UTC"}}},
		{kind: KindIssueUpdate, event: IssueInfoAsked, want: map[string][]string{
			"en": {"Bremen Books asks about your issue", "A photo of the box, please."}, "zh": {"补充信息", "A photo of the box, please."}}},
		{kind: KindIssueUpdate, event: IssueOffered, want: map[string][]string{
			"en": {"offers a refund of 12.00 EUR", "Accept or reject the offer"}, "zh": {"退款 12.00 EUR", "接受或拒绝"}}},
		{kind: KindIssueUpdate, event: IssueRefused, want: map[string][]string{
			"en": {"was refused", "A photo of the box, please.", "take it to the arbiter"}, "zh": {"被拒绝", "提交仲裁"}}},
		{kind: KindIssueUpdate, event: IssueRefused, byHome: true, want: map[string][]string{
			"en": {"could not be opened: A photo of the box, please."}, "zh": {"无法受理"}}},
		{kind: KindIssueUpdate, event: IssueResolved, want: map[string][]string{
			"en": {"is resolved", "you accepted the offer of Bremen Books"}, "zh": {"已解决"}}},
		{kind: KindIssueUpdate, event: IssueEscalated, want: map[string][]string{
			"en": {"went to the arbiter", "you will hear of the decision"}, "zh": {"已提交仲裁", "仲裁方"}}},
		{kind: KindIssueUpdate, event: IssueDecided, want: map[string][]string{
			"en": {"the arbiter decided your issue", "a refund of 12.00 EUR"}, "zh": {"裁定", "退款 12.00 EUR"}}},
		{kind: KindIssueRefund, event: IssueResolved, refund: "12.00 EUR", want: map[string][]string{
			"en": {"12.00 EUR back for your issue", "12.00 EUR goes back to you, the way you paid", "is resolved"}, "zh": {"12.00 EUR 将按原支付方式退还给您", "已解决"}}},
		{kind: KindIssueRefund, event: IssueDecided, refund: "12.00 EUR", want: map[string][]string{
			"en": {"the arbiter decided", "12.00 EUR goes back to you"}, "zh": {"裁定", "12.00 EUR 将按原支付方式退还给您"}}},
		{kind: KindMerchantIssue, event: IssueOpened, want: map[string][]string{
			"en": {"new issue about part ord_7-1, answer by 2026-11-25 12:00 UTC", "The cover is torn.", "a refund of 15.00 EUR", "resolve it by 2026-12-01 12:00 UTC"},
			"zh": {"新的售后问题", "2026-11-25 12:00 UTC", "2026-12-01 12:00 UTC", "商品损坏"}}},
		{kind: KindMerchantIssue, event: IssueReplied, action: "info", want: map[string][]string{
			"en": {"the shopper answered", "A photo of the box, please."}, "zh": {"答复了售后问题"}}},
		{kind: KindMerchantIssue, event: IssueReplied, action: "accept", refund: "12.00 EUR", want: map[string][]string{
			"en": {"accepted your offer", "a refund of 12.00 EUR", "The refund of 12.00 EUR is paid"}, "zh": {"接受了您的方案", "退款 12.00 EUR 将支付给买家"}}},
		{kind: KindMerchantIssue, event: IssueReplied, action: "reject", want: map[string][]string{
			"en": {"rejected your offer", "A photo of the box, please.", "open again"}, "zh": {"拒绝了您的方案", "重新打开"}}},
		{kind: KindMerchantIssue, event: IssueEscalated, want: map[string][]string{
			"en": {"went to the arbiter"}, "zh": {"已提交仲裁"}}},
		{kind: KindMerchantIssue, event: IssueDecided, want: map[string][]string{
			"en": {"the arbiter decided the issue", "a refund of 12.00 EUR"}, "zh": {"仲裁方已裁定", "退款 12.00 EUR"}}},
		{kind: KindIssueDue, due: "respond", want: map[string][]string{
			"en": {"due by 2026-11-25 12:00 UTC", "still waits for your first answer", "The cover is torn."}, "zh": {"首次答复", "2026-11-25 12:00 UTC"}}},
		{kind: KindIssueDue, due: "resolve", want: map[string][]string{
			"en": {"is to be resolved by 2026-11-25 12:00 UTC"}, "zh": {"前解决", "2026-11-25 12:00 UTC"}}},
	}
	for _, v := range vs {
		for _, lang := range Languages {
			d := sampleIssue()
			d.Event, d.Action, d.ByHome, d.Refund, d.Due = v.event, v.action, v.byHome, v.refund, v.due
			if v.due != "" {
				d.Deadline = d.RespondBy
			}
			name := lang + " " + v.kind + " " + v.event + v.action + v.due
			l, err := Render(v.kind, lang, d)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if l.Subject == "" || !strings.Contains(l.HTML, `<html lang="`+lang+`">`) || !strings.Contains(l.HTML, `href="`+d.URL+`"`) || !strings.Contains(l.Text, d.URL) {
				t.Errorf("%s: subject %q, text:\n%s\nHTML:\n%s", name, l.Subject, l.Text, l.HTML)
			}
			if lang == "zh" && !strings.Contains(l.Subject, "包裹") {
				t.Errorf("%s: subject is not Chinese: %q", name, l.Subject)
			}
			words := html.UnescapeString(tags.ReplaceAllString(l.HTML, ""))
			for _, w := range v.want[lang] {
				if !strings.Contains(l.Subject+"\n"+l.Text, w) {
					t.Errorf("%s: text lacks %q:\n%s\n%s", name, w, l.Subject, l.Text)
				}
				if !strings.Contains(l.Subject+"\n"+words, w) {
					t.Errorf("%s: HTML lacks %q:\n%s", name, w, l.HTML)
				}
			}
		}
	}
	for kind, notification := range map[string]bool{KindIssueUpdate: true, KindIssueRefund: false, KindMerchantIssue: true, KindIssueDue: true} {
		if IsNotification(kind) != notification {
			t.Errorf("%s: notification %v, want %v", kind, IsNotification(kind), notification)
		}
	}
}

// TestRenderIssueHostile: a hostile merchant name stays on the subject's
// line and the shopper's words are escaped in HTML.
func TestRenderIssueHostile(t *testing.T) {
	d := sampleIssue()
	d.Event, d.Merchant, d.Text = IssueInfoAsked, "Evil\r\nBcc: x@example.org", "<script>alert(1)</script>"
	l, err := Render(KindIssueUpdate, "en", d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(l.Subject, "\r\n") || strings.Contains(l.HTML, "<script>") || !strings.Contains(l.HTML, "&lt;script&gt;") {
		t.Errorf("subject %q\n%s", l.Subject, l.HTML)
	}
}
