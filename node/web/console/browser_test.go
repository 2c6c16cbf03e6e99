package console

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// browserEnv, when set (as CI sets it), makes a missing Chromium a
// failure instead of a skip; screenshotsEnv names a folder that keeps the
// screenshots (by default they go to the test's temporary folder).
const (
	browserEnv     = "FEDMART_BROWSER_REQUIRED"
	screenshotsEnv = "FEDMART_SCREENSHOTS"
)

// chrome is one headless Chromium driving the console over a real HTTP
// server.
type chrome struct {
	t    *testing.T
	ctx  context.Context
	base string // the server's URL
	dir  string // where screenshots go
	step int
}

// serve starts an HTTP server for h's pages and makes the site's
// BaseURL its address (plain http, so that the session cookie is not
// Secure), then starts Chromium in a desktop-sized window.
func (h *harness) serve(t *testing.T) *chrome {
	t.Helper()
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		if os.Getenv(browserEnv) != "" {
			t.Fatalf("no Chromium on PATH and %s is set: install it (apt-get install chromium)", browserEnv)
		}
		t.Skip("browser tests need Chromium: apt-get install chromium")
	}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	h.opts.BaseURL = srv.URL
	h.rebuild()
	handler = h.handler

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "screenshots")
	if keep := os.Getenv(screenshotsEnv); keep != "" {
		dir = filepath.Join(keep, t.Name())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return &chrome{t: t, ctx: ctx, base: srv.URL, dir: dir}
}

// stepTimeout bounds one step, so that a missing element fails the step
// that waits for it.
const stepTimeout = 30 * time.Second

// run performs one step and saves a full-page screenshot named after it.
func (c *chrome) run(name string, actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		c.shot(name + "-failed")
		c.t.Fatalf("step %q: %v", name, err)
	}
	c.shot(name)
}

// shot saves a screenshot of the whole page.
func (c *chrome) shot(name string) {
	c.step++
	ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(c.dir, fmt.Sprintf("%02d-%s.png", c.step, name)), png, 0o644); err != nil {
		c.t.Logf("screenshot %s: %v", name, err)
	}
}

// eval evaluates a JavaScript expression in c's page.
func eval[T any](c *chrome, expr string) T {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		c.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// overflowing lists, by JavaScript, what does not fit on the page: the
// page itself when it scrolls sideways, every table, cell and SVG whose
// content is wider than its box, and every button, link, input, select
// and label that reaches past the window's edges. What is clipped out of
// sight on purpose (visually hidden text, a hidden table head) has no box
// to overflow and is left out.
const overflowing = `(() => {
  const out = [];
  const hidden = e => {
    for (let a = e; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.display === 'none' || s.visibility === 'hidden' || (s.clip && s.clip !== 'auto') || s.clipPath === 'inset(50%)') return true;
    }
    return false;
  };
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '');
  if (document.documentElement.scrollWidth > window.innerWidth) out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
  for (const e of document.querySelectorAll('table, th, td, svg, .table-wrap')) {
    if (!hidden(e) && e.scrollWidth > e.clientWidth + 1) out.push(name(e) + ' overflows its box: ' + e.scrollWidth + ' > ' + e.clientWidth + ' "' + e.textContent.trim().slice(0, 40) + '"');
  }
  for (const e of document.querySelectorAll('main button, main a, main input, main select, main label, main code, header button, header a, header p')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || hidden(e)) continue;
    if (r.right > window.innerWidth + 0.5 || r.left < -0.5) out.push(name(e) + ' is cut off: ' + Math.round(r.left) + '..' + Math.round(r.right) + ' "' + e.textContent.trim().slice(0, 40) + '"');
  }
  for (const e of document.querySelectorAll('code.sku, code.part-id')) {
    const r = e.getBoundingClientRect(), ch = parseFloat(getComputedStyle(e).fontSize) * 0.5;
    if (!hidden(e) && e.textContent.trim().length >= 6 && r.width < 6 * ch) out.push(name(e) + ' is squeezed to ' + Math.round(r.width) + ' px: "' + e.textContent.trim() + '"');
  }
  return out;
})()`

// unlabelled lists, by JavaScript, the page's inputs that have no label.
const unlabelled = `Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
	.filter(e => e.labels.length === 0 && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
	.map(e => e.name || e.id)`

// fits fails the test with what overflows on the current page, and with
// its inputs that have no label.
func (c *chrome) fits(page string) {
	c.t.Helper()
	if bad := eval[[]string](c, overflowing); len(bad) > 0 {
		c.t.Errorf("%s at %s:\n  %s", page, eval[string](c, `window.innerWidth + 'x' + window.innerHeight`), strings.Join(bad, "\n  "))
	}
	if bad := eval[[]string](c, unlabelled); len(bad) > 0 {
		c.t.Errorf("%s has inputs without a label: %q", page, bad)
	}
}

// signIn signs the merchant in through the form.
func (c *chrome) signIn(token string) {
	c.t.Helper()
	c.run("signin",
		chromedp.Navigate(c.base+"/merchant/signin"),
		chromedp.SendKeys(chromedp.CSS(`#f-token`), token),
		chromedp.Submit(chromedp.CSS(`#f-token`)),
		chromedp.WaitVisible(chromedp.CSS(`.area-nav`)),
	)
}

// TestBrowserConsoleFitsAPhone loads every console page in Chromium at
// 1280x900 and 390x844: nothing may overflow its box or be cut off, and
// no SKU is squeezed to a letter a line. On the phone the merchant then
// filters the listings, ticks two, reviews a bulk change and applies it.
func TestBrowserConsoleFitsAPhone(t *testing.T) {
	h := newHarness(t)
	c := h.serve(t)
	long := webtest.Input("Hand-forged carbon steel skillet with a long riveted handle", "Ferro", "Home > Kitchen > Cookware", 4990, 7)
	long.Variants = []catalog.Variant{
		{SKU: "FERRO-SKILLET-CARBON-28CM-SEASONED-RIVETED", Options: map[string]string{"size": "28 cm"}, Price: catalog.Money{Amount: 4990, Currency: "EUR"}, Stock: 7},
		{SKU: "FERRO-SKILLET-CARBON-32CM-SEASONED-RIVETED", Options: map[string]string{"size": "32 cm"}, Price: catalog.Money{Amount: 5990, Currency: "EUR"}, Stock: 2},
	}
	skillet := h.List(long)
	for i := range 30 {
		h.List(webtest.Input(fmt.Sprintf("Enamel mug %d", i), "Clay", "Home > Kitchen", 900+int64(i), int64(i%4)))
	}
	_, at := h.buy(1, skillet)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	sp := h.shippingProfile()
	uploader := h.browser()
	uploader.SignInMerchant(h.Token)
	bad := strings.Replace(feedCSV, "Desk lamp,Bright,Home,Acme,LAMP-1,2000", "Desk lamp,Bright,Home,Acme,FERRO-LAMP-BRASS-SHADE-LONG-SKU-1,-5", 1)
	job := feedJobOf(t, uploadFeed(uploader, "shop.csv", bad, ""))
	waitFeed(uploader, job)
	c.signIn(h.Token)
	pages := []struct{ name, path, wait string }{
		{"listings", "/merchant", "table.console"},
		{"listings-page-2", "/merchant?page=2", "table.console"},
		{"skillets", "/merchant?q=skillet", "table.console"},
		{"orders", "/merchant/orders", "tr.part"},
		{"refund-some", "/merchant/orders/" + part + "/refund-some", "form.refund-some-form"},
		{"feeds", "/merchant/feeds", "form"},
		{"feed-job", job, "table.rejections"},
		{"edit", "/merchant/listings/" + skillet.ID, "form"},
		{"new", "/merchant/listings/new", "form"},
		{"earnings", "/merchant/earnings", "main"},
		{"profile", "/merchant/profile", "form.profile-form"},
		{"shipping", "/merchant/shipping", "table.console"},
		{"shipping-new", "/merchant/shipping/new", "form.shipping-form"},
		{"shipping-edit", "/merchant/shipping/" + sp.ID, "form.shipping-form"},
		{"shipping-delete", "/merchant/shipping/" + sp.ID + "/delete", "main h1"},
		// The feed's rejections, the shipping editor and the issues in
		// Chinese, then back to English.
		{"feed-job-zh", job + "?lang=zh-CN", "table.rejections"},
		{"shipping-edit-zh", "/merchant/shipping/" + sp.ID, "form.shipping-form"},
		{"issues-zh", "/merchant/issues", "main h1"},
		{"listings-en", "/merchant?lang=en", "table.console"},
	}
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		c.run("viewport-"+size.name, chromedp.EmulateViewport(size.w, size.h))
		for _, p := range pages {
			c.run(size.name+"-"+p.name, chromedp.Navigate(c.base+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
			c.fits(size.name + " " + p.name)
		}
	}
	c.shippingOnAPhone(sp)
	c.refundOnAPhone(part)
	// On the phone: the mugs out of stock, two of them ticked, 12 units
	// added to each after a review.
	c.run("phone-out-of-stock",
		chromedp.Navigate(c.base+"/merchant"),
		chromedp.SetValue(chromedp.CSS(`#filter-q`), "mug"),
		chromedp.SetValue(chromedp.CSS(`#filter-stock`), "out"),
		chromedp.Submit(chromedp.CSS(`#filter-q`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-stock="out"]`)),
	)
	if n := eval[int](c, `document.querySelectorAll('tbody tr').length`); n != 8 || eval[int](c, `document.querySelectorAll('tbody tr:not([data-stock="out"])').length`) != 0 {
		t.Fatalf("filtered to the mugs out of stock, the table has %d rows, some not out of stock", n)
	}
	// The script's box ticks every listing of the page, and unticks them.
	c.run("phone-tick-all", chromedp.Click(chromedp.CSS(`#tick-all`)))
	if n := eval[int](c, `document.querySelectorAll('input[form="bulk"][name="id"]:checked').length`); n != 8 || eval[string](c, `document.querySelector('.ticked').textContent`) != "8 listings ticked" {
		t.Errorf("tick all ticked %d of 8", n)
	}
	c.run("phone-untick-all", chromedp.Click(chromedp.CSS(`#tick-all`)))
	picked := eval[[]string](c, `Array.from(document.querySelectorAll('tbody tr')).slice(0, 2).map(tr => tr.dataset.listing)`)
	c.run("phone-tick-two",
		chromedp.Click(chromedp.CSS(`tbody tr:nth-child(1) input[type=checkbox]`)),
		chromedp.Click(chromedp.CSS(`tbody tr:nth-child(2) input[type=checkbox]`)),
		chromedp.SetValue(chromedp.CSS(`#f-op`), "add_stock"),
		chromedp.SendKeys(chromedp.CSS(`#f-amount`), "12"),
	)
	c.run("phone-review",
		chromedp.Click(chromedp.CSS(`#review-bulk`)),
		chromedp.WaitVisible(chromedp.CSS(`#apply-bulk`)),
	)
	c.fits("phone bulk review")
	if got := eval[string](c, `document.querySelector('#apply-bulk').textContent.trim()`); got != "Apply 2 changes" {
		t.Errorf("the review offers %q", got)
	}
	c.run("phone-applied",
		chromedp.Click(chromedp.CSS(`#apply-bulk`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	c.fits("phone listings after a bulk change")
	for _, id := range picked {
		if l, err := h.Self.Cat.Listing(t.Context(), id); err != nil || l.Variants[0].Stock != 12 {
			t.Errorf("listing %s after adding 12: %+v, %v", id, l.Variants, err)
		}
	}
	if !eval[bool](c, `(p => p.get('q') === 'mug' && p.get('stock') === 'out' && p.get('done') === 'bulk')(new URLSearchParams(location.search))`) {
		t.Errorf("after the change the console shows %s, not the filtered table", eval[string](c, `location.href`))
	}
}

// shippingProfile gives the harness's merchant a published profile and a
// shipping profile of three zones, its default.
func (h *harness) shippingProfile() catalog.ShippingProfile {
	h.T.Helper()
	eu := []string{"AT", "BE", "BG", "CY", "CZ", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
	sp, err := h.Self.Cat.PutShippingProfile(h.T.Context(), h.Merchant.ID, "", catalog.ShippingProfileInput{Name: "Parcels", Zones: []shipping.Zone{
		{Name: "Domestic", Countries: []string{"DE"}, Rates: []shipping.Rate{
			{Name: "Standard", Flat: 490, FreeOver: 5000, Transit: shipping.Days{Min: 1, Max: 2}, Carriers: []string{"dhl-paket"}},
			{Name: "Express", Flat: 990, Transit: shipping.Days{Min: 1, Max: 1}, Carriers: []string{"ups"}}}},
		{Name: "EU", Countries: eu, Regions: []string{"ES-CN"}, Rates: []shipping.Rate{
			{Name: "Economy by weight", Bands: []shipping.Band{{From: 0, To: 1000, Amount: 790}, {From: 1000, To: 5000, Amount: 1250}, {From: 5000, To: 31500, Amount: 2490}},
				Transit: shipping.Days{Min: 3, Max: 6}, Carriers: []string{"dpd", "gls"}}}},
		{Name: "World", Countries: []string{"US", "CA", "JP", "AU", "GB", "CH", "NO"}, Rates: []shipping.Rate{
			{Name: "International", PerItem: 1490, Transit: shipping.Days{Min: 5, Max: 12}, Carriers: []string{"fedex"}}}},
	}})
	if err != nil {
		h.T.Fatal(err)
	}
	_, err = h.Self.Cat.SetMerchantProfile(h.T.Context(), h.Merchant.ID, catalog.MerchantProfileInput{Name: "Alpha Goods & Co",
		Country: "DE", Email: "help@alpha.example", DefaultShipping: sp.ID,
		Policies: catalog.Policies{ReturnDays: 30, ReturnShipping: catalog.ReturnPaidByShopper, RestockingFeeBPS: 250, HandlingDays: 1}})
	if err != nil {
		h.T.Fatal(err)
	}
	return sp
}

// shippingOnAPhone edits shipping profile sp on a phone: a zone added, a
// refused rate with its problem next to its input, and every page of the
// way passing the overflow check and axe-core's rules; then a part
// shipped with another carrier, whose inputs show only once it is picked.
func (c *chrome) shippingOnAPhone(sp catalog.ShippingProfile) {
	c.t.Helper()
	check := webtest.NewPageChecker(c.t)
	checked := func(page string) {
		c.t.Helper()
		c.fits(page)
		ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
		defer cancel()
		found, err := check.Check(ctx)
		if err != nil {
			c.t.Fatalf("%s: %v", page, err)
		}
		for _, f := range found {
			c.t.Errorf("%s on a phone: %s", page, f)
		}
	}
	for _, p := range []string{"/merchant/profile", "/merchant/shipping", "/merchant/shipping/new", "/merchant/shipping/" + sp.ID + "/delete"} {
		c.run("phone-check-"+strings.Trim(strings.ReplaceAll(p, "/", "-"), "-"), chromedp.Navigate(c.base+p), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		checked("phone " + p)
	}
	c.run("phone-shipping-edit", chromedp.Navigate(c.base+"/merchant/shipping/"+sp.ID), chromedp.WaitVisible(chromedp.CSS(`#add-zone`)))
	checked("phone shipping editor")
	c.run("phone-shipping-add-zone", chromedp.Click(chromedp.CSS(`#add-zone`)), chromedp.WaitVisible(chromedp.CSS(`#f-zones-3-name`)))
	checked("phone shipping editor with a zone added")
	c.run("phone-shipping-refused",
		chromedp.SetValue(chromedp.CSS(`#f-zones-1-rates-0-transit_days-min`), "7"),
		chromedp.Click(chromedp.CSS(`#save-shipping`)),
		chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
	)
	if got := eval[string](c, `document.querySelector('#f-zones-1-rates-0-transit_days-max-error').textContent`); got != "Zone 2 (EU), rate 1 (Economy by weight): the most transit days (6) may not be fewer than the fewest (7)." {
		c.t.Errorf("next to the most transit days: %q", got)
	}
	checked("phone shipping editor with a problem")
	// Shipping the skillet's part with another carrier: its inputs show
	// once "Other carrier" is picked.
	c.run("phone-orders", chromedp.Navigate(c.base+"/merchant/orders"), chromedp.WaitVisible(chromedp.CSS(`tr.part`)))
	if eval[bool](c, `!document.querySelector('tr.part .carrier-other').hidden`) {
		c.t.Error("the other carrier's inputs show before Other carrier is picked")
	}
	c.run("phone-ship-other",
		chromedp.SetValue(chromedp.CSS(`tr.part select.carrier-pick`), "other"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('tr.part select.carrier-pick').dispatchEvent(new Event('change'))`),
		chromedp.WaitVisible(chromedp.CSS(`tr.part input[name="carrier_name"]`)),
	)
	checked("phone orders with another carrier")
	c.run("phone-shipped",
		chromedp.SendKeys(chromedp.CSS(`tr.part input[name="carrier_name"]`), "Speedy Couriers"),
		chromedp.SendKeys(chromedp.CSS(`tr.part input[name="tracking_url"]`), "https://speedy.example/track/SP-77"),
		chromedp.SendKeys(chromedp.CSS(`tr.part input[name="tracking"]`), "SP-77"),
		chromedp.Click(chromedp.CSS(`tr.part button.ship`)),
		chromedp.WaitVisible(chromedp.CSS(`tr.part[data-status="shipped"] a.tracking-link`)),
	)
	checked("phone orders with a tracking link")
}

// refundOnAPhone refunds part of the shipped skillet on the phone: an
// amount over what is left is refused next to the amount, the
// confirmation says the amount and to whom, and the orders list then
// shows the refund and what is left refundable; each page passes the
// overflow check and axe-core's rules.
func (c *chrome) refundOnAPhone(part string) {
	c.t.Helper()
	check := webtest.NewPageChecker(c.t)
	checked := func(page string) {
		c.t.Helper()
		c.fits(page)
		ctx, cancel := context.WithTimeout(c.ctx, stepTimeout)
		defer cancel()
		found, err := check.Check(ctx)
		if err != nil {
			c.t.Fatalf("%s: %v", page, err)
		}
		for _, f := range found {
			c.t.Errorf("%s on a phone: %s", page, f)
		}
	}
	c.run("phone-refund-some", chromedp.Click(chromedp.CSS(`tr.part a.refund-some`)), chromedp.WaitVisible(chromedp.CSS(`#review-refund-some`)))
	checked("phone refund form")
	c.run("phone-refund-too-much",
		chromedp.SendKeys(chromedp.CSS(`#f-amount`), "60"),
		chromedp.Click(chromedp.CSS(`#review-refund-some`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-amount-error`)),
	)
	if got := eval[string](c, `document.querySelector('#f-amount-error').textContent`); got != "€60.00 is more than the €49.90 of items left to refund." {
		c.t.Errorf("next to the amount: %q", got)
	}
	checked("phone refund refused")
	c.run("phone-refund-review",
		chromedp.SetValue(chromedp.CSS(`#f-amount`), "10"),
		chromedp.SetValue(chromedp.CSS(`#f-reason`), "A scratch on the handle"),
		chromedp.Click(chromedp.CSS(`#review-refund-some`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-refund-some`)),
	)
	if got := eval[string](c, `document.querySelector('.refund-confirm').textContent`); !strings.HasPrefix(got, "Refund €10.00 to Ada Lovelace?") {
		c.t.Errorf("the confirmation says %q", got)
	}
	checked("phone refund confirmation")
	c.run("phone-refunded", chromedp.Click(chromedp.CSS(`#confirm-refund-some`)), chromedp.WaitVisible(chromedp.CSS(`tr.part li.part-refund`)))
	if got := eval[string](c, `document.querySelector('tr.part li.part-refund').textContent`); !strings.Contains(got, "Refunded €10.00") ||
		!strings.Contains(got, "A scratch on the handle") {
		c.t.Errorf("the refund reads %q", got)
	}
	if got := eval[string](c, `document.querySelector('tr.part .part-left').textContent`); !strings.Contains(got, "Refundable: €39.90 of items") {
		c.t.Errorf("what is left reads %q", got)
	}
	checked("phone orders with a refund")
	c.run("desktop-refunded", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`tr.part li.part-refund`)))
	c.fits("desktop orders with a refund")
}
