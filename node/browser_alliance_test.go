package node

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
	"github.com/fedmart/fedmart/settlement"
)

// TestBrowserShopperOfAlphaSignsInOnBetaWithAlpha drives "one account,
// every storefront" in a real Chromium: a shopper signs up on Alpha and
// signs out; on Beta's sign-in page they click "Sign in with Alpha",
// sign in on Alpha's own page (the password never reaches Beta), approve
// Beta, and land back on Beta signed in as the same person; they order
// two aprons homed on Gamma on Beta, and Alpha's orders page lists that
// order with a link to it on Beta. Delivered, the order earns points at
// Alpha, the shopper's issuer; Gamma takes one apron back, and with it
// half the points; the shopper spends points at Beta's checkout, held at
// Alpha with the leave of the sign-in; once the one-minute periods close
// every pair's statements agree. A second round trip finds the same
// account on Beta. The new pages pass the phone checks. Once the
// alliance suspends Alpha, Beta signs the shopper out at the next
// request.
func TestBrowserShopperOfAlphaSignsInOnBetaWithAlpha(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through a two-member federation")
	}
	br := newBrowser(t, 4*time.Minute)
	check := webtest.NewPageChecker(t)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "browser-oidc", FederationName: "Browser OIDC",
		Currency: "EUR", Period: time.Minute, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000},
		Loyalty: federation.Loyalty{EarnBPS: 10000, PointValue: 1, Funder: federation.FunderHome,
			SpendableOn: federation.SpendableOnDelivered, Expiry: federation.Duration(365 * 24 * time.Hour), MaxShareBPS: 5000},
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	tokG := newMerchant(t, c, 2, "Genoa Linen")
	apron := listFor(t, c, 2, tokG, "Linen apron", "APRON-1", "Linho", 2479)

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
		// The redirects from Beta end on Alpha's sign-in page: typing
		// waits for it to have loaded, or it can type into a document
		// that a last navigation replaces.
		until(fmt.Sprintf(`location.href.startsWith(%q) && document.readyState === 'complete' && document.querySelector('#f-password') !== null`, a.APIURL()+"/signin/shopper"), 20*time.Second),
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
		chromedp.SetValue(chromedp.CSS(`.quantity-form input[name="quantity"]`), "2"),
		chromedp.Submit(chromedp.CSS(`.quantity-form input[name="quantity"]`)),
		until(`document.querySelector('.quantity-form input[name="quantity"]')?.value === '2'`, 20*time.Second),
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
	if row := br.text(`.remote-order`); !strings.Contains(row, "Beta") || !strings.Contains(row, "€49.58") {
		t.Errorf("Alpha lists the order on Beta as %q, want Beta and €49.58", row)
	}
	br.run("alpha-orders-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.remote-orders`)))
	br.checkPage(check, "Alpha's orders page")
	br.run("alpha-orders-desktop", chromedp.EmulateViewport(1280, 900))
	br.run("follow-to-beta",
		chromedp.Click(chromedp.CSS(`.remote-orders `+link)),
		until(fmt.Sprintf(`location.href === %q && document.querySelector('li.part') !== null`, b.APIURL()+betaOrder), 20*time.Second),
	)

	spendOnBeta(t, br, check, c, tokG, apron)

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
	if links := eval[string](br, `document.querySelector('.alliance-links')?.innerText ?? ''`); strings.Contains(links, "Alpha") || !strings.Contains(links, "Gamma") {
		t.Errorf("after Alpha's suspension Beta offers %q, want a sign-in with Gamma only", links)
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

// spendOnBeta goes on from an order of two aprons homed on Gamma, placed
// on Beta by a shopper of Alpha: Gamma delivers them, and Alpha's points
// page shows the 49 points earned; Gamma refunds one apron, and Alpha
// takes back half the points; on Beta the checkout says Alpha keeps the
// points, and 10 of them pay for another apron, held at Alpha with the
// leave of the sign-in and spent there. Every points entry is booked
// alike on both sides, and once the one-minute periods close every pair
// of statements agrees.
func spendOnBeta(t *testing.T, br *browser, check *webtest.PageChecker, c *Cluster, tokG, apron string) {
	t.Helper()
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	part := partOn(t, g, tokG)
	shipAndDeliver(t, g, tokG, part)
	br.reloadUntil("alpha-points", a.APIURL()+"/points", `document.querySelector('#points-spendable')?.innerText.startsWith('49 points')`, 30*time.Second)
	route := "/v1/merchant/orders/{id}/refunds"
	if s, out := req(t, "POST", g.APIURL()+"/v1/merchant/orders/"+part+"/refunds", route, tokG,
		map[string]any{"lines": []order.Units{{ListingID: apron, SKU: "APRON-1", Quantity: 1}}, "restock": true}, "Idempotency-Key", "r1"); s != 200 {
		t.Fatalf("refund: %d %s", s, out)
	}
	br.reloadUntil("alpha-points-after-refund", a.APIURL()+"/points", `document.querySelector('#points-spendable')?.innerText.startsWith('25 points')`, 30*time.Second)

	br.run("beta-points",
		chromedp.Navigate(b.APIURL()+"/points"),
		chromedp.WaitVisible(chromedp.CSS(`#points-elsewhere`)),
	)
	if got := br.text(`#points-elsewhere`); !strings.Contains(got, "kept by Alpha") {
		t.Errorf("Beta's points page says %q, want that Alpha keeps them", got)
	}
	br.run("beta-points-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#points-elsewhere`)))
	br.checkPage(check, "Beta's points page for a shopper of Alpha")
	br.run("beta-points-desktop", chromedp.EmulateViewport(1280, 900))

	br.run("spend-on-beta",
		chromedp.Navigate(b.APIURL()+"/listings/"+apron),
		chromedp.Click(chromedp.CSS(`#add-to-cart`)),
		chromedp.WaitVisible(chromedp.CSS(`.cart-group`)),
		chromedp.Navigate(b.APIURL()+"/checkout"),
		chromedp.WaitVisible(chromedp.CSS(`#f-points`)),
	)
	if got := br.text(`fieldset.points`); !strings.Contains(got, "kept by Alpha") {
		t.Errorf("Beta's checkout says of points %q, want that Alpha keeps them", got)
	}
	br.run("spend-on-beta-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#f-points`)))
	br.checkPage(check, "Beta's checkout with points kept by Alpha")
	br.run("spend-on-beta-desktop", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#f-points`)))
	br.run("place-with-points",
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-line1`), "12 St James's Square"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-city`), "London"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-postal_code`), "SW1Y 4LB"),
		chromedp.SetValue(chromedp.CSS(`#f-shipping_address-country`), "GB"),
		chromedp.Click(chromedp.CSS(`input[name="payment.method"][value="sandbox_card"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-payment-card_number`), "4242424242424242"),
		chromedp.SendKeys(chromedp.CSS(`#f-points`), "10"),
		chromedp.Click(chromedp.CSS(`#place-order`)),
		chromedp.WaitVisible(chromedp.CSS(`li.part`)),
	)
	br.reloadUntil("alpha-points-spent", a.APIURL()+"/points", `document.querySelector('#points-spendable')?.innerText.startsWith('15 points')`, 30*time.Second)

	// Alpha owes Beta the 10 points' value, and Gamma funded Alpha's
	// points less what the refund took back: each entry alike on both
	// sides.
	pointsAlike := func(x, y *Node) (map[string]settlement.Entry, error) {
		on := func(n, cp *Node) map[string]settlement.Entry {
			out := map[string]settlement.Entry{}
			periods, _ := n.Settlement().Periods(t.Context())
			for _, p := range periods {
				for id, e := range entriesWith(t, n, p.Period, cp.PeerID().String()) {
					if strings.HasPrefix(e.Kind, "points_") {
						out[id] = e
					}
				}
			}
			return out
		}
		xs, ys := on(x, y), on(y, x)
		if len(xs) != len(ys) {
			return nil, fmt.Errorf("%s holds %d points entries with %s, which holds %d", x.Name(), len(xs), y.Name(), len(ys))
		}
		for id, e := range xs {
			if ys[id] != e {
				return nil, fmt.Errorf("%s's points entry %s %+v differs from %s's %+v", x.Name(), id, e, y.Name(), ys[id])
			}
		}
		return xs, nil
	}
	testwait.For(t, 30*time.Second, func() error {
		ab, err := pointsAlike(a, b)
		if err != nil {
			return err
		}
		ag, err := pointsAlike(a, g)
		if err != nil {
			return err
		}
		sum := func(es map[string]settlement.Entry, kind string) (n int64) {
			for _, e := range es {
				if e.Kind == kind {
					n += e.Amount.Amount
				}
			}
			return n
		}
		if r := sum(ab, settlement.EntryPointsRedemption); r != 10 {
			return fmt.Errorf("Alpha and Beta hold redemptions of %d cents, want 10", r)
		}
		if f, back := sum(ag, settlement.EntryPointsFunding), sum(ag, settlement.EntryPointsReversal); f != 49 || back != 24 {
			return fmt.Errorf("Gamma funded %d and took back %d, want 49 and 24", f, back)
		}
		return nil
	})
	// The wall clock: the ID tokens Alpha signs after this are checked
	// against it, so the cluster's clock cannot be moved on to the
	// period's end.
	periodsAgree(t, c, nil)
	br.run("back-on-beta-orders", chromedp.Navigate(b.APIURL()+"/orders"), chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)))
}

// suspend makes every member sign the next charter version, in which m
// is suspended, and waits until every other member applies it.
func suspend(t *testing.T, c *Cluster, m *Node) {
	t.Helper()
	// A member that stays active applies it and spreads it to the others.
	by := c.Nodes[0]
	if by == m {
		by = c.Nodes[1]
	}
	amendCluster(t, c, by, func(next *federation.Charter) {
		for i := range next.Members {
			if next.Members[i].PeerID == m.PeerID().String() {
				next.Members[i].Status = federation.StatusSuspended
			}
		}
	}, m)
}

// amendCluster makes every member sign the next charter version, edit
// applied, submits it to by and waits until every member but the ones
// in skip applies it.
func amendCluster(t *testing.T, c *Cluster, by *Node, edit func(*federation.Charter), skip ...*Node) {
	t.Helper()
	cur, err := by.Federation().Charter()
	if err != nil {
		t.Fatal(err)
	}
	next := federation.SignedCharter{Charter: cur.Charter}
	next.Charter.Version, next.Charter.Previous = cur.Charter.Version+1, cur.Charter.Digest()
	next.Charter.Members = slices.Clone(cur.Charter.Members)
	edit(&next.Charter)
	for _, n := range c.Nodes {
		key, err := LoadIdentity(n.cfg.path(n.cfg.Identity))
		if err != nil {
			t.Fatal(err)
		}
		if err := next.Sign(key); err != nil {
			t.Fatal(err)
		}
	}
	if err := by.Federation().Submit(t.Context(), &next); err != nil {
		t.Fatalf("%s applies version %d: %v", by.Name(), next.Charter.Version, err)
	}
	testwait.For(t, 30*time.Second, func() error {
		for _, n := range c.Nodes {
			if sc, err := n.Federation().Charter(); !slices.Contains(skip, n) && (err != nil || sc.Charter.Version < next.Charter.Version) {
				return fmt.Errorf("%s has not applied version %d", n.Name(), next.Charter.Version)
			}
		}
		return nil
	})
}
