package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// withCase makes Alpha the charter's arbiter and takes an issue to it: a
// shopper on Alpha's storefront complains about a pan homed on Beta,
// whose merchant lets the first-response deadline pass, and escalates.
// It returns the issue (the case's id) and its part.
func withCase(t *testing.T, h *harness) (order.Issue, string) {
	t.Helper()
	ctx := context.Background()
	h.SetTerms(order.ServiceTerms{FirstResponse: 24 * time.Hour, Resolution: 7 * 24 * time.Hour, Arbiter: h.Self.ID.String()})
	pan := h.ListOther(webtest.Input("Cast-iron pan, 28 cm, with a rather long name for a phone", "Forge", "kitchen", 4990, 10))
	o := buy(t, h, 1, pan)
	part := o.Parts[0].ID
	if _, err := h.Other.Orders.Ship(ctx, "", part, "DHL", "JD1"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Other.Orders.Deliver(ctx, "", part); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		got, err := h.Self.Orders.GetOrder(ctx, "", o.ID)
		if err == nil && got.Parts[0].Status != order.StatusDelivered {
			err = fmt.Errorf("part is %s", got.Parts[0].Status)
		}
		return err
	})
	i, err := h.Self.Orders.OpenIssue(ctx, "", o.ID, part, order.IssueInput{Category: "damaged", Description: "The pan came <b>dented</b>;\nthe lid is cracked.",
		Evidence: []string{"https://img.example/dent.jpg"}, Remedy: order.RemedyRefund, Amount: 2000}, "")
	if err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		got, err := h.Self.Orders.PartIssue(ctx, "", o.ID, part, i.ID)
		if err == nil && got.Seq == 0 {
			err = fmt.Errorf("issue not recorded by its home yet")
		}
		return err
	})
	h.Clock.Advance(25 * time.Hour)
	if _, err := h.Self.Orders.EscalateIssue(ctx, "", o.ID, part, i.ID, "No answer in a day."); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		c, err := h.Self.Orders.GetCase(ctx, i.ID)
		if err == nil && len(c.Copies) != 2 {
			err = fmt.Errorf("case with %d copies", len(c.Copies))
		}
		return err
	})
	return i, part
}

// TestArbiterPages: the operator of the arbiter sees the case, urgent
// first, with its thread; asks the home; a decision with a bad amount
// names the field; a good one is confirmed on a page of its own before
// it is sent; Beta applies it; the service records show Beta's.
func TestArbiterPages(t *testing.T) {
	h := newHarness(t)
	i, part := withCase(t, h)
	b := h.operator()
	list := b.Get("/operator/cases")
	webtest.WantStatus(t, list, http.StatusOK)
	path := "/operator/cases/" + i.ID
	for _, want := range []string{`href="` + path + `"`, "Waiting for a decision", webtest.OtherName, "Refund of €20.00"} {
		if !strings.Contains(list.Body, want) {
			t.Errorf("the cases page lacks %q", want)
		}
	}
	page := b.Get(path)
	webtest.WantStatus(t, page, http.StatusOK)
	for _, want := range []string{"opened the issue", "escalated", "The pan came &lt;b&gt;dented&lt;/b&gt;;", "first-response deadline", "€49.90"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}

	// A question to the home.
	r := b.Submit(path, path+"/notes", url.Values{"to": {"home"}, "text": {""}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "text", "Write the question.")
	r = b.Submit(path, path+"/notes", url.Values{"to": {"home"}, "text": {"Was it padded?"}})
	webtest.WantRedirect(t, r, path+"?done=asked")
	testwait.For(t, 10*time.Second, func() error {
		ms, err := h.Other.Orders.ArbiterMessages(context.Background(), part, i.ID)
		if err == nil && len(ms) != 1 {
			err = fmt.Errorf("Beta holds %d notes", len(ms))
		}
		return err
	})

	// Bad decisions name the field; nothing is decided.
	r = b.Submit(path, path+"/decision", url.Values{"remedy": {"refund"}, "amount": {"50.00"}, "text": {"dented"}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "amount", "The amount is more than the €49.90 of items left to refund.")
	r = b.Submit(path, path+"/decision", url.Values{"remedy": {"refund"}, "amount": {"20"}, "text": {" "}})
	webtest.HasFieldError(t, r.Body, "text", "Give the reasons for the decision; both sides read them.")
	// A good one asks first.
	confirm := b.Submit(path, path+"/decision", url.Values{"remedy": {"refund"}, "amount": {"20"}, "text": {"The photos show the dent."}})
	webtest.WantStatus(t, confirm, http.StatusOK)
	for _, want := range []string{"Decide this case?", "as a refund of €20.00", `name="confirm" value="yes"`} {
		if !strings.Contains(confirm.Body, want) {
			t.Errorf("the confirmation lacks %q", want)
		}
	}
	if c, _ := h.Self.Orders.GetCase(context.Background(), i.ID); c.State != order.CaseOpen {
		t.Fatalf("decided before confirming: %s", c.State)
	}
	r = b.Post(path+"/decision", url.Values{"csrf": {webtest.CSRF(t, confirm)}, "remedy": {"refund"}, "amount": {"20"}, "text": {"The photos show the dent."}, "confirm": {"yes"}})
	webtest.WantRedirect(t, r, path+"?done=decided")
	testwait.For(t, 10*time.Second, func() error {
		hp, err := h.Other.Orders.HomePartOf(context.Background(), "", part)
		if err == nil && hp.Refunded.Amount != 2000 {
			err = fmt.Errorf("Beta refunded %d", hp.Refunded.Amount)
		}
		return err
	})
	if page := b.Get(path); !strings.Contains(page.Body, "Decided") || strings.Contains(page.Body, `id="decide"`) {
		t.Errorf("the decided case still offers the form")
	}

	records := b.Get("/operator/service-records")
	webtest.WantStatus(t, records, http.StatusOK)
	for _, want := range []string{webtest.OtherName, "100%", "(1 of 1)"} {
		if !strings.Contains(records.Body, want) {
			t.Errorf("the service records lack %q", want)
		}
	}
	if r := h.browser().Get("/operator/cases"); r.Code != http.StatusSeeOther {
		t.Errorf("the cases without signing in: %d", r.Code)
	}
	if r := b.Post(path+"/decision", url.Values{"remedy": {"none"}, "text": {"x"}, "confirm": {"yes"}}); r.Code != http.StatusForbidden {
		t.Errorf("a decision without the CSRF token: %d", r.Code)
	}
}

// TestArbiterPagesInChromium looks at the cases, a case and the service
// records at a phone's and a desktop's size: axe-core finds nothing
// serious and nothing overflows on the phone.
func TestArbiterPagesInChromium(t *testing.T) {
	h := newHarness(t)
	i, _ := withCase(t, h)
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
		pages := map[string]string{"cases": "/operator/cases", "case": "/operator/cases/" + i.ID, "records": "/operator/service-records"}
		for name, path := range pages {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
				t.Fatal(err)
			}
			check.Shoot(t, ctx, shots, fmt.Sprintf("arbiter-%s-%d.png", name, size.w), size.w, path)
		}
	}
}
