package storefront

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestShopperAnswersTheArbiter: Beta is the charter's arbiter and the
// home of a chair a shopper bought on Alpha's storefront; its merchant
// lets the first answer's deadline pass and the shopper escalates. The
// page names Beta as the arbiter and says what happens next; Beta asks
// the storefront a question, which the page shows; an empty answer is
// refused at its input and nothing is sent; an answer is relayed to
// Beta's case as the storefront's note and listed after the question;
// Beta decides a refund, and the page shows it in words, with no form.
func TestShopperAnswersTheArbiter(t *testing.T) {
	h := newHarness(t)
	h.opts.SessionTTL = 30 * 24 * time.Hour
	h.rebuild()
	ctx := context.Background()
	h.SetTerms(order.ServiceTerms{FirstResponse: 24 * time.Hour, Resolution: 7 * 24 * time.Hour, Arbiter: h.Other.ID.String()})
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	b, at := h.buy(1, chair)
	id := strings.TrimPrefix(at, "/orders/")
	part := id + "-1"
	if _, err := h.Other.Orders.Ship(ctx, "", part, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Other.Orders.Deliver(ctx, "", part); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		o, err := h.Self.Orders.GetOrder(ctx, "", id)
		if err == nil && o.Parts[0].Status != order.StatusDelivered {
			err = fmt.Errorf("part is %s", o.Parts[0].Status)
		}
		return err
	})
	i, err := h.Self.Orders.OpenIssue(ctx, "", id, part, order.IssueInput{Category: "damaged", Description: "A leg is split.",
		Remedy: order.RemedyRefund, Amount: 6000}, "")
	if err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		got, err := h.Self.Orders.PartIssue(ctx, "", id, part, i.ID)
		if err == nil && got.Seq == 0 {
			err = fmt.Errorf("issue not recorded by its home yet")
		}
		return err
	})
	page := at + "/parts/" + part + "/issues/" + i.ID
	if strings.Contains(b.Get(page).Body, "issue-arbiter") {
		t.Fatal("an issue not escalated names an arbiter")
	}
	h.Clock.Advance(25 * time.Hour)
	got := b.Get(page)
	webtest.WantRedirect(t, b.Post(page+"/escalate", url.Values{"csrf": {webtest.CSRF(t, got)}, "escalate": {"No answer in a day."}}), page+"?done=escalated")
	testwait.For(t, 10*time.Second, func() error {
		_, err := h.Other.Orders.GetCase(ctx, i.ID)
		return err
	})
	testwait.For(t, 10*time.Second, func() error {
		if got, err := h.Self.Orders.PartIssue(ctx, "", id, part, i.ID); err != nil || got.Arbiter == "" {
			return fmt.Errorf("the storefront has no arbiter for the issue yet (%v)", err)
		}
		return nil
	})
	got = b.Get(page)
	wantAll(t, "the escalated issue", got.Body, `<h2 id="arbiter-heading">The alliance&#39;s arbiter: Beta Bazaar</h2>`,
		"Beta Bazaar, the member of the alliance its charter names as arbiter, reads the whole signed thread",
		`<p class="muted small no-arbiter-notes">The arbiter has asked you nothing so far.</p>`, `<label for="f-arbiter_text">Write to the arbiter</label>`,
		"Alpha Market sends your words to it as the storefront&#39;s note")

	if _, err := h.Other.Orders.AskCase(ctx, i.ID, []string{order.SideStorefront}, "When did you notice the split leg?"); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		if msgs, err := h.Self.Orders.ArbiterMessages(ctx, part, i.ID); err != nil || len(msgs) != 1 {
			return fmt.Errorf("%d arbiter messages at the storefront (%v)", len(msgs), err)
		}
		return nil
	})
	got = b.Get(page)
	wantAll(t, "the question", got.Body, `<strong>Beta Bazaar</strong> asked, <time datetime="2026-03-02T`,
		`<blockquote class="issue-text">When did you notice the split leg?</blockquote>`, `<label for="f-arbiter_text">Answer the arbiter</label>`)
	token := webtest.CSRF(t, got)
	r := b.Post(page+"/arbiter", url.Values{"csrf": {token}, "arbiter_text": {"  "}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "arbiter_text", "Write your answer to the arbiter.")
	r = b.Post(page+"/arbiter", url.Values{"csrf": {token}, "arbiter_text": {strings.Repeat("é", 2001)}})
	webtest.HasFieldError(t, r.Body, "arbiter_text", "Your answer is 2001 characters long; keep it to 2000.")
	if msgs, _ := h.Self.Orders.ArbiterMessages(ctx, part, i.ID); len(msgs) != 1 {
		t.Fatalf("a refused answer was sent: %d messages", len(msgs))
	}
	h.Clock.Advance(time.Hour)
	webtest.WantRedirect(t, b.Post(page+"/arbiter", url.Values{"csrf": {token}, "arbiter_text": {"When I unpacked it, <b>the day</b> it came."}}), page+"?done=arbiter")
	got = b.Get(page + "?done=arbiter")
	webtest.WantText(t, got, issueNotices["arbiter"])
	notes := got.Body[strings.Index(got.Body, `class="plain issue-steps arbiter-notes"`):]
	q, a := strings.Index(notes, "When did you notice"), strings.Index(notes, "When I unpacked it, &lt;b&gt;the day&lt;/b&gt; it came.")
	if q < 0 || a < 0 || a < q {
		t.Fatalf("the question and the answer are not in time order (%d, %d):\n%s", q, a, notes)
	}
	wantAll(t, "the answer", notes, `<li class="arbiter-note mine">`, `<strong>You, through Alpha Market</strong> answered`)
	testwait.For(t, 10*time.Second, func() error {
		c, err := h.Other.Orders.GetCase(ctx, i.ID)
		if err == nil && (len(c.Notes) != 2 || c.Notes[1].By != order.SideStorefront) {
			err = fmt.Errorf("the case's notes: %+v", c.Notes)
		}
		return err
	})

	if _, err := h.Other.Orders.DecideCase(ctx, i.ID, order.IssueDecision{Remedy: order.RemedyRefund, Amount: 4500,
		Text: "The split shows in the picture; the leg can be glued."}); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		if got, err := h.Self.Orders.PartIssue(ctx, "", id, part, i.ID); err != nil || got.State != order.IssueDecided {
			return fmt.Errorf("the storefront's issue is %s (%v)", got.State, err)
		}
		return nil
	})
	got = b.Get(page)
	wantAll(t, "the decision", got.Body, `<dd class="decision-remedy">a refund of €45.00</dd>`,
		`<blockquote class="issue-text decision-reasons">The split shows in the picture; the leg can be glued.</blockquote>`,
		"Beta Bazaar decided. The merchant&#39;s platform applies the decision: the refund is paid to how you paid")
	if strings.Contains(got.Body, "arbiter-form") {
		t.Error("a decided issue takes answers to the arbiter")
	}
	// In Chinese, the arbiter's part says the same: who it is, what
	// happens next, the decision in yuan's words and the notes.
	zh := b.Get(page + "?lang=zh-CN").Body
	wantAll(t, "the decision in zh-CN", zh, `<h2 id="arbiter-heading">联盟仲裁员：Beta Bazaar</h2>`,
		"Beta Bazaar 已作出裁决。商家所在平台会执行裁决：款项将退回您的支付方式", "<h3>裁决结果</h3>", `<dd class="decision-remedy">退款 €45.00</dd>`,
		"仲裁员的理由：", "<h3>问答记录</h3>", `<strong>Beta Bazaar</strong> 提问于 <time datetime="2026-03-02T`, "<strong>您（经由 Alpha Market）</strong> 答复于 <time",
		"2026年3月")
	for _, english := range []string{"The decision", "The arbiter&#39;s reasons", "Questions and answers", " asked, ", " answered, ", "a refund of"} {
		if strings.Contains(zh, english) {
			t.Errorf("the zh-CN issue page still says %q", english)
		}
	}
	// The order's page names the destination's country in Chinese too.
	if o := b.Get(at).Body; !strings.Contains(o, "London, 英国</dd>") || strings.Contains(o, "United Kingdom") {
		t.Errorf("the zh-CN order page does not name the country in Chinese:\n%s", o)
	}
}
