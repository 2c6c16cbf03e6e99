package node

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserOperatorDescribesACategoryPage drives, in a real Chromium
// over two real nodes, the operator describing a category on the
// dashboard and the category page a shopper (and a search engine) then
// reads, on a desktop and on a phone: the description, the breadcrumbs,
// the subcategories, the listings and the next page; every page passes
// the page checks (labels, axe-core, nothing overflowing).
func TestBrowserOperatorDescribesACategoryPage(t *testing.T) {
	chromium(t)
	c := startCluster(t, "Alpha", "Beta")
	a := c.Nodes[0]
	tok := newMerchant(t, c, 0, "Ferro Works")
	for i := range 26 {
		createListing(t, a, tok, fmt.Sprintf("Carbon steel skillet no. %d", i+1), fmt.Sprintf("PAN-%d", i))
	}
	createListing(t, c.Nodes[1], newMerchant(t, c, 1, "Beta Forge"), "Beta forged wok", "WOK-1")
	testwait.For(t, 15*time.Second, func() error {
		if got := searchOn(t, a, "category=Home").Total; got != 27 {
			return fmt.Errorf("alpha holds %d listings in Home, want 27", got)
		}
		return nil
	})
	br := newBrowser(t, 4*time.Minute)
	check := webtest.NewPageChecker(t)
	signInOperator(br, a, c.Tokens[0], "alpha")
	const text = "Pans, woks and skillets from the alliance's forges: carbon steel and cast iron, seasoned and ready for a gas, electric or induction hob.\n\nEvery listing ships from its maker's own platform."
	row := `form:has(input[name="category"][value="Home > Kitchen"])`
	br.run("describe-kitchen", chromedp.Navigate(a.APIURL()+"/operator/categories"), chromedp.WaitVisible(chromedp.CSS(row+` textarea`)),
		chromedp.SendKeys(chromedp.CSS(row+` textarea`), text), chromedp.Click(chromedp.CSS(row+` button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice, [role="status"]`)))
	br.run("categories-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	br.checkPage(check, "/operator/categories")
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		br.run("kitchen-"+size.name, chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(a.APIURL()+"/c/home/kitchen"),
			chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		br.checkPage(check, "/c/home/kitchen at "+size.name)
	}
	if got := br.text(`.category-head p`); !strings.HasPrefix(got, "Pans, woks and skillets") {
		t.Errorf("the category page's description reads %q", got)
	}
	if got := br.text(`.breadcrumb [aria-current="page"]`); got != "Kitchen" {
		t.Errorf("the breadcrumbs end at %q, want Kitchen", got)
	}
	br.run("kitchen-page-2", chromedp.Click(chromedp.CSS(`.pager a[rel="next"]`)), chromedp.WaitVisible(chromedp.CSS(`.pager a[rel="prev"]`)))
	br.checkPage(check, "/c/home/kitchen?page=2")
	br.run("cookware-desktop", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(a.APIURL()+"/c/home/kitchen/cookware?sort=price_asc"),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)))
}
