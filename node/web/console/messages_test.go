package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestShopperAndMerchantTalk: a shopper writes about a part from the
// order page (bad input refused next to its input, the text kept); the
// merchant finds the thread on the Messages page, unread first, reads it
// on the part's thread page and answers; the shopper's order page shows
// the answer as new.
func TestShopperAndMerchantTalk(t *testing.T) {
	h := newHarness(t)
	b, at := h.buy(1, h.List(webtest.Input("Desk lamp", "Acme", "Home", 1500, 10)))
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	action := at + "/parts/" + part + "/messages"
	page := b.Get(at)
	wantIn(t, "the order page", page.Body, `<section class="thread" id="messages-`+part+`"`, `action="`+action+`"`, "No messages yet.")

	r := b.Submit(at, action, url.Values{"text": {"   "}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	wantIn(t, "an empty message", r.Body, "The message is required.")
	r = b.Submit(at, action, url.Values{"text": {"Is the shade glass?"}, "picture": {"http://img.example/shade.jpg"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	wantIn(t, "an http picture", r.Body, "The picture link must start with https://", ">Is the shade glass?</textarea>")
	r = b.Submit(at, action, url.Values{"text": {"Is the shade glass?\nThanks"}, "picture": {"https://img.example/shade.jpg"}})
	webtest.WantRedirect(t, r, at+"?done=message-sent#messages-"+part)
	wantIn(t, "the order page after writing", b.Get(at+"?done=message-sent").Body, "Your message was sent to the merchant.",
		`<p class="thread-text">Is the shade glass?`+"\nThanks</p>", `<img src="https://img.example/shade.jpg"`, "<strong>You</strong>")

	h.Clock.Advance(time.Hour)
	m := h.browser()
	m.SignInMerchant(h.Token)
	list := m.Get("/merchant/conversations")
	webtest.WantStatus(t, list, http.StatusOK)
	wantIn(t, "the conversations", list.Body, `<a href="/merchant/conversations" aria-current="page">Messages</a>`,
		`<tr class="conversation unread" data-part="`+part+`">`, "<strong>Shopper:</strong>", "1 new", "Read and answer…")
	wantIn(t, "the orders list", partRowOf(m.Get("/merchant/orders").Body, part), `href="/merchant/orders/`+part+`/messages"`)
	thread := threadURL(part)
	tp := m.Get(thread)
	webtest.WantStatus(t, tp, http.StatusOK)
	wantIn(t, "the thread", tp.Body, "Is the shade glass?", "1 × Desk lamp", `<span class="badge">new</span>`, "Write to the shopper")
	if strings.Contains(tp.Body, "@example") {
		t.Error("the merchant's thread shows an e-mail address")
	}
	wantIn(t, "the conversations once read", m.Get("/merchant/conversations").Body, `<tr class="conversation" data-part="`+part+`">`)

	r = m.Submit(thread, thread, url.Values{"text": {strings.Repeat("x", 2001)}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	wantIn(t, "a long answer", r.Body, "The message has 2001 characters, more than 2000.")
	r = m.Submit(thread, thread, url.Values{"text": {"Yes, mouth-blown glass."}})
	webtest.WantRedirect(t, r, thread+"?done=sent#messages-"+part)
	wantIn(t, "the order page after the answer", b.Get(at).Body, "Yes, mouth-blown glass.", `<span class="badge thread-unread">1 new</span>`)
	if strings.Contains(b.Get(at).Body, "thread-unread") {
		t.Error("the answer is still new once the order page was shown")
	}
	webtest.WantStatus(t, m.Get(threadURL(part+"9")), http.StatusNotFound)
}
