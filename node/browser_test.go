package node

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
	"github.com/fedmart/fedmart/settlement"
)

// screenshotsEnv names a folder to keep the screenshots in; by default
// they go to the test's temporary folder, removed when it ends.
const screenshotsEnv = "FEDMART_SCREENSHOTS"

// chromium finds Chromium on PATH; without one the browser tests skip,
// unless FEDMART_BROWSER_REQUIRED is set (webtest.Chromium).
func chromium(t *testing.T) string { return webtest.Chromium(t) }

// browser is one headless Chromium for a test, saving a screenshot of
// every step under dir.
type browser struct {
	t    *testing.T
	ctx  context.Context
	dir  string
	step int
}

// newBrowser starts Chromium with a desktop-sized window. It runs as root
// in CI, where Chromium's sandbox cannot start.
func newBrowser(t *testing.T, timeout time.Duration) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting Chromium: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "screenshots")
	if keep := os.Getenv(screenshotsEnv); keep != "" {
		dir = filepath.Join(keep, t.Name())
		// Screenshots never go into the repository (the test runs in node/).
		abs, err := filepath.Abs(dir)
		repo, rerr := filepath.Abs("..")
		if err != nil || rerr != nil || strings.HasPrefix(abs, repo+string(filepath.Separator)) {
			t.Fatalf("%s=%s: keep screenshots outside the repository (%s), under /tmp for example", screenshotsEnv, keep, repo)
		}
	}
	b := &browser{t: t, ctx: ctx, dir: dir}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", b.dir)
	return b
}

// stepTimeout bounds one step, so that a missing element fails the step
// that waits for it rather than the whole test's deadline.
const stepTimeout = 45 * time.Second

// run performs one step's actions and saves a full-page screenshot named
// after it; a failed step fails the test with its name.
func (b *browser) run(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot(name + "-failed")
		b.t.Fatalf("step %q: %v", name, err)
	}
	b.shot(name)
}

// shot saves a screenshot of the current page.
func (b *browser) shot(name string) {
	b.step++
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 is a PNG
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", b.step, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

// text returns the text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.shot("missing")
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// eval evaluates a JavaScript expression in b's page.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// reloadUntil reloads url until the JavaScript condition cond holds, or
// fails after timeout.
func (b *browser) reloadUntil(name, url, cond string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		err := chromedp.Do(ctx, chromedp.Navigate(url))
		ok := false
		if err == nil {
			ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		}
		cancel()
		if err == nil && ok {
			b.shot(name)
			return
		}
		if time.Now().After(deadline) {
			b.shot(name + "-failed")
			b.t.Fatalf("step %q: after %s, %s is not true at %s (err %v)", name, timeout, cond, url, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// tabTo presses Tab until the element with id (or, for "skip", the skip
// link) has the focus, failing when twenty presses do not reach it.
func (b *browser) tabTo(id string) {
	b.t.Helper()
	is := fmt.Sprintf(`document.activeElement && document.activeElement.id === %q`, id)
	if id == "skip" {
		is = `document.activeElement && document.activeElement.classList.contains('skip')`
	}
	for range 20 {
		if eval[bool](b, is) {
			return
		}
		ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
		err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab))
		cancel()
		if err != nil {
			b.t.Fatalf("pressing Tab: %v", err)
		}
	}
	b.shot("tab-to-" + id + "-failed")
	b.t.Fatalf("twenty presses of Tab did not reach %s", id)
}

// until is an action that waits until the JavaScript condition cond holds
// in the page, without reloading it: what the page's own scripts change,
// a reload they make included (an evaluation that fails while the page is
// replaced is tried again).
func until(cond string, timeout time.Duration) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		deadline := time.Now().Add(timeout)
		for {
			// An evaluation caught by a navigation can wait for a context
			// that is gone: each try gets a few seconds.
			tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			ok, err := chromedp.Evaluate[bool](cond)(tctx, t)
			cancel()
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("after %s, %s is not true (last error %v)", timeout, cond, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
		}
	})
}

// fitsWidth reports by JavaScript whether the page needs no sideways
// scrolling.
const fitsWidth = `document.documentElement.scrollWidth <= window.innerWidth`

// TestBrowserShopperBuysAcrossMembersAndSettlementNets drives the whole
// story in a real Chromium: a shopper on Alpha signs up, searches, filters
// by brand, adds a pan from Beta and an apron from Gamma, checks out with
// the sandbox card and sees both parts; Beta's merchant ships and delivers
// in the console; Alpha's order page shows it; Alpha's operator sees Beta
// and Gamma connected and, once the one-minute period has closed, its
// netting.
func TestBrowserShopperBuysAcrossMembersAndSettlementNets(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through a one-minute settlement period")
	}
	br := newBrowser(t, 5*time.Minute)
	clk := new(testClock)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "browser-test", FederationName: "Browser Test",
		Currency: "EUR", Period: time.Minute, Clock: clk.Now, Log: discard(),
		Policy: federation.Policy{StorefrontCommissionBPS: 1000},
		Tune:   func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	tokB := newMerchant(t, c, 1, "Bremen Forge")
	tokG := newMerchant(t, c, 2, "Galway Linen")
	pan := listFor(t, c, 1, tokB, "Cast-iron pan", "PAN-1", "Ferro", 4900)
	rack := listFor(t, c, 1, tokB, "Pan rack", "RACK-1", "Holzwerk", 2900)
	apron := listFor(t, c, 2, tokG, "Linen apron", "APRON-1", "Linho", 3500)

	// The shopper signs up on Alpha.
	br.run("signup",
		chromedp.Navigate(a.APIURL()+"/signup"),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Ada Lovelace"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "ada@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`#f-password`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"]`)),
	)
	// Searches everything, then keeps the brands Ferro and Linho.
	br.run("search",
		chromedp.Navigate(a.APIURL()+"/search?q="),
		chromedp.WaitVisible(chromedp.CSS(`.cards`)),
	)
	br.run("filter-by-brand",
		chromedp.Click(chromedp.CSS(`input[name="brand"][value="Ferro"]`)),
		chromedp.Click(chromedp.CSS(`input[name="brand"][value="Linho"]`)),
		chromedp.Submit(chromedp.CSS(`#filters`)),
		// The boxes are checked on the page being left too: wait for the
		// new page itself.
		until(`location.search.includes('brand=Ferro') && location.search.includes('brand=Linho') && document.readyState === 'complete'`, 30*time.Second),
		chromedp.WaitVisible(chromedp.CSS(`.cards`)),
	)
	titles := eval[[]string](br, `Array.from(document.querySelectorAll('.cards .card h3')).map(e => e.textContent.trim()).sort()`)
	if strings.Join(titles, "|") != "Cast-iron pan|Linen apron" {
		t.Fatalf("filtered by brand, the results are %q, want the pan and the apron only", titles)
	}
	// Adds the pan (Beta) and the apron (Gamma) to the cart.
	filtered := eval[string](br, `location.href`)
	for _, l := range []struct{ name, id string }{{"pan", pan}, {"apron", apron}} {
		br.run("add-"+l.name,
			chromedp.Navigate(filtered),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/listings/%s"]`, l.id))),
			chromedp.WaitVisible(chromedp.CSS(`#add-to-cart`)),
			chromedp.Click(chromedp.CSS(`#add-to-cart`)),
			chromedp.WaitVisible(chromedp.CSS(`.cart-group`)),
		)
	}
	br.run("cart", chromedp.Navigate(a.APIURL()+"/cart"), chromedp.WaitVisible(chromedp.CSS(`.cart-group`)))
	groups := eval[int](br, `document.querySelectorAll('.cart-group').length`)
	if groups != 2 {
		t.Fatalf("the cart shows %d platform groups, want 2 (Beta and Gamma)", groups)
	}
	// Checks out with the sandbox card.
	br.run("checkout",
		chromedp.Navigate(a.APIURL()+"/checkout"),
		chromedp.SetValue(chromedp.CSS(`#f-shipping_address-name`), "Ada King"), // prefilled with the account's name
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-line1`), "12 St James's Square"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-city`), "London"),
		chromedp.SendKeys(chromedp.CSS(`#f-shipping_address-postal_code`), "SW1Y 4LB"),
		chromedp.SetValue(chromedp.CSS(`#f-shipping_address-country`), "GB"),
		chromedp.Click(chromedp.CSS(`input[name="payment.method"][value="sandbox_card"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-payment-card_number`), "4242424242424242"),
	)
	br.run("order-placed",
		chromedp.Click(chromedp.CSS(`#place-order`)),
		chromedp.WaitVisible(chromedp.CSS(`li.part`)),
	)
	orderURL := eval[string](br, `location.href`)
	parts := eval[int](br, `document.querySelectorAll('li.part').length`)
	if parts != 2 {
		t.Fatalf("the order page shows %d parts, want 2", parts)
	}
	for _, want := range []string{"Bremen Forge", "Galway Linen", "Ada King, 12 St James"} {
		if !eval[bool](br, fmt.Sprintf(`document.querySelector('main').textContent.includes(%q)`, want)) {
			t.Errorf("the order page does not show %q", want)
		}
	}
	br.run("order-on-a-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`li.part`)))
	if !eval[bool](br, fitsWidth) {
		t.Error("the order page scrolls sideways on a phone-sized window")
	}
	br.run("back-to-desktop", chromedp.EmulateViewport(1280, 900))

	// Beta's merchant ships and delivers the pan in the console.
	partB := partOn(t, b, tokB)
	br.run("merchant-signin",
		chromedp.Navigate(b.APIURL()+"/merchant/signin"),
		chromedp.SendKeys(chromedp.CSS(`#f-token`), tokB),
		chromedp.Submit(chromedp.CSS(`#f-token`)),
		chromedp.WaitVisible(chromedp.CSS(`.area-nav`)),
	)
	row := fmt.Sprintf(`tr.part[data-part="%s"]`, partB)
	br.reloadUntil("merchant-orders", b.APIURL()+"/merchant/orders",
		fmt.Sprintf(`document.querySelector('%s[data-status="accepted"]') !== null`, row), 30*time.Second)
	br.run("merchant-ships",
		chromedp.SetValue(chromedp.CSS(row+` select[name="carrier"]`), "dhl"),
		chromedp.SendKeys(chromedp.CSS(row+` input[name="tracking"]`), "JD0146000012345"),
		chromedp.Click(chromedp.CSS(row+` button.ship`)),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-status="shipped"]`)),
	)
	// Alpha's order page shows the part shipped, with its tracking number.
	br.reloadUntil("shopper-sees-shipped", orderURL,
		`Array.from(document.querySelectorAll('li.part')).some(p => p.dataset.status === 'shipped' && p.textContent.includes('JD0146000012345'))`,
		30*time.Second)
	br.run("merchant-delivers",
		chromedp.Navigate(b.APIURL()+"/merchant/orders"),
		chromedp.Click(chromedp.CSS(row+` button.deliver`)),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-status="delivered"]`)),
	)
	// Beta's merchant uploads a feed file through the form (multipart,
	// the token in the body) and the progress page, polled by its script,
	// reaches the end: 2 listings written, 1 refused with its line.
	feed := filepath.Join(t.TempDir(), "kitchen.csv")
	csv := "title,description,category,brand,sku,price,currency,stock,shipping_regions\n" +
		"Copper pot,Tin-lined,Home > Kitchen,Ferro,POT-1,8900,EUR,3,DE|GB\n" +
		"Carbon wok,Seasoned,Home > Kitchen,Ferro,WOK-1,5900,EUR,4,DE|GB\n" +
		"Bad price,Oops,Home > Kitchen,Ferro,BAD-1,-5,EUR,1,DE\n"
	if err := os.WriteFile(feed, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	br.run("merchant-uploads-feed",
		chromedp.Navigate(b.APIURL()+"/merchant/feeds"),
		chromedp.SetUploadFiles(chromedp.CSS(`input[type="file"][name="feed"]`), []string{feed}),
		chromedp.Click(chromedp.CSS(`#upload-feed`)),
		chromedp.WaitVisible(chromedp.CSS(`#feed-bar`)),
		until(`document.getElementById('feed-job').dataset.state === 'done'`, 30*time.Second),
	)
	if got := br.text(`#feed-percent`); got != "100" {
		t.Errorf("the feed's progress ends at %s%%, want 100", got)
	}
	for sel, want := range map[string]string{`[data-count="created"]`: "2", `[data-count="rejected"]`: "1"} {
		if got := br.text(sel); got != want {
			t.Errorf("the feed's %s reads %s, want %s", sel, got, want)
		}
	}
	br.reloadUntil("shopper-sees-delivered", orderURL,
		`Array.from(document.querySelectorAll('li.part')).some(p => p.dataset.status === 'delivered')`, 30*time.Second)
	delivered, err := b.Orders().HomePartOf(t.Context(), "", partB)
	if err != nil {
		t.Fatal(err)
	}
	shipAndDeliver(t, g, tokG, partOn(t, g, tokG))

	// Alpha's operator signs in by keyboard alone, through the skip link,
	// and sees Beta and Gamma answering...
	br.run("operator-signin-page", chromedp.Navigate(a.APIURL()+"/operator/signin"))
	br.tabTo("skip")
	br.run("operator-skips-to-content", chromedp.KeyEvent(kb.Enter))
	br.tabTo("f-token")
	br.run("operator-signin",
		chromedp.KeyEvent(c.Tokens[0]),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`.area-nav`)),
	)
	for _, n := range []*Node{b, g} {
		if got := br.text(fmt.Sprintf(`tr[data-peer="%s"] .reach`, n.PeerID())); got != "answering" {
			t.Errorf("the members table says %s answers: %q", n.Name(), got)
		}
	}
	// The members table is kept up to date by server-sent events.
	br.run("members-live", until(`document.getElementById('members-live').textContent.startsWith('Live: updated')`, 30*time.Second))
	// ...and, once the period has closed and been reconciled, its netting:
	// Alpha collected the pan's price and owes Beta all but its commission.
	period := settlement.PeriodOf(delivered.UpdatedAt, time.Minute).Name
	clk.endPeriod()
	br.reloadUntil("operator-netting", a.APIURL()+"/operator/settlement/"+period,
		fmt.Sprintf(`document.querySelector('table.netting tr[data-peer="%s"]') !== null && document.querySelector('#netting-chart') !== null`, b.PeerID()),
		2*time.Minute)
	if got := br.text(fmt.Sprintf(`table.netting tr[data-peer="%s"]`, b.PeerID())); !strings.Contains(got, "44.10") {
		t.Errorf("Beta's netting row reads %q, want it owed 44.10 (49.00 less 10%% commission)", got)
	}

	// Every page of the three areas, on a phone: every input has a label,
	// axe-core finds no serious or critical violation, and nothing
	// overflows its box (webtest.PageChecker). A rack in the cart fills
	// the cart and checkout pages.
	check := webtest.NewPageChecker(t)
	br.run("add-rack", chromedp.Navigate(a.APIURL()+"/listings/"+rack), chromedp.Click(chromedp.CSS(`#add-to-cart`)),
		chromedp.WaitVisible(chromedp.CSS(`.cart-group`)), chromedp.EmulateViewport(390, 844))
	pages := []string{a.APIURL() + "/", a.APIURL() + "/search?q=pan", a.APIURL() + "/listings/" + pan, a.APIURL() + "/cart",
		a.APIURL() + "/checkout", a.APIURL() + "/orders", orderURL, a.APIURL() + "/signin",
		b.APIURL() + "/merchant", b.APIURL() + "/merchant/listings/new", b.APIURL() + "/merchant/listings/" + pan,
		b.APIURL() + "/merchant/orders", b.APIURL() + "/merchant/feeds", b.APIURL() + "/merchant/earnings",
		a.APIURL() + "/operator", a.APIURL() + "/operator/charter", a.APIURL() + "/operator/merchants",
		a.APIURL() + "/operator/orders", a.APIURL() + "/operator/parked", a.APIURL() + "/operator/settlement",
		a.APIURL() + "/operator/settlement?show=unsettled", a.APIURL() + "/operator/settlement/" + period,
		a.APIURL() + "/no-such-page"}
	for i, u := range pages {
		br.run(fmt.Sprintf("phone-%02d", i), chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		br.checkPage(check, u)
	}
}

// checkPage fails the test with what the page open in br lacks: a label
// for an input, or what check finds (axe-core's serious violations,
// content that overflows its box); page names it in the errors.
func (br *browser) checkPage(check *webtest.PageChecker, page string) {
	br.t.Helper()
	if bad := eval[[]string](br, unlabelled); len(bad) > 0 {
		br.t.Errorf("%s has inputs without a label: %q", page, bad)
	}
	ctx, cancel := context.WithTimeout(br.ctx, stepTimeout)
	defer cancel()
	found, err := check.Check(ctx)
	if err != nil {
		br.t.Fatalf("%s: %v", page, err)
	}
	for _, f := range found {
		br.t.Errorf("%s: %s", page, f)
	}
}

// unlabelled lists, by JavaScript, the page's inputs that have no label.
const unlabelled = `Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
	.filter(e => e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
	.map(e => e.name || e.id || e.outerHTML.slice(0, 60))`

// listFor lists one single-variant product of the merchant with token on
// member i, and waits until every member's catalog holds it with its
// stock: the description and the stock are two records, which gossip may
// deliver apart.
func listFor(t *testing.T, c *Cluster, i int, token, title, sku, brand string, price int) string {
	t.Helper()
	body := fmt.Sprintf(`{"title":%q,"description":"Made to last.","category":"Home > Kitchen","brand":%q,"shipping_regions":["GB","DE"],
		"variants":[{"sku":%q,"price":{"amount":%d,"currency":"EUR"},"stock":5}]}`, title, brand, sku, price)
	s, raw := call(t, "POST", c.Nodes[i].APIURL()+"/v1/listings", "/v1/listings", token, []byte(body))
	var l struct{ ID string }
	if s != 201 || json.Unmarshal(raw, &l) != nil {
		t.Fatalf("listing %s: %d %s", title, s, raw)
	}
	testwait.For(t, 45*time.Second, func() error {
		for _, n := range c.Nodes {
			got, err := n.Catalog().Listing(t.Context(), l.ID)
			if err != nil {
				return fmt.Errorf("%s: %v", n.Name(), err)
			}
			if got.Variants[0].Stock != 5 {
				return fmt.Errorf("%s holds %s with %d units, want 5", n.Name(), title, got.Variants[0].Stock)
			}
		}
		return nil
	})
	return l.ID
}

// partOn waits for the one part of the merchant with token on home.
func partOn(t *testing.T, home *Node, token string) string {
	t.Helper()
	m, err := home.Catalog().MerchantByToken(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	testwait.For(t, 30*time.Second, func() error {
		parts, _, err := home.Orders().MerchantParts(t.Context(), m.ID, "", "", 10)
		if err != nil || len(parts) != 1 {
			return fmt.Errorf("%s's parts: %d (%v)", m.Name, len(parts), err)
		}
		id = parts[0].ID
		return nil
	})
	return id
}
