package node

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
)

// TestBrowserOperatorRunsThePlatform drives the operator's story in a
// real Chromium over two real nodes, with forms only: Alpha's operator
// adds a merchant and reads its token once; the merchant lists a pan with
// it; the operator suspends the merchant, after which its token is
// refused and Beta's storefront cannot sell the pan, then reinstates it
// and the pan sells; the operator drafts the next charter version with
// the amendment form (a new commission), reviews it and signs and
// proposes it; Beta's operator signs it on Beta's charter page, and it
// takes force on both nodes. The operator's pages, at 390x844, keep every
// table, cell and chart within its box.
func TestBrowserOperatorRunsThePlatform(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium over a cluster")
	}
	br := newBrowser(t, 4*time.Minute)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "operator-test", FederationName: "Operator Test",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]

	// Alpha's operator signs in and sees Beta, and the level its build speaks.
	signInOperator(br, a, c.Tokens[0], "alpha")
	br.run("members", chromedp.Navigate(a.APIURL()+"/operator/members"),
		chromedp.WaitVisible(chromedp.CSS(`#members td.protocol`)))
	if got := br.text(`#members td.protocol`); got != fmt.Sprintf("up to level %d", federation.ProtocolLevel) {
		t.Errorf("the members page says Beta's build speaks %q", got)
	}

	// Alpha's operator adds a merchant with the form.
	br.run("add-merchant",
		chromedp.Navigate(a.APIURL()+"/operator/merchants"),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Ferro Works"),
		chromedp.Click(chromedp.CSS(`#add-merchant`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-token`)),
	)
	token := br.text(`#new-token`)
	m, err := a.Catalog().MerchantByToken(t.Context(), token)
	if err != nil || m.Name != "Ferro Works" {
		t.Fatalf("the token shown is of %+v (%v), want the new Ferro Works", m, err)
	}
	// Shown once: the merchants list does not show it again.
	br.run("merchants", chromedp.Navigate(a.APIURL()+"/operator/merchants"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if eval[bool](br, fmt.Sprintf(`document.documentElement.outerHTML.includes(%q)`, token)) {
		t.Error("the merchants page shows the token again")
	}
	pan := listFor(t, c, 0, token, "Cast-iron pan", "PAN-1", "Ferro", 4900)

	// The operator suspends it: the confirmation says what it does.
	merchantPage := a.APIURL() + "/operator/merchants/" + m.ID
	br.run("suspend-confirm",
		chromedp.Navigate(merchantPage),
		chromedp.Click(chromedp.CSS(`#suspend-merchant`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-suspend`)),
	)
	if got := br.text(`main`); !strings.Contains(got, "1 live listing stays published but cannot be bought") {
		t.Errorf("the confirmation does not say what happens to the listing:\n%s", got)
	}
	br.run("suspended",
		chromedp.Click(chromedp.CSS(`#confirm-suspend`)),
		chromedp.WaitVisible(chromedp.CSS(`#reinstate-merchant`)),
	)
	if s, body := call(t, "GET", a.APIURL()+"/v1/listings", "/v1/listings", token, nil); s != http.StatusForbidden || !strings.Contains(string(body), "suspended") {
		t.Errorf("the API with a suspended merchant's token: %d %s, want 403 saying it is suspended", s, body)
	}
	sh := newShopper(t, b, "Grace Hopper")
	s, body := sh.checkout(sh.cart(order.ItemInput{ListingID: pan, SKU: "PAN-1", Quantity: 1}), "suspended", order.CardApprove)
	if s != http.StatusConflict || !strings.Contains(string(body), "Out of stock") {
		t.Errorf("buying a suspended merchant's pan on Beta: %d %s, want 409 out of stock", s, body)
	}

	// Reinstated, the pan sells on Beta again.
	br.run("reinstated",
		chromedp.Click(chromedp.CSS(`#reinstate-merchant`)),
		chromedp.WaitVisible(chromedp.CSS(`#suspend-merchant`)),
	)
	if s, body := call(t, "GET", a.APIURL()+"/v1/listings", "/v1/listings", token, nil); s != http.StatusOK {
		t.Errorf("the API with a reinstated merchant's token: %d %s", s, body)
	}
	buyAccepted(t, sh, a, pan, "PAN-1")

	// The operator drafts version 2 with a new commission, reviews it,
	// then signs and proposes it.
	br.run("amend-form",
		chromedp.Navigate(a.APIURL()+"/operator/charter"),
		chromedp.Click(chromedp.CSS(`#draft-amendment`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-commission`)),
		chromedp.SetValue(chromedp.CSS(`#f-commission`), "abc"),
		chromedp.Click(chromedp.CSS(`#review-amendment`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-commission-error`)),
	)
	if got := br.text(`#f-commission-error`); !strings.Contains(got, "storefront commission") {
		t.Errorf("a bad commission is reported as %q", got)
	}
	br.run("amend-review",
		chromedp.SetValue(chromedp.CSS(`#f-commission`), "12.50"),
		chromedp.Click(chromedp.CSS(`#review-amendment`)),
		chromedp.WaitVisible(chromedp.CSS(`#review`)),
		chromedp.WaitVisible(chromedp.CSS(`#sign-propose`)),
	)
	if got := br.text(`#review`); !strings.Contains(got, "1000 bps (10.00%) → 1250 bps (12.50%)") {
		t.Errorf("the review reads %q, want the commission's change", got)
	}
	br.run("amend-proposed",
		chromedp.Click(chromedp.CSS(`#sign-propose`)),
		until(`location.search.includes('done=proposed') && document.querySelector('article.proposal') !== null`, 30*time.Second),
	)
	var digest string
	testwait.For(t, 30*time.Second, func() error {
		for _, p := range b.Federation().Proposals() {
			if p.Charter.Charter.Version == 2 && p.Charter.Charter.Policy.StorefrontCommissionBPS == 1250 {
				digest = p.Digest
				return nil
			}
		}
		return fmt.Errorf("Beta holds no proposal of version 2")
	})

	// Beta's operator signs it on Beta's charter page; it takes force.
	signInOperator(br, b, c.Tokens[1], "beta")
	br.run("beta-signs",
		chromedp.Navigate(b.APIURL()+"/operator/charter"),
		chromedp.Click(chromedp.CSS(`#proposal-`+digest+` .sign-form button`)),
	)
	testwait.For(t, 30*time.Second, func() error {
		for _, n := range c.Nodes {
			sc, err := n.Federation().Charter()
			if err != nil || sc.Charter.Version != 2 || sc.Charter.Policy.StorefrontCommissionBPS != 1250 {
				return fmt.Errorf("%s's charter: %v", n.Name(), err)
			}
		}
		return nil
	})
	br.reloadUntil("in-force", a.APIURL()+"/operator/charter",
		`document.querySelector('main').textContent.includes('1250 bps')`, 30*time.Second)

	// The operator's pages on a phone: nothing overflows its box.
	signInOperator(br, a, c.Tokens[0], "alpha-again")
	br.run("phone", chromedp.EmulateViewport(390, 844))
	for _, p := range []string{"/operator", "/operator/members", "/operator/charter", "/operator/charter/amend", "/operator/merchants",
		"/operator/merchants/" + m.ID, "/operator/orders", "/operator/orders/flow", "/operator/settlement", "/operator/settings"} {
		br.run("phone"+strings.ReplaceAll(p, "/", "-"), chromedp.Navigate(a.APIURL()+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if bad := eval[[]string](br, overflowing); len(bad) > 0 {
			t.Errorf("%s at 390x844: content overflows its box: %q", p, bad)
		}
	}
}

// signInOperator signs b in as the operator of n.
func signInOperator(b *browser, n *Node, token, name string) {
	b.t.Helper()
	b.run("operator-signin-"+name,
		chromedp.Navigate(n.APIURL()+"/operator/signin"),
		chromedp.SendKeys(chromedp.CSS(`#f-token`), token),
		chromedp.Submit(chromedp.CSS(`#f-token`)),
		chromedp.WaitVisible(chromedp.CSS(`.area-nav`)),
	)
}

// overflowing names, by JavaScript, the tables, cells, SVGs and
// scrolling wrappers whose content is wider than their box, and any
// element reaching past the window's right edge. Visually hidden text
// (a stacked table's header row, clipped to a pixel) is for screen
// readers and left out.
const overflowing = `Array.from(document.querySelectorAll('main *'))
	.filter(e => e.getClientRects().length > 0 && !e.closest('.visually-hidden') && !(e.closest('thead') && getComputedStyle(e.closest('thead')).position === 'absolute'))
	.filter(e => (e.matches('table, th, td, svg, .table-wrap') && e.scrollWidth > e.clientWidth + 1) || e.getBoundingClientRect().right > window.innerWidth + 1)
	.slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + e.scrollWidth + '/' + e.clientWidth)`
