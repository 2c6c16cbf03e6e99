package mail

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// afterSale is sample data of every after-sale letter: a part with a
// partial cancellation and a return that carries every instruction.
func afterSale() (PartLetter, NewPart) {
	o := sampleOrder()
	p := o.Parts[0]
	p.Status, p.Reason, p.Refunded = "accepted", "out_of_stock", "12.00 EUR"
	units := []Item{{Title: "Go in Action", Quantity: 1, Price: "30.00 EUR", Amount: "30.00 EUR"}}
	ret := &Return{ID: "r1", Items: units, Reason: "damaged", Note: "the cover is torn", Address: "Beta Books\nReturns dock 4\n20095 Hamburg",
		LabelURL: "https://labels.example/r1.pdf", DropOffCode: "DROP-7731", ShopperPays: true, RestockingFee: "10%", Refusal: "outside the 14-day window",
		URL: "http://beta.example/merchant/returns/ord_7-1/r1"}
	rf := &Refund{Cancel: true, Amount: "12.00 EUR", Items: units, Reason: "changed my mind"}
	return PartLetter{Order: o, Part: p, Refund: rf, Return: ret},
		NewPart{Store: "Beta Bazaar", ConsoleURL: "http://beta.example/merchant/orders", Merchant: "Beta Books", Order: "ord_7", Part: p, ShipTo: o.ShipTo, Refund: rf, Return: ret}
}

// TestRenderEveryLetterInEveryLanguage writes each letter in English and
// Chinese, both bodies, with what each must say.
func TestRenderEveryLetterInEveryLanguage(t *testing.T) {
	pl, np := afterSale()
	note := NoteLetter{Store: "Alpha Market", URL: "http://alpha.example/orders/ord_7#messages-ord_7-1", To: "Ada", From: "Bremen Books",
		Order: "ord_7", Part: "ord_7-1", Text: "Is the cover torn?", Attachments: []string{"https://img.example/a.jpg"}}
	data := map[string]any{KindOrderConfirmation: pl.Order, KindNewPart: np, KindPartCancelled: np, KindReturnRequested: np,
		KindNoteToShopper: note, KindNoteToMerchant: note, KindIssueUpdate: sampleIssue(), KindIssueRefund: sampleIssue(), KindMerchantIssue: sampleIssue(), KindIssueDue: sampleIssue()}
	want := map[string]map[string][]string{
		"en": {
			KindPartAccepted:       {"accepted part ord_7-1", "getting it ready"},
			KindPartRejected:       {"could not take part ord_7-1", "the items are out of stock"},
			KindPartPartlyRefunded: {"12.00 EUR goes back", "you cancelled some units", "1 × Go in Action", "so far: 12.00 EUR of 34.00 EUR"},
			KindReturnApproved:     {"Returns dock 4", "https://labels.example/r1.pdf", "DROP-7731", "You pay the return shipping", "restocking fee of 10%"},
			KindReturnRefused:      {"was refused", "outside the 14-day window"},
			KindReturnReceived:     {"received your return", "12.00 EUR goes back"},
			KindPartCancelled:      {"cancelled some units of part ord_7-1", "Do not ship them", "1 × Go in Action"},
			KindReturnRequested:    {"return units of part ord_7-1", "Reason: damaged", "the cover is torn", "http://beta.example/merchant/returns/ord_7-1/r1"},
			KindPartRefunded:       {"12.00 EUR of part ord_7-1", "The part is now accepted"},
			KindNoteToShopper:      {"Bremen Books wrote to you about part ord_7-1", "Is the cover torn?"},
			KindNoteToMerchant:     {"wrote to you", "Is the cover torn?"},
		},
		"zh": {
			KindPartAccepted:       {"已接受您订单 ord_7 的包裹 ord_7-1"},
			KindPartRejected:       {"无法接受", "商品缺货"},
			KindPartPartlyRefunded: {"12.00 EUR 将按原支付方式退还给您", "您取消了"},
			KindReturnApproved:     {"Returns dock 4", "https://labels.example/r1.pdf", "DROP-7731", "退货运费由您承担", "10% 的重新入库费"},
			KindReturnRefused:      {"退货被拒绝", "outside the 14-day window"},
			KindReturnReceived:     {"已收到您订单"},
			KindPartCancelled:      {"顾客取消了包裹 ord_7-1", "请勿发出"},
			KindReturnRequested:    {"商品损坏", "the cover is torn"},
			KindOrderConfirmation:  {"感谢您在 Alpha Market 下单", "包裹合计"},
			KindNoteToShopper:      {"Bremen Books 就您订单 ord_7 的包裹 ord_7-1 给您留言", "Is the cover torn?", "https://img.example/a.jpg"},
			KindNoteToMerchant:     {"的买家给您留言", "Is the cover torn?"},
		},
	}
	for _, lang := range Languages {
		for kind := range letters {
			if kind == notice {
				continue
			}
			d, ok := data[kind]
			if !ok {
				d = pl
			}
			l, err := Render(kind, lang, d)
			if err != nil {
				t.Errorf("%s %s: %v", lang, kind, err)
				continue
			}
			if l.Subject == "" || l.Text == "" || !strings.Contains(l.HTML, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: subject %q, text %d bytes, HTML:\n%s", lang, kind, l.Subject, len(l.Text), l.HTML)
			}
			for _, w := range want[lang][kind] {
				if !strings.Contains(l.Text, w) {
					t.Errorf("%s %s text lacks %q:\n%s", lang, kind, w, l.Text)
				}
				if words := html.UnescapeString(tags.ReplaceAllString(l.HTML, "")); !strings.Contains(words, w) && !strings.Contains(l.HTML, `href="`+w+`"`) {
					t.Errorf("%s %s HTML lacks %q:\n%s", lang, kind, w, l.HTML)
				}
			}
			if lang == "zh" && !strings.ContainsAny(l.Subject, "包裹订单退货") {
				t.Errorf("zh %s subject is not Chinese: %q", kind, l.Subject)
			}
		}
	}
	// a merchant's whole cancellation says why, not which units
	np.Refund, np.Part.Reason = nil, "cancelled by the shopper"
	l, err := Render(KindPartCancelled, "en", np)
	if err != nil || !strings.Contains(l.Text, "part ord_7-1 (order ord_7) is cancelled: you cancelled it") {
		t.Errorf("whole cancellation: %v\n%s", err, l.Text)
	}
	// a merchant's refund of some of a part is a partial refund, not a
	// cancellation
	pl.Refund.Cancel = false
	if l, _ := Render(KindPartPartlyRefunded, "en", pl); !strings.Contains(l.Subject, "partly refunded") || !strings.Contains(l.Text, "This is a partial refund") {
		t.Errorf("partial refund: %q\n%s", l.Subject, l.Text)
	}
}

// tags match HTML tags, to read an HTML body's words.
var tags = regexp.MustCompile(`<[^>]*>`)

// notice is a notification kind for the tests: letters of other
// engineers' features (new message, issue update) are marked the same
// way.
const notice = "test_notice"

func init() { letters[notice] = Notification }

// TestLettersOverSMTP delivers the after-sale letters to a real SMTP
// server: both bodies, a Chinese subject encoded per RFC 2047, the
// List-Unsubscribe headers on a notification only; the unsubscribe link
// stops the next notification and not a transactional letter.
func TestLettersOverSMTP(t *testing.T) {
	s := startSMTP(t, false)
	db := memDB(t)
	o := fast(s)
	o.Secret, o.UnsubscribeURL = []byte("test secret of the node"), func() string { return "https://alpha.example/mail/unsubscribe" }
	q := open(t, db, s.config(TLSStartTLS), o)
	run(t, q)
	pl, _ := afterSale()
	zh, err := Render(KindReturnApproved, "zh", pl)
	if err != nil {
		t.Fatal(err)
	}
	en, err := Render(KindPartPartlyRefunded, "en", pl)
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, db, q, Mail{Key: "k/zh", Kind: KindReturnApproved, To: "li@example.cn", ToName: "李雷", Lang: "zh", Letter: zh})
	enqueue(t, db, q, Mail{Key: "k/en", Kind: KindPartPartlyRefunded, To: "ada@example.org", ToName: "Ada", Lang: "en", Letter: en})
	enqueue(t, db, q, Mail{Key: "k/n1", Kind: notice, To: "ada@example.org", ToName: "Ada", Lang: "en", Letter: Letter{Subject: "New message", Text: "Hello\n", HTML: "<html><body><p>Hello</p></body></html>"}})
	got := waitReceived(t, s, 3)
	byTo := map[string][]parsedMail{}
	for _, r := range got {
		byTo[r.rcpts[0]] = append(byTo[r.rcpts[0]], parse(t, r.data))
	}
	for _, r := range got {
		head, _, _ := strings.Cut(string(r.data), "\r\n\r\n")
		if r.rcpts[0] == "li@example.cn" && (!regexp.MustCompile(`Subject:\s+=\?UTF-8\?[qQbB]\?`).MatchString(head) || strings.ContainsFunc(head, func(c rune) bool { return c > 127 })) {
			t.Errorf("the Chinese subject is not RFC 2047 encoded:\n%s", r.data)
		}
	}
	c := byTo["li@example.cn"][0]
	if c.subject != zh.Subject || !strings.Contains(c.text, "退货运费由您承担") || !strings.Contains(c.html, "DROP-7731") || !strings.Contains(c.html, `lang="zh"`) {
		t.Errorf("the Chinese letter: %q\n%s\n%s", c.subject, c.text, c.html)
	}
	if c.header.Get("List-Unsubscribe") != "" {
		t.Errorf("a transactional letter carries List-Unsubscribe %q", c.header.Get("List-Unsubscribe"))
	}
	var link string
	for _, p := range byTo["ada@example.org"] {
		lu := p.header.Get("List-Unsubscribe")
		switch p.subject {
		case en.Subject:
			if lu != "" || strings.Contains(p.text, "Unsubscribe") || !strings.Contains(p.text, "1 × Go in Action") {
				t.Errorf("the refund letter: List-Unsubscribe %q\n%s", lu, p.text)
			}
		case "New message":
			link = strings.Trim(lu, "<>")
			if !strings.HasPrefix(lu, "<https://alpha.example/mail/unsubscribe?") || p.header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
				t.Errorf("notification headers: %q %q", lu, p.header.Get("List-Unsubscribe-Post"))
			}
			if !strings.Contains(p.text, link) || !strings.Contains(p.html, strings.ReplaceAll(link, "&", "&amp;")) {
				t.Errorf("the notification's footer lacks the link %s:\n%s\n%s", link, p.text, p.html)
			}
		default:
			t.Errorf("unexpected letter %q", p.subject)
		}
	}
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("a") != "ada@example.org" || !q.ValidToken("ada@example.org", u.Query().Get("t")) || q.ValidToken("eve@example.org", u.Query().Get("t")) {
		t.Fatalf("unsubscribe link %q: %v", link, err)
	}
	// unsubscribe as the link does; the next notification is not queued,
	// a transactional letter is
	if err := q.SetUnsubscribed(context.Background(), u.Query().Get("a"), true); err != nil {
		t.Fatal(err)
	}
	enqueue(t, db, q, Mail{Key: "k/n2", Kind: notice, To: "Ada@Example.org", Lang: "en", Letter: Letter{Subject: "Another message", Text: "Hi\n"}})
	enqueue(t, db, q, Mail{Key: "k/en2", Kind: KindPartPartlyRefunded, To: "ada@example.org", Lang: "en", Letter: en})
	got = waitReceived(t, s, 4)
	for _, r := range got {
		if strings.Contains(string(r.data), "Another message") {
			t.Error("a notification went to an address that unsubscribed")
		}
	}
	// turned back on, notifications come again
	if err := q.SetUnsubscribed(context.Background(), "ada@example.org", false); err != nil {
		t.Fatal(err)
	}
	enqueue(t, db, q, Mail{Key: "k/n3", Kind: notice, To: "ada@example.org", Lang: "en", Letter: Letter{Subject: "Third message", Text: "Hi\n"}})
	waitReceived(t, s, 5)
}

// waitReceived waits until the server holds n messages, and returns them.
func waitReceived(t *testing.T, s *smtpServer, n int) []received {
	t.Helper()
	testwait.For(t, 10*time.Second, func() error {
		if got := len(s.messages()); got != n {
			return fmt.Errorf("server has %d messages, want %d", got, n)
		}
		return nil
	})
	return s.messages()
}
