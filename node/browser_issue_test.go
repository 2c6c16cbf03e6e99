package node

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserReturnMessageAndIssueAcrossMembers drives the after-sale
// life of a part in a real Chromium on a two-member federation. A shopper
// on Alpha buys two pans of Beta's merchant; once they are delivered, the
// shopper asks on Alpha's order page to return one and writes to the
// merchant; in Beta's console the merchant approves the return with a
// drop-off code, answers the message, and marks the pan received; the
// shopper's order page shows the refund and the answer. Each step's
// letter is in the mailbox of its side (Alpha's for the shopper, Beta's
// for the merchant). Then the shopper reports the other pan damaged, the
// merchant offers a refund in the console (confirmed first), the shopper
// accepts it on the issue's page, and the refund shows. Every page
// visited passes the page checks on a phone, and is shot at 1280x900 and
// 390x844.
func TestBrowserReturnMessageAndIssueAcrossMembers(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through a two-member federation")
	}
	br := newBrowser(t, 6*time.Minute)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "browser-after", FederationName: "Browser After",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	tokB := newMerchant(t, c, 1, "Bremen Forge")
	pan := listFor(t, c, 1, tokB, "Iron pan", "PAN-1", "Ferro", 4000)
	profile := catalog.MerchantProfileInput{Name: "Bremen Forge", Email: "orders@bremen.example", Country: "DE",
		Policies: catalog.Policies{ReturnDays: 14, ReturnShipping: catalog.ReturnPaidByShopper}}
	if s, body := req(t, "PUT", b.APIURL()+"/v1/merchant/profile", "/v1/merchant/profile", tokB, profile); s != 200 {
		t.Fatalf("profile: %d %s", s, body)
	}
	testwait.For(t, 30*time.Second, func() error {
		p, err := a.Catalog().MerchantProfile(t.Context(), b.PeerID().String(), mustMerchantOf(t, b, pan))
		if err != nil || p.Policies.ReturnDays != 14 {
			return fmt.Errorf("Beta's merchant on Alpha: %+v %v", p.Policies, err)
		}
		return nil
	})
	check := webtest.NewPageChecker(t)
	// both shoots the page at url on a phone, where it must pass the page
	// checks, and on a desktop.
	both := func(name, url string) {
		t.Helper()
		br.run(name+"-phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		br.checkPage(check, url)
		br.run(name+"-desktop", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	}

	// The shopper signs up on Alpha and buys two pans.
	br.run("signup",
		chromedp.Navigate(a.APIURL()+"/signup"),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Grace Hopper"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "grace@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`#f-password`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)),
	)
	for i := range 2 {
		br.run(fmt.Sprintf("add-pan-%d", i), chromedp.Navigate(a.APIURL()+"/listings/"+pan), chromedp.WaitVisible(chromedp.CSS(`#add-to-cart`)),
			chromedp.Click(chromedp.CSS(`#add-to-cart`)), chromedp.WaitVisible(chromedp.CSS(`.cart-group`)))
	}
	br.run("checkout",
		chromedp.Navigate(a.APIURL()+"/checkout"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-line1`), "12 St James's Square"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-city`), "London"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-postal_code`), "SW1Y 4LB"),
		chromedp.SetValue(chromedp.CSS(`#f-shipping_address-country`), "GB"),
		chromedp.Click(chromedp.CSS(`input[name="payment.method"][value="sandbox_card"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-payment-card_number`), "4242424242424242"),
		chromedp.Click(chromedp.CSS(`#place-order`)),
		chromedp.WaitVisible(chromedp.CSS(`li.part`)),
	)
	orderURL := eval[string](br, `location.origin + location.pathname`)
	part := partOn(t, b, tokB)
	testwait.For(t, 30*time.Second, func() error {
		if p, err := b.Orders().HomePartOf(t.Context(), "", part); err != nil || p.Status != order.StatusAccepted {
			return fmt.Errorf("the part on Beta: %+v %v", p.Status, err)
		}
		return nil
	})
	shipAndDeliver(t, b, tokB, part)
	inPart := `li.part[data-part="` + part + `"] `

	// The shopper asks to return one pan, and writes to the merchant.
	br.reloadUntil("delivered", orderURL, `document.querySelector('`+inPart+`a.return-some') !== null`, 30*time.Second)
	returnForm := a.APIURL() + "/orders/" + strings.TrimPrefix(orderURL, a.APIURL()+"/orders/") + "/parts/" + part + "/return"
	both("return-form", returnForm)
	br.run("request-return",
		chromedp.SendKeys(chromedp.CSS(`input[name="lines[0].quantity"]`), "1"),
		chromedp.SetValue(chromedp.CSS(`select[name="reason"]`), "damaged"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="note"]`), "The handle is loose."),
		chromedp.Click(chromedp.CSS(`#request-return`)),
		chromedp.WaitVisible(chromedp.CSS(inPart+`.part-return`)),
	)
	br.run("write-to-merchant",
		chromedp.SendKeys(chromedp.CSS(inPart+`textarea[name="text"]`), "Can I drop the pan off at a DHL shop?"),
		chromedp.Click(chromedp.CSS(inPart+`.thread-send`)),
		chromedp.WaitVisible(chromedp.CSS(inPart+`.thread-message.mine`)),
	)
	asked := waitLetter(t, c, 1, mail.KindReturnRequested)
	note := waitLetter(t, c, 1, mail.KindNoteToMerchant)
	if asked[0].To != "orders@bremen.example" || !strings.Contains(asked[0].Text, "The handle is loose.") ||
		note[0].To != "orders@bremen.example" || !strings.Contains(note[0].Text, "DHL shop") {
		t.Errorf("the merchant's letters: %s: %q\n%s: %q", asked[0].To, asked[0].Text, note[0].To, note[0].Text)
	}

	// In Beta's console the merchant approves the return and answers.
	br.run("merchant-signin",
		chromedp.Navigate(b.APIURL()+"/merchant/signin"),
		chromedp.SendKeys(chromedp.CSS(`#f-token`), tokB),
		chromedp.Submit(chromedp.CSS(`#f-token`)),
		chromedp.WaitVisible(chromedp.CSS(`.area-nav`)),
	)
	row := `tr.return[data-part="` + part + `"]`
	br.reloadUntil("merchant-returns", b.APIURL()+"/merchant/returns", `document.querySelector('`+row+`[data-state="requested"]') !== null`, 30*time.Second)
	returnPage := eval[string](br, `document.querySelector('`+row+` a').href`)
	both("merchant-return", returnPage)
	br.run("approve-return",
		chromedp.SendKeys(chromedp.CSS(`input[name="drop_off_code"]`), "DHL-7731"),
		chromedp.Click(chromedp.CSS(`#approve-return`)),
		until(`location.search.includes('done=approved') && document.readyState === 'complete'`, 20*time.Second),
	)
	threadPage := b.APIURL() + "/merchant/orders/" + part + "/messages"
	br.run("merchant-thread", chromedp.Navigate(threadPage), chromedp.WaitVisible(chromedp.CSS(`.thread-message`)))
	br.run("merchant-answers",
		chromedp.SendKeys(chromedp.CSS(`textarea[name="text"]`), "Yes: give them the code DHL-7731."),
		chromedp.Click(chromedp.CSS(`.thread-send`)),
		chromedp.WaitVisible(chromedp.CSS(`.thread-message.mine`)),
	)
	approved := waitLetter(t, c, 0, mail.KindReturnApproved)
	answer := waitLetter(t, c, 0, mail.KindNoteToShopper)
	if approved[0].To != "grace@example.org" || !strings.Contains(approved[0].Text, "DHL-7731") ||
		answer[0].To != "grace@example.org" || !strings.Contains(answer[0].Text, "give them the code") {
		t.Errorf("the shopper's letters: %s: %q\n%s: %q", approved[0].To, approved[0].Text, answer[0].To, answer[0].Text)
	}
	br.run("merchant-receives",
		chromedp.Navigate(returnPage),
		chromedp.WaitVisible(chromedp.CSS(`#receive-return`)),
		chromedp.Click(chromedp.CSS(`#receive-return`)),
		until(`location.search.includes('done=received') && document.readyState === 'complete'`, 20*time.Second),
	)
	received := waitLetter(t, c, 0, mail.KindReturnReceived)
	if !strings.Contains(received[0].Subject, "€40.00") {
		t.Errorf("the shopper's receipt letter: %q", received[0].Subject)
	}

	// Alpha's order page shows the refund and the merchant's answer.
	br.reloadUntil("shopper-sees-refund", orderURL,
		`(document.querySelector('`+inPart+`.return-refund') || {}).textContent === '€40.00 refunded' &&
		Array.from(document.querySelectorAll('`+inPart+`.thread-message:not(.mine)')).some(m => m.textContent.includes('DHL-7731'))`, 30*time.Second)

	// The other pan is damaged: the shopper reports it, asking €10.00.
	br.run("report-problem",
		chromedp.Click(chromedp.CSS(inPart+`a.report-problem`)),
		chromedp.WaitVisible(chromedp.CSS(`#issue-form`)),
	)
	issueForm := eval[string](br, `location.href`)
	both("issue-form", issueForm)
	br.run("open-issue",
		chromedp.SetValue(chromedp.CSS(`select[name="category"]`), "damaged"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="description"]`), "The enamel is chipped."),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="evidence"]`), "https://pics.example/pan.jpg"),
		chromedp.Click(chromedp.CSS(`#remedy-refund`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="amount"]`), "10"),
		chromedp.Click(chromedp.CSS(`#open-issue`)),
		chromedp.WaitVisible(chromedp.CSS(`.issue-page`)),
	)
	issuePage := eval[string](br, `location.origin + location.pathname`)
	if got := br.text(`.issue-asked`); got != "a refund of €10.00" {
		t.Errorf("the issue asks %q", got)
	}
	both("issue-open", issuePage)

	// The merchant finds it first on the Issues page, and offers €10.00.
	issueRow := `tr.issue[data-part="` + part + `"]`
	br.reloadUntil("merchant-issues", b.APIURL()+"/merchant/issues", `document.querySelector('`+issueRow+`[data-state="open"]') !== null`, 30*time.Second)
	merchantIssue := eval[string](br, `document.querySelector('`+issueRow+` a').href`)
	both("merchant-issues", b.APIURL()+"/merchant/issues")
	both("merchant-issue", merchantIssue)
	if got := br.text(`.refundable-left`); got != "€40.00" {
		t.Errorf("the refundable rest shown is %q, want the €40.00 of the pan kept", got)
	}
	br.run("offer-refund",
		chromedp.Click(chromedp.CSS(`#offer-refund`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="amount"]`), "10"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="offer_text"]`), "Sorry about the enamel."),
		chromedp.Click(chromedp.CSS(`#offer-remedy`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-offer`)),
	)
	br.run("confirm-offer-phone", chromedp.EmulateViewport(390, 844))
	br.checkPage(check, "the offer's confirmation")
	br.run("confirm-offer-desktop", chromedp.EmulateViewport(1280, 900))
	if got := br.text(`#confirm-offer`); got != "Offer a refund of €10.00" {
		t.Errorf("the confirmation's button says %q", got)
	}
	br.run("confirm-offer",
		chromedp.Click(chromedp.CSS(`#confirm-offer`)),
		until(`location.search.includes('done=offer') && document.readyState === 'complete'`, 20*time.Second),
	)

	// The shopper accepts on the issue's page: the button says the amount.
	br.reloadUntil("shopper-sees-offer", issuePage, `document.getElementById('accept-offer') !== null`, 30*time.Second)
	if got := br.text(`#accept-offer`); got != "Accept the refund of €10.00" {
		t.Errorf("the accept button says %q", got)
	}
	both("issue-offer", issuePage)
	br.run("accept-offer",
		chromedp.Click(chromedp.CSS(`#accept-offer`)),
		until(`location.search.includes('done=accept') && document.readyState === 'complete'`, 20*time.Second),
	)
	br.reloadUntil("issue-resolved", issuePage, `document.querySelector('.issue-page[data-state="resolved"]') !== null`, 30*time.Second)
	br.reloadUntil("shopper-sees-issue-refund", orderURL,
		`Array.from(document.querySelectorAll('`+inPart+`.part-refund')).some(r => r.textContent.includes('Refunded €10.00'))`, 30*time.Second)
	p, err := b.Orders().HomePartOf(t.Context(), "", part)
	if err != nil || len(p.Refunds) != 2 || p.Refunds[1].Amount.Amount != 1000 {
		t.Errorf("Beta's part's refunds: %+v %v", p.Refunds, err)
	}
	for name, u := range map[string]string{"order": orderURL, "issue-resolved": issuePage, "merchant-issue-resolved": merchantIssue,
		"merchant-returns": b.APIURL() + "/merchant/returns", "merchant-conversations": b.APIURL() + "/merchant/conversations", "merchant-thread": threadPage} {
		both(name, u)
	}
}

// waitLetter waits until member i's mailbox (GET /v1/mail/messages, as
// the operator reads it) holds a letter of kind, and returns those. It
// reads the messages without checking them against the OpenAPI
// document, which does not name the "unsubscribe" of notifications yet.
func waitLetter(t *testing.T, c *Cluster, i int, kind string) []mail.Message {
	t.Helper()
	get := func(path string, v any) error {
		r, err := http.NewRequestWithContext(t.Context(), "GET", c.Nodes[i].APIURL()+path, nil)
		if err != nil {
			return err
		}
		r.Header.Set("Authorization", "Bearer "+c.Tokens[i])
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return json.NewDecoder(resp.Body).Decode(v)
	}
	var out []mail.Message
	testwait.For(t, 20*time.Second, func() error {
		out = out[:0]
		var page struct{ Messages []mail.Summary }
		if err := get("/v1/mail/messages?limit=100", &page); err != nil {
			return err
		}
		for _, m := range page.Messages {
			var full mail.Message
			if m.Kind != kind {
				continue
			}
			if err := get("/v1/mail/messages/"+m.ID, &full); err != nil {
				return err
			}
			if full.Status != mail.StatusMailbox {
				return fmt.Errorf("%s's %s is %s", c.Nodes[i].Name(), kind, full.Status)
			}
			out = append(out, full)
		}
		if len(out) == 0 {
			return fmt.Errorf("%s has no %s in its mailbox", c.Nodes[i].Name(), kind)
		}
		return nil
	})
	return out
}
