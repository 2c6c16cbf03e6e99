package node

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserReviewWrittenAndShown drives a shopper on Alpha through
// buying a pan rack from Beta, having it delivered, and reviewing it from
// the order page (first without stars, which the form refuses at its
// input); the listing page shows the review as text, its histogram and
// stars, and the search sorts by rating and keeps "4 ★ & up". Every page
// passes the page checks on a phone.
func TestBrowserReviewWrittenAndShown(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through a two-member federation")
	}
	br := newBrowser(t, 4*time.Minute)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "browser-reviews", FederationName: "Browser Reviews",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	tokB := newMerchant(t, c, 1, "Bremen Forge")
	rack := listFor(t, c, 1, tokB, "Pan rack", "RACK-1", "Holzwerk", 2900)
	listFor(t, c, 1, tokB, "Cast-iron pan", "PAN-1", "Ferro", 4900)

	br.run("signup",
		chromedp.Navigate(a.APIURL()+"/signup"),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Ada Lovelace"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "ada@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`#f-password`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)),
	)
	br.run("add-rack",
		chromedp.Navigate(a.APIURL()+"/listings/"+rack),
		chromedp.WaitVisible(chromedp.CSS(`#add-to-cart`)),
		chromedp.Click(chromedp.CSS(`#add-to-cart`)),
		chromedp.WaitVisible(chromedp.CSS(`.cart-group`)),
	)
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
	orderURL := eval[string](br, `location.href`)
	part := partOn(t, b, tokB)
	shipAndDeliver(t, b, tokB, part)
	br.reloadUntil("delivered", orderURL, `document.querySelector('a.review-link') !== null`, 30*time.Second)

	br.run("review-form", chromedp.Click(chromedp.CSS(`a.review-link`)), chromedp.WaitVisible(chromedp.CSS(`#review-form`)))
	reviewForm := eval[string](br, `location.href`)
	br.run("review-without-stars",
		chromedp.SendKeys(chromedp.CSS(`#f-title`), "Sturdy <b>and</b> plain"),
		chromedp.Click(chromedp.CSS(`#review-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-rating .field-error`)),
	)
	br.run("review-written",
		chromedp.Click(chromedp.CSS(`input[name="rating"][value="4"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-text`), "Holds four pans.\n<script>alert(1)</script>"),
		chromedp.Click(chromedp.CSS(`#review-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#reviews .review`)),
	)
	shown := eval[string](br, `document.querySelector('#reviews').innerText`)
	for _, want := range []string{"Sturdy <b>and</b> plain", "<script>alert(1)</script>", "Ada L.", "4.00 out of 5, 1 review"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the reviews section does not show %q as text:\n%s", want, shown)
		}
	}
	if eval[int](br, `document.querySelectorAll('#reviews b, #reviews script').length`) != 0 {
		t.Error("the review's text became markup")
	}
	if !eval[bool](br, `Array.from(document.querySelectorAll('script[type="application/ld+json"]')).some(s => {
		const d = JSON.parse(s.textContent); return d.aggregateRating && d.aggregateRating.ratingValue === "4.00" && d.review && d.review.length === 1 })`) {
		t.Error("the listing's JSON-LD has no aggregateRating and review")
	}

	// Search: by rating the rack comes first (newest first it does not),
	// and "4 ★ & up" keeps it alone.
	br.run("search-by-rating", chromedp.Navigate(a.APIURL()+"/search?q=&sort=rating"), chromedp.WaitVisible(chromedp.CSS(`.cards`)))
	if first := eval[string](br, `document.querySelector('.cards .card h3').textContent.trim()`); first != "Pan rack" {
		t.Errorf("sorted by rating, the first result is %q", first)
	}
	br.run("four-stars-and-up",
		chromedp.Click(chromedp.CSS(`.rating-facet a`)),
		until(`location.search.includes('min_rating=4') && document.readyState === 'complete'`, 20*time.Second),
		chromedp.WaitVisible(chromedp.CSS(`.cards`)),
	)
	if titles := eval[[]string](br, `Array.from(document.querySelectorAll('.cards .card h3')).map(e => e.textContent.trim())`); strings.Join(titles, "|") != "Pan rack" {
		t.Errorf("4 stars and up: %q", titles)
	}

	// Beta's merchant replies in the console; Alpha's page shows it.
	br.run("merchant-signin",
		chromedp.Navigate(b.APIURL()+"/merchant/signin"),
		chromedp.SendKeys(chromedp.CSS(`#f-token`), tokB),
		chromedp.Submit(chromedp.CSS(`#f-token`)),
		chromedp.WaitVisible(chromedp.CSS(`.area-nav`)),
	)
	br.reloadUntil("merchant-reviews", b.APIURL()+"/merchant/reviews", `document.querySelector('.reply-form textarea') !== null`, 30*time.Second)
	br.run("merchant-replies",
		chromedp.SendKeys(chromedp.CSS(`.reply-form textarea`), "Thank you, Ada."),
		chromedp.Click(chromedp.CSS(`.reply-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`.review-reply`)),
	)
	br.reloadUntil("reply-on-alpha", a.APIURL()+"/listings/"+rack, `document.querySelector('#reviews .review-reply') !== null`, 30*time.Second)

	// A shopper reports it on Alpha; Alpha's operator sees the report and
	// hides the review on Alpha only.
	id := eval[string](br, `document.querySelector('#reviews .review').id.replace('review-', '')`)
	if s, body := req(t, "POST", a.APIURL()+"/v1/reviews/"+id+"/reports", "/v1/reviews/{id}/reports", "", map[string]string{"reason": "off_topic", "note": "About <i>shelves</i>"}); s != 201 {
		t.Fatalf("report: %d %s", s, body)
	}
	br.run("operator-signin",
		chromedp.Navigate(a.APIURL()+"/operator/signin"),
		chromedp.SendKeys(chromedp.CSS(`#f-token`), c.Tokens[0]),
		chromedp.Submit(chromedp.CSS(`#f-token`)),
		chromedp.WaitVisible(chromedp.CSS(`.area-nav`)),
	)
	br.run("operator-reviews", chromedp.Navigate(a.APIURL()+"/operator/reviews"), chromedp.WaitVisible(chromedp.CSS(`li.operator-review form button`)))
	if got := eval[string](br, `document.querySelector('.reports').innerText`); !strings.Contains(got, "off topic: About <i>shelves</i>") {
		t.Errorf("the report reads %q", got)
	}
	br.run("operator-hides", chromedp.Click(chromedp.CSS(`li.operator-review form button`)), chromedp.WaitVisible(chromedp.CSS(`.badge`)))
	br.run("hidden-on-alpha", chromedp.Navigate(a.APIURL()+"/listings/"+rack), chromedp.WaitVisible(chromedp.CSS(`#add-to-cart`)))
	if eval[int](br, `document.querySelectorAll('#reviews .review').length`) != 0 {
		t.Error("the hidden review still shows on Alpha")
	}
	br.run("shown-on-beta", chromedp.Navigate(b.APIURL()+"/listings/"+rack), chromedp.WaitVisible(chromedp.CSS(`#reviews .review`)))

	br.run("phone", chromedp.EmulateViewport(390, 844))
	for i, p := range []string{"/merchant/reviews"} {
		br.run(fmt.Sprintf("merchant-phone-%02d", i), chromedp.Navigate(b.APIURL()+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	}
	br.run("operator-phone", chromedp.Navigate(a.APIURL()+"/operator/reviews"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	check := webtest.NewPageChecker(t)
	br.checkPage(check, "/operator/reviews")
	for i, p := range []string{"/listings/" + rack, "/search?q=&sort=rating", strings.TrimPrefix(orderURL, a.APIURL()), strings.TrimPrefix(reviewForm, a.APIURL())} {
		br.run(fmt.Sprintf("phone-%02d", i), chromedp.Navigate(a.APIURL()+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		br.checkPage(check, p)
	}
	br.run("desktop", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(a.APIURL()+"/listings/"+rack+"#reviews"), chromedp.WaitVisible(chromedp.CSS(`#reviews`)))
}
