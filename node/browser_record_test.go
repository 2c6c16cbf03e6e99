package node

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserMerchantRecord shows a merchant's measured record on
// Alpha's merchant and listing pages, on a desktop and on a phone, after
// eleven sales through Alpha; Beta's pages, which placed none, say there
// are not enough orders yet. Every page passes the page checks.
func TestBrowserMerchantRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through a two-member federation")
	}
	br := newBrowser(t, 4*time.Minute)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "browser-record", FederationName: "Browser Record",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 20)
	platform, merchant, _, err := catalog.ParseID(onB)
	if err != nil {
		t.Fatal(err)
	}
	id := catalog.FormatMerchantID(platform, merchant)
	measuredSales(t, newShopper(t, a, "Ada Lovelace"), b, tokB, onB, "PAN-B", 11)

	check := webtest.NewPageChecker(t)
	for _, size := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		for _, p := range []struct{ name, url, want string }{
			{"merchant", a.APIURL() + "/merchants/" + id, "Measured from 11 orders"},
			{"listing", a.APIURL() + "/listings/" + onB, "Measured from 11 orders"},
			{"listing-on-beta", b.APIURL() + "/listings/" + onB, "Not enough orders yet"},
		} {
			br.run(p.name+"-"+size.name, chromedp.EmulateViewport(size.w, size.h), chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS(`.merchant-record`)))
			if got := br.text(`.merchant-record`); !strings.Contains(got, p.want) || !strings.HasPrefix(strings.ToLower(got), "measured record") {
				t.Errorf("%s (%s): the record reads %q, want it labelled and saying %q", p.name, size.name, got, p.want)
			}
			if size.name == "phone" {
				br.checkPage(check, p.url)
			}
		}
	}
}
