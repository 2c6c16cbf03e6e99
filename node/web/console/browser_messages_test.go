package console

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserConversation follows a conversation in Chromium: on a phone
// the shopper writes to the merchant from the order page (an empty
// message refused next to the text), the merchant finds it unread on the
// Messages page, reads it on the part's thread and answers; the shopper
// reads the answer on the order page. Each page passes the overflow
// check and axe-core's rules on a phone, and fits on a desktop.
func TestBrowserConversation(t *testing.T) {
	h := newHarness(t)
	c := h.serve(t)
	at, part := h.deliveredToAda()
	check := webtest.NewPageChecker(t)
	checked := func(page string) {
		t.Helper()
		c.fits(page)
		ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
		defer cancel()
		found, err := check.Check(ctx)
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		for _, f := range found {
			t.Errorf("%s on a phone: %s", page, f)
		}
	}
	thread := "#messages-" + part
	c.run("viewport-phone", chromedp.EmulateViewport(390, 844))
	c.shopperSignIn(at)
	c.run("phone-order", chromedp.Navigate(c.base+at), chromedp.WaitVisible(chromedp.CSS(thread+` textarea`)))
	checked("phone order page with no message yet")
	c.run("phone-empty", chromedp.Click(chromedp.CSS(thread+` .thread-send`)), chromedp.WaitVisible(chromedp.CSS(`#f-text-0-error`)))
	checked("phone order page with an empty message refused")
	c.run("phone-written",
		chromedp.SendKeys(chromedp.CSS(`#f-text-0`), "The skillet arrived with a scratch on the riveted handle. Can you send a replacement handle?\nThank you!"),
		chromedp.SendKeys(chromedp.CSS(`#f-picture-0`), "https://img.example/photos/skillet-handle-scratch-2026-12-03.jpg"),
		chromedp.Click(chromedp.CSS(thread+` .thread-send`)),
		chromedp.WaitVisible(chromedp.CSS(thread+` li.thread-message.mine`)),
	)
	checked("phone order page with the shopper's message")

	h.Clock.Advance(time.Hour)
	c.signIn(h.Token)
	c.run("phone-conversations", chromedp.Navigate(c.base+"/merchant/conversations"), chromedp.WaitVisible(chromedp.CSS(`tr.conversation.unread`)))
	checked("phone conversations")
	c.run("phone-thread", chromedp.Click(chromedp.CSS(`tr.conversation a.button`)), chromedp.WaitVisible(chromedp.CSS(`li.thread-message.new`)))
	checked("phone thread to answer")
	h.Clock.Advance(time.Hour)
	c.run("phone-answered",
		chromedp.SendKeys(chromedp.CSS(`#f-text-0`), "Sorry about that! A new handle leaves today with DHL; keep the old one."),
		chromedp.Click(chromedp.CSS(`.thread-send`)),
		chromedp.WaitVisible(chromedp.CSS(`li.thread-message.mine`)),
	)
	checked("phone thread answered")
	c.run("desktop-thread", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`li.thread-message.mine`)))
	c.fits("desktop thread")
	c.run("desktop-conversations", chromedp.Navigate(c.base+"/merchant/conversations"), chromedp.WaitVisible(chromedp.CSS(`tr.conversation`)))
	c.fits("desktop conversations")

	c.shopperSignIn(at) // lands on the order page, which shows the answer as new and marks it read
	c.run("desktop-order", chromedp.WaitVisible(chromedp.CSS(thread+` li.thread-message.new`)))
	c.fits("desktop order page with the answer")
	if got := eval[string](c, `document.querySelector('`+thread+` li.thread-message.new .thread-text').textContent`); !strings.HasPrefix(got, "Sorry about that!") {
		t.Errorf("the shopper reads %q", got)
	}
	c.run("phone-order-answered", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(thread+` li.thread-message`)))
	checked("phone order page with the answer read")
}
