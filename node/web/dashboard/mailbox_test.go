package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// withMail puts n letters in Alpha's mailbox (the sender runs until the
// test ends), the first with a hostile subject, name and HTML, and
// returns their ids, newest first.
func withMail(t *testing.T, h *harness, n int) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = h.mail.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	for i := range n {
		l, err := mail.Render(mail.KindOrderConfirmation, "en", mail.Order{Store: "Alpha Market", StoreURL: "http://alpha.example/", ID: fmt.Sprintf("ord_%04d", i),
			URL: "http://alpha.example/orders/ord", Shopper: "Ada <b>Lovelace</b>", Total: "€74.00", Shipping: "€4.00",
			ShipTo: []string{"Ada Lovelace", "1 Main Street with a rather long name that must wrap on a phone", "10115 Berlin", "DE"},
			Parts: []mail.Part{{ID: fmt.Sprintf("ord_%04d-1", i), Merchant: "<script>alert(1)</script> Forge", Items: []mail.Item{{Title: "Cast-iron skillet, 28 cm, pre-seasoned", Quantity: 2, Price: "€35.00", Amount: "€70.00"}},
				Shipping: "€4.00", Total: "€74.00"}}})
		if err != nil {
			t.Fatal(err)
		}
		m := mail.Mail{Key: fmt.Sprintf("order/ord_%04d", i), Kind: mail.KindOrderConfirmation, To: "ada.lovelace@example.org", ToName: "Ada <b>Lovelace</b>", Letter: l}
		if err := h.Self.DB.Update(func(txn *badger.Txn) error { return h.mail.Enqueue(txn, m) }); err != nil {
			t.Fatal(err)
		}
		h.Clock.Advance(time.Second)
	}
	h.mail.Notify()
	var ids []string
	testwait.For(t, 10*time.Second, func() error {
		list, _, err := h.mail.Messages(context.Background(), "", 100)
		ids = ids[:0]
		for _, s := range list {
			if s.Status != mail.StatusMailbox {
				return fmt.Errorf("%s is %s", s.ID, s.Status)
			}
			ids = append(ids, s.ID)
		}
		if err == nil && len(ids) != n {
			err = fmt.Errorf("%d of %d in the mailbox", len(ids), n)
		}
		return err
	})
	return ids
}

func TestMailboxPages(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	r := b.Get("/operator/mail")
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "No e-mail yet") || !strings.Contains(r.Body, `href="/operator/mail"`) {
		t.Errorf("an empty mailbox:\n%s", r.Body)
	}
	ids := withMail(t, h, mailPageSize+2)
	r = b.Get("/operator/mail")
	webtest.WantStatus(t, r, http.StatusOK)
	for _, want := range []string{`<tr data-id="` + ids[0] + `">`, `<a href="/operator/mail/` + ids[0] + `">Alpha Market: your order ord_0026 is placed</a>`,
		"Ada &lt;b&gt;Lovelace&lt;/b&gt;", "ada.lovelace@example.org", "Order confirmation", "In the mailbox", `href="/operator/mail?cursor=`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("mailbox lacks %s", want)
		}
	}
	if strings.Contains(r.Body, ids[mailPageSize]) {
		t.Error("the first page lists more than a page")
	}
	older := b.Get("/operator/mail?cursor=" + ids[mailPageSize-1])
	if !strings.Contains(older.Body, ids[mailPageSize+1]) || strings.Contains(older.Body, `data-id="`+ids[0]+`"`) || !strings.Contains(older.Body, "Newest messages") {
		t.Errorf("the second page:\n%s", older.Body)
	}
	webtest.WantStatus(t, b.Get("/operator/mail?cursor=nope"), http.StatusNotFound)

	m := b.Get("/operator/mail/" + ids[0])
	webtest.WantStatus(t, m, http.StatusOK)
	for _, want := range []string{"<pre class=\"mail-text\">", "2 × Cast-iron skillet", "&lt;script&gt;alert(1)&lt;/script&gt; Forge", `sandbox srcdoc="`, "fedmart@localhost"} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("message page lacks %s", want)
		}
	}
	if strings.Contains(m.Body, "<script>alert") {
		t.Error("the message page carries the merchant's script")
	}
	webtest.WantStatus(t, b.Get("/operator/mail/000000000000000000000000"), http.StatusNotFound)
	webtest.WantStatus(t, b.Get("/operator/mail/..%2f"), http.StatusNotFound)
	if r := h.browser().Get("/operator/mail"); r.Code != http.StatusSeeOther {
		t.Errorf("the mailbox without signing in: %d", r.Code)
	}
}

// TestMailboxInChromium looks at the mailbox and a message as the
// operator does, at a phone's and a desktop's size: nothing overflows on
// the phone.
func TestMailboxInChromium(t *testing.T) {
	h := newHarness(t)
	ids := withMail(t, h, 3)
	srv := httptest.NewServer(h.handler)
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	shots := os.Getenv("FEDMART_SCREENSHOTS")
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		ctx := webtest.Chrome(t, size.w, size.h)
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/operator/signin"), chromedp.SendKeys(chromedp.CSS(`#f-token`), webtest.Operator),
			chromedp.Submit(chromedp.CSS(`#f-token`)), chromedp.WaitVisible(chromedp.CSS(`.area-nav`))); err != nil {
			t.Fatal(err)
		}
		for name, path := range map[string]string{"mailbox": "/operator/mail", "message": "/operator/mail/" + ids[0]} {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
				t.Fatal(err)
			}
			check.Shoot(t, ctx, shots, fmt.Sprintf("mailbox-%s-%d.png", name, size.w), size.w, path)
		}
	}
}
