package node

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserSponsoredSlotOnSearch: a merchant of Beta runs a campaign
// over one of its two aprons; a search for aprons on Alpha's storefront
// shows it in a slot labelled "Sponsored", above the organic results,
// which still list both, and on the category page; the slot's link goes
// on to the listing. The pages pass the accessibility and overflow
// checks on a desktop and a phone.
func TestBrowserSponsoredSlotOnSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through a two-member federation")
	}
	br := newBrowser(t, 4*time.Minute)
	check := webtest.NewPageChecker(t)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "browser-ads", FederationName: "Browser Ads",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Ads:  federation.Ads{MaxFeeBPS: 2000, StorefrontShareBPS: 5000},
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a := c.Nodes[0]
	tokB := newMerchant(t, c, 1, "Bremen Linen")
	linen := listFor(t, c, 1, tokB, "Linen apron", "APRON-L", "Linho", 2479)
	listFor(t, c, 1, tokB, "Cotton apron", "APRON-C", "Linho", 1990)
	s, out := req(t, "POST", c.Nodes[1].APIURL()+"/v1/merchant/campaigns", "/v1/merchant/campaigns", tokB, catalog.CampaignInput{
		Name: "Linen", Listings: []string{linen}, Keywords: []string{"apron"}, TotalBudget: 10000, FeeBPS: 800,
		Starts: time.Now().Add(-time.Hour), Ends: time.Now().Add(24 * time.Hour)})
	if s != 201 {
		t.Fatalf("campaign: %d %s", s, out)
	}
	testwait.For(t, 30*time.Second, func() error {
		all, err := a.Catalog().Campaigns(t.Context(), "", "")
		if err != nil || len(all) != 1 {
			return err
		}
		return nil
	})
	// Replication is eventual: a record gossip delivered out of order is
	// caught up half a second later, so the page is loaded again until the
	// slot is there.
	br.reloadUntil("search-with-a-sponsored-slot", a.APIURL()+"/search?q=apron", `document.querySelector('.sponsored') !== null`, 30*time.Second)
	if got := eval[string](br, `document.getElementById('sponsored-title').textContent`); got != "Sponsored" {
		t.Errorf("the slots are labelled %q", got)
	}
	if got := eval[[]string](br, `Array.from(document.querySelectorAll('.sponsored-card h3 a')).map(a => a.textContent)`); len(got) != 1 || got[0] != "Linen apron" {
		t.Errorf("sponsored slots %q, want the linen apron", got)
	}
	if n := eval[int](br, `document.querySelectorAll('.results > ul.cards > li.card').length`); n != 2 {
		t.Errorf("the organic results list %d aprons, want both", n)
	}
	br.checkPage(check, "/search?q=apron")
	href := eval[string](br, `document.querySelector('.sponsored-card h3 a').getAttribute('href')`)
	if u, err := url.Parse(href); err != nil || u.Path != "/sponsored/click" || u.Query().Get("listing") != linen {
		t.Errorf("the slot links to %s", href)
	}
	br.run("search-slot-on-a-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.sponsored`)))
	br.checkPage(check, "/search?q=apron on a phone")
	br.run("back-to-desktop", chromedp.EmulateViewport(1280, 900))
	// The category page shows the slot too, whatever the keywords.
	br.run("category-with-a-sponsored-slot", chromedp.Navigate(a.APIURL()+"/c/home/kitchen"), chromedp.WaitVisible(chromedp.CSS(`.sponsored`)))
	if got := eval[[]string](br, `Array.from(document.querySelectorAll('.sponsored-card h3 a')).map(a => a.textContent)`); len(got) != 1 || got[0] != "Linen apron" {
		t.Errorf("category slots %q, want the linen apron", got)
	}
	br.checkPage(check, "/c/home/kitchen")
	br.run("category-slot-on-a-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.sponsored`)))
	br.checkPage(check, "/c/home/kitchen on a phone")
	br.run("back-to-desktop-again", chromedp.EmulateViewport(1280, 900))
	// A search the campaign's keywords do not match shows no slot.
	br.run("search-without-a-slot", chromedp.Navigate(a.APIURL()+"/search?q=linen"), chromedp.WaitVisible(chromedp.CSS(`.results`)))
	if eval[bool](br, `document.querySelector('.sponsored') !== null`) {
		t.Error("a search for linen shows the apron campaign's slot")
	}
	br.run("follow-the-slot",
		chromedp.Navigate(a.APIURL()+href),
		chromedp.WaitVisible(chromedp.CSS(`#add-to-cart`)),
	)
	if got := eval[string](br, `location.pathname`); !strings.HasSuffix(got, "/listings/"+linen) {
		t.Errorf("the slot's link ends on %s", got)
	}
}
