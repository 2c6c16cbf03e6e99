package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// escalatedToBeta makes Beta the charter's arbiter, has Ada complain
// about her skillets (deliveredToAda), the merchant refuse, and the
// storefront escalate; it waits until Beta holds the case and Alpha the
// issue escalated. It returns the order's page, the part and the issue.
func (h *harness) escalatedToBeta() (string, string, string) {
	h.T.Helper()
	ctx := context.Background()
	h.SetTerms(order.ServiceTerms{FirstResponse: 24 * time.Hour, Resolution: 7 * 24 * time.Hour, Arbiter: h.Other.ID.String()})
	at, part := h.deliveredToAda()
	id := strings.TrimPrefix(at, "/orders/")
	i, err := h.Self.Orders.OpenIssue(ctx, "", id, part, order.IssueInput{Category: "not_as_described",
		Description: "The skillet is not carbon steel: it rusts through its coating.", Remedy: order.RemedyRefund, Amount: 4990}, "")
	if err != nil {
		h.T.Fatal(err)
	}
	if _, err := h.Self.Orders.AnswerIssue(ctx, h.Merchant.ID, part, i.ID, order.IssueAnswer{Action: order.IssueActRefuse,
		Text: "Carbon steel rusts when it is not dried: see the care card in the box."}); err != nil {
		h.T.Fatal(err)
	}
	if _, err := h.Self.Orders.EscalateIssue(ctx, "", id, part, i.ID, "The care card was not in the box."); err != nil {
		h.T.Fatal(err)
	}
	testwait.For(h.T, 10*time.Second, func() error {
		_, err := h.Other.Orders.GetCase(ctx, i.ID)
		return err
	})
	testwait.For(h.T, 10*time.Second, func() error {
		if p, err := h.Self.Orders.HomePartOf(ctx, h.Merchant.ID, part); err != nil || p.Issues[0].Arbiter == "" {
			return fmt.Errorf("the issue is not escalated yet (%v)", err)
		}
		return nil
	})
	return at, part, i.ID
}

// askHome has Beta ask the home text and waits until Alpha holds it.
func (h *harness) askHome(part, iid, text string, held int) {
	h.T.Helper()
	ctx := context.Background()
	if _, err := h.Other.Orders.AskCase(ctx, iid, []string{order.SideHome}, text); err != nil {
		h.T.Fatal(err)
	}
	testwait.For(h.T, 10*time.Second, func() error {
		if msgs, err := h.Self.Orders.ArbiterMessages(ctx, part, iid); err != nil || len(msgs) != held {
			return fmt.Errorf("%d arbiter messages at the home (%v)", len(msgs), err)
		}
		return nil
	})
}

// decide has Beta decide a refund of amount and waits until Alpha
// applied it.
func (h *harness) decide(part, iid string, d order.IssueDecision) {
	h.T.Helper()
	ctx := context.Background()
	if _, err := h.Other.Orders.DecideCase(ctx, iid, d); err != nil {
		h.T.Fatal(err)
	}
	testwait.For(h.T, 10*time.Second, func() error {
		if p, err := h.Self.Orders.HomePartOf(ctx, h.Merchant.ID, part); err != nil || p.Issues[0].State != order.IssueDecided {
			return fmt.Errorf("the home's issue is not decided yet (%v)", err)
		}
		return nil
	})
}

// TestMerchantAnswersTheArbiter: on an escalated issue's page the
// merchant reads which member arbitrates and what happens next, with no
// remedy to offer any more; Beta's question shows; an empty answer is
// refused at its input and nothing is sent; an answer reaches Beta's case
// as the home's note and is listed after the question; Beta's refund
// decision shows in words, the form gone, and the part is refunded.
func TestMerchantAnswersTheArbiter(t *testing.T) {
	h := newHarness(t)
	_, part, iid := h.escalatedToBeta()
	m := h.browser()
	m.SignInMerchant(h.Token)
	page := "/merchant/issues/" + iid
	got := m.Get(page)
	webtest.WantStatus(t, got, http.StatusOK)
	for _, want := range []string{`<h2 id="arbiter-heading">The alliance&#39;s arbiter: Beta Bazaar</h2>`,
		"By joining the charter your platform agreed to apply the decision", `<label for="f-arbiter_text">Write to the arbiter</label>`,
		`<p class="muted small no-arbiter-notes">The arbiter has asked you nothing so far.</p>`} {
		wantHTML(t, got, want)
	}
	if strings.Contains(got.Body, "offer-form") {
		t.Error("an escalated issue offers remedies")
	}
	h.askHome(part, iid, "Was a care card in the box? Send a picture of it.", 1)
	got = m.Get(page)
	wantHTML(t, got, `<blockquote class="issue-text">Was a care card in the box? Send a picture of it.</blockquote>`)
	wantHTML(t, got, `<label for="f-arbiter_text">Answer the arbiter</label>`)
	token := webtest.CSRF(t, got)
	r := m.Post(page+"/arbiter", url.Values{"csrf": {token}, "arbiter_text": {"\n "}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "arbiter_text", "Write your answer to the arbiter.")
	r = m.Post(page+"/arbiter", url.Values{"csrf": {token}, "arbiter_text": {"Care card:\x01 yes"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "arbiter_text", "Your answer must be plain text, without control characters.")
	if msgs, _ := h.Self.Orders.ArbiterMessages(t.Context(), part, iid); len(msgs) != 1 {
		t.Fatalf("a refused answer was sent: %d messages", len(msgs))
	}
	h.Clock.Advance(time.Hour)
	webtest.WantRedirect(t, m.Post(page+"/arbiter", url.Values{"csrf": {token}, "arbiter_text": {"Every box has one: https://pics.example/card.jpg"}}),
		page+"?done=arbiter")
	got = m.Get(page + "?done=arbiter")
	webtest.WantText(t, got, inEnglish(t, issueNotices["arbiter"]))
	notes := got.Body[strings.Index(got.Body, `class="plain issue-steps arbiter-notes"`):]
	if q, a := strings.Index(notes, "Was a care card"), strings.Index(notes, "Every box has one"); q < 0 || a < q {
		t.Fatalf("the question and the answer are not in time order (%d, %d)", q, a)
	}
	if !strings.Contains(notes, `<li class="arbiter-note mine">`+"\n      <p><strong>You</strong> answered") {
		t.Errorf("the answer is not the merchant's:\n%s", notes)
	}
	testwait.For(t, 10*time.Second, func() error {
		c, err := h.Other.Orders.GetCase(t.Context(), iid)
		if err == nil && (len(c.Notes) != 2 || c.Notes[1].By != order.SideHome || !strings.HasPrefix(c.Notes[1].Text, "Every box")) {
			err = fmt.Errorf("the case's notes: %+v", c.Notes)
		}
		return err
	})

	h.decide(part, iid, order.IssueDecision{Remedy: order.RemedyRefund, Amount: 2500, Text: "No care card is seen in the shopper's pictures."})
	got = m.Get(page)
	wantHTML(t, got, `<dd class="decision-remedy">a refund of €25.00</dd>`)
	wantHTML(t, got, `<blockquote class="issue-text decision-reasons">No care card is seen in the shopper&#39;s pictures.</blockquote>`)
	wantHTML(t, got, "Beta Bazaar decided. Your platform applies the decision: the refund is paid to the shopper at once")
	if strings.Contains(got.Body, "arbiter-form") {
		t.Error("a decided issue takes answers to the arbiter")
	}
	zh := getIn(m, page, zhAccept)
	wantChinese(t, "the decided issue", zh,
		[]string{`<h2 id="arbiter-heading">联盟仲裁员：Beta Bazaar</h2>`, "Beta Bazaar 已作出裁决。您的平台会执行裁决：款项立即退给购物者",
			"<h3>裁决结果</h3>", `<dd class="decision-remedy">退款 €25.00</dd>`, "<h3>问答记录</h3>", "<strong>Beta Bazaar</strong> 提问于 <time",
			"<strong>您</strong> 答复于 <time", "仲裁员已裁决", "</strong> 请联盟仲裁员裁决，<time", "2026年3月"},
		[]string{"The decision", "Questions and answers", " answered, ", "a refund of", "Decided by the arbiter", "The shopper"})
	if p, err := h.Self.Orders.HomePartOf(t.Context(), h.Merchant.ID, part); err != nil || p.Refunded.Amount != 2500 {
		t.Errorf("the home refunded %+v: %v", p.Refunded, err)
	}
}

// TestBrowserArbiterOnAPhone: in Chromium at 390x844 the merchant's and
// the shopper's pages of an escalated issue, with a question, the
// answer form with an error at its input, an answer sent, and then the
// decision, fit the phone and pass axe-core's rules; both are looked at
// on a desktop too.
func TestBrowserArbiterOnAPhone(t *testing.T) {
	h := newHarness(t)
	c := h.serve(t)
	at, part, iid := h.escalatedToBeta()
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
	h.askHome(part, iid, "Was a care card in the box? If so, send a picture of it, and say where in the box it was (under the skillet, in the handle's sleeve).", 1)
	page, shopperPage := "/merchant/issues/"+iid, at+"/parts/"+part+"/issues/"+iid
	c.run("viewport-phone", chromedp.EmulateViewport(390, 844))
	c.shopperSignIn(at)
	c.run("phone-shopper-question", chromedp.Navigate(c.base+shopperPage), chromedp.WaitVisible(chromedp.CSS(`#answer-arbiter`)))
	checked("phone shopper issue with the arbiter's question")
	c.run("phone-shopper-empty", chromedp.Click(chromedp.CSS(`#answer-arbiter`)), chromedp.WaitVisible(chromedp.CSS(`#f-arbiter_text-error`)))
	checked("phone shopper issue with an empty answer")
	c.signIn(h.Token)
	c.run("phone-arbiter-question", chromedp.Navigate(c.base+page), chromedp.WaitVisible(chromedp.CSS(`#answer-arbiter`)))
	checked("phone merchant issue with the arbiter's question")
	c.run("phone-arbiter-empty", chromedp.Click(chromedp.CSS(`#answer-arbiter`)), chromedp.WaitVisible(chromedp.CSS(`#f-arbiter_text-error`)))
	checked("phone merchant issue with an empty answer")
	c.run("phone-arbiter-answer",
		chromedp.SendKeys(chromedp.CSS(`#f-arbiter_text`), "Every box has one, under the skillet: https://pics.example/care-card-under-the-skillet-in-the-box.jpg"),
		chromedp.Click(chromedp.CSS(`#answer-arbiter`)), chromedp.WaitVisible(chromedp.CSS(`li.arbiter-note.mine`)))
	checked("phone merchant issue with the answer sent")
	// Asked and answered within one minute of the test's clock: the
	// question still comes first.
	if got := eval[[]bool](c, `[...document.querySelectorAll('li.arbiter-note')].map(e => e.classList.contains('mine'))`); len(got) != 2 || got[0] || !got[1] {
		t.Errorf("the notes, mine or not, in the page's order: %v", got)
	}
	h.decide(part, iid, order.IssueDecision{Remedy: order.RemedyRefund, Amount: 2500,
		Text: "No care card is seen in the shopper's pictures, and the listing says nothing of seasoning; half the price is refunded."})
	c.run("phone-arbiter-decided", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.arbiter-decision`)))
	checked("phone merchant issue decided")
	c.run("desktop-arbiter-decided", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.arbiter-decision`)))
	c.fits("desktop merchant issue decided")
	// The same page in Chinese, on both sizes; then back to English.
	c.run("desktop-arbiter-decided-zh", chromedp.Navigate(c.base+page+"?lang=zh-CN"), chromedp.WaitVisible(chromedp.CSS(`.arbiter-decision`)))
	c.fits("desktop merchant issue decided in Chinese")
	if got := eval[string](c, `document.querySelector('#arbiter-heading').textContent`); got != "联盟仲裁员：Beta Bazaar" {
		t.Errorf("the Chinese page's arbiter heading is %q", got)
	}
	c.run("phone-arbiter-decided-zh", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.arbiter-decision`)))
	checked("phone merchant issue decided in Chinese")
	c.run("desktop-arbiter-decided-en", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(c.base+page+"?lang=en"), chromedp.WaitVisible(chromedp.CSS(`.arbiter-decision`)))

	c.shopperSignIn(at)
	c.run("desktop-shopper-decided", chromedp.Navigate(c.base+shopperPage), chromedp.WaitVisible(chromedp.CSS(`.arbiter-decision`)))
	c.fits("desktop shopper issue decided")
	c.run("phone-shopper-decided", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.arbiter-decision`)))
	checked("phone shopper issue decided")
}
