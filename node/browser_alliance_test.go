package node

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserShopperOfAlphaSignsInOnBetaWithAlpha drives "one account,
// every storefront" in a real Chromium: a shopper signs up on Alpha and
// signs out; on Beta's sign-in page they click "Sign in with Alpha",
// sign in on Alpha's own page (the password never reaches Beta), approve
// Beta, and land back on Beta signed in as the same person; they order
// on Beta, and Alpha's orders page lists that order with a link to it on
// Beta. A second round trip finds the same account on Beta. The new pages
// pass the phone checks. Once the alliance suspends Alpha, Beta signs
// the shopper out at the next request.
func TestBrowserShopperOfAlphaSignsInOnBetaWithAlpha(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through a two-member federation")
	}
	br := newBrowser(t, 4*time.Minute)
	check := webtest.NewPageChecker(t)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "browser-oidc", FederationName: "Browser OIDC",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	tokB := newMerchant(t, c, 1, "Bremen Linen")
	apron := listFor(t, c, 1, tokB, "Linen apron", "APRON-1", "Linho", 2479)

	br.run("signup-on-alpha",
		chromedp.Navigate(a.APIURL()+"/signup"),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Ada Lovelace"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "ada@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`#f-password`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/signin"]`)),
	)
	br.run("beta-signin",
		chromedp.Navigate(b.APIURL()+"/signin/shopper?next=/listings/"+apron),
		chromedp.WaitVisible(chromedp.CSS(`.alliance-links a`)),
	)
	if got := br.text(`.alliance-links a`); got != "Sign in with Alpha" {
		t.Fatalf("Beta offers %q, want Sign in with Alpha", got)
	}
	br.run("beta-signin-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.alliance-links a`)))
	br.checkPage(check, "Beta's sign-in page")
	br.run("beta-signin-desktop", chromedp.EmulateViewport(1280, 900))

	// Alpha's sign-in page, then its approval page.
	br.run("alpha-signin",
		chromedp.Click(chromedp.CSS(`.alliance-links a`)),
		until(fmt.Sprintf(`location.href.startsWith(%q) && document.querySelector('#f-password') !== null`, a.APIURL()+"/signin/shopper"), 20*time.Second),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "ada@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`#f-password`)),
		chromedp.WaitVisible(chromedp.CSS(`#approve`)),
	)
	main := eval[string](br, `document.querySelector('main').innerText`)
	for _, want := range []string{"Beta", "Ada Lovelace", "ada@example.org", "Continue to Beta"} {
		if !strings.Contains(main, want) {
			t.Errorf("Alpha's approval page does not say %q:\n%s", want, main)
		}
	}
	approveURL := eval[string](br, `location.href`)
	br.run("alpha-approve-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#approve`)))
	br.checkPage(check, "Alpha's approval page")
	br.run("alpha-approve-desktop", chromedp.EmulateViewport(1280, 900))
	if !strings.HasPrefix(approveURL, a.APIURL()+"/signin/alliance/approve?id=") {
		t.Fatalf("approval at %s", approveURL)
	}

	// Back on Beta, signed in, on the listing the sign-in began from.
	br.run("back-on-beta",
		chromedp.Click(chromedp.CSS(`#approve`)),
		until(fmt.Sprintf(`location.href === %q && document.querySelector('form[action="/signout"]') !== null`, b.APIURL()+"/listings/"+apron), 20*time.Second),
		chromedp.Click(chromedp.CSS(`#add-to-cart`)),
		chromedp.WaitVisible(chromedp.CSS(`.cart-group`)),
	)
	br.run("checkout-on-beta",
		chromedp.Navigate(b.APIURL()+"/checkout"),
		chromedp.WaitVisible(chromedp.CSS(`#f-shipping_address-name`)),
	)
	if got := eval[string](br, `document.querySelector('#f-shipping_address-name').value`); got != "Ada Lovelace" {
		t.Errorf("Beta knows the shopper as %q, want Ada Lovelace (from Alpha's ID token)", got)
	}
	br.run("order-on-beta",
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-line1`), "12 St James's Square"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-city`), "London"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-postal_code`), "SW1Y 4LB"),
		chromedp.SetValue(chromedp.CSS(`#f-shipping_address-country`), "GB"),
		chromedp.Click(chromedp.CSS(`input[name="payment.method"][value="sandbox_card"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-payment-card_number`), "4242424242424242"),
		chromedp.Click(chromedp.CSS(`#place-order`)),
		chromedp.WaitVisible(chromedp.CSS(`li.part`)),
	)
	betaOrder := eval[string](br, `location.pathname`)

	// Alpha's orders page lists the order placed on Beta, linking to it.
	link := fmt.Sprintf(`a[href=%q]`, b.APIURL()+betaOrder)
	br.reloadUntil("alpha-orders", a.APIURL()+"/orders", fmt.Sprintf(`document.querySelector('.remote-orders %s') !== null`, link), 30*time.Second)
	if row := br.text(`.remote-order`); !strings.Contains(row, "Beta") || !strings.Contains(row, "24.79 EUR") {
		t.Errorf("Alpha lists the order on Beta as %q, want Beta and 24.79 EUR", row)
	}
	br.run("alpha-orders-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.remote-orders`)))
	br.checkPage(check, "Alpha's orders page")
	br.run("alpha-orders-desktop", chromedp.EmulateViewport(1280, 900))
	br.run("follow-to-beta",
		chromedp.Click(chromedp.CSS(`.remote-orders `+link)),
		until(fmt.Sprintf(`location.href === %q && document.querySelector('li.part') !== null`, b.APIURL()+betaOrder), 20*time.Second),
	)

	// Signed out of Beta and in again through Alpha (still signed in
	// there): the same account, with its order.
	br.run("again-on-beta",
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/signin"]`)),
		chromedp.Navigate(b.APIURL()+"/signin/shopper?next=/orders"),
		chromedp.Click(chromedp.CSS(`.alliance-links a`)),
		chromedp.WaitVisible(chromedp.CSS(`#approve`)),
		chromedp.Click(chromedp.CSS(`#approve`)),
		until(fmt.Sprintf(`location.href === %q`, b.APIURL()+"/orders"), 20*time.Second),
	)
	if !eval[bool](br, fmt.Sprintf(`document.querySelector('a[href=%q]') !== null`, betaOrder)) {
		t.Errorf("signed in again through Alpha, Beta's orders page does not list %s", betaOrder)
	}

	// The alliance suspends Alpha: Beta signs its shopper out at the next
	// request, and offers no sign-in with Alpha any more.
	suspend(t, c, a)
	br.reloadUntil("signed-out-on-beta", b.APIURL()+"/orders",
		`location.pathname === '/signin/shopper' && document.querySelector('form[action="/signout"]') === null`, 30*time.Second)
	if eval[bool](br, `document.querySelector('.alliance-links') !== null`) {
		t.Error("Beta still offers to sign in with a suspended member")
	}
	// An old link to sign in with Alpha says why it no longer works.
	br.run("signin-with-suspended",
		chromedp.Navigate(b.APIURL()+"/signin/with/"+a.PeerID().String()),
		chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
	)
	if got := br.text(`.error-summary`); !strings.Contains(got, "Alpha is not an active member") {
		t.Errorf("signing in with a suspended member says %q, want that it is suspended", got)
	}
}

// suspend makes every member sign the next charter version, in which m
// is suspended, and waits until every other member applies it.
func suspend(t *testing.T, c *Cluster, m *Node) {
	t.Helper()
	cur, err := c.Nodes[0].Federation().Charter()
	if err != nil {
		t.Fatal(err)
	}
	next := federation.SignedCharter{Charter: cur.Charter}
	next.Charter.Version, next.Charter.Previous = cur.Charter.Version+1, cur.Charter.Digest()
	next.Charter.Members = slices.Clone(cur.Charter.Members)
	for i := range next.Charter.Members {
		if next.Charter.Members[i].PeerID == m.PeerID().String() {
			next.Charter.Members[i].Status = federation.StatusSuspended
		}
	}
	for _, n := range c.Nodes {
		key, err := LoadIdentity(n.cfg.path(n.cfg.Identity))
		if err != nil {
			t.Fatal(err)
		}
		if err := next.Sign(key); err != nil {
			t.Fatal(err)
		}
	}
	// A member that stays active applies it and spreads it to the others.
	by := c.Nodes[0]
	if by == m {
		by = c.Nodes[1]
	}
	if err := by.Federation().Submit(t.Context(), &next); err != nil {
		t.Fatalf("%s applies the suspension: %v", by.Name(), err)
	}
	testwait.For(t, 30*time.Second, func() error {
		for _, n := range c.Nodes { // the suspended member is gated out of the news
			if sc, err := n.Federation().Charter(); n != m && (err != nil || sc.Charter.Version < next.Charter.Version) {
				return fmt.Errorf("%s has not applied version %d", n.Name(), next.Charter.Version)
			}
		}
		return nil
	})
}
