package node

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserForwardedReport: a review Alpha signed is reported on
// Gamma; Alpha's operator finds the report on its reviews page, naming
// Gamma, chooses to name reviewers by first name only, and takes the
// review down everywhere. The page passes the page checks on a phone.
func TestBrowserForwardedReport(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium through a three-member federation")
	}
	br := newBrowser(t, 4*time.Minute)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta", "Gamma"}, FederationID: "browser-report", FederationName: "Browser Report",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b, g := c.Nodes[0], c.Nodes[1], c.Nodes[2]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 10)
	sh := newShopper(t, a, "Ada Lovelace")
	orderID, part := buyDelivered(t, sh, b, tokB, onB, "PAN-B")
	s, body := req(t, "POST", a.APIURL()+"/v1/orders/"+orderID+"/reviews", "/v1/orders/{id}/reviews", sh.token,
		catalog.ReviewInput{Part: part, ListingID: onB, SKU: "PAN-B", Rating: 2, Title: "Warped", Text: "Rocks on the hob."})
	var rv catalog.Review
	if s != 201 || json.Unmarshal(body, &rv) != nil {
		t.Fatalf("review: %d %s", s, body)
	}
	waitReview(t, g, rv.ID)
	if s, body := req(t, "POST", g.APIURL()+"/v1/reviews/"+rv.ID+"/reports", "/v1/reviews/{id}/reports", "", map[string]string{"reason": "fake", "note": "Never bought it"}); s != 201 {
		t.Fatalf("report on Gamma: %d %s", s, body)
	}

	br.run("operator-signin",
		chromedp.Navigate(a.APIURL()+"/operator/signin"),
		chromedp.SendKeys(chromedp.CSS(`#f-token`), c.Tokens[0]),
		chromedp.Submit(chromedp.CSS(`#f-token`)),
		chromedp.WaitVisible(chromedp.CSS(`.area-nav`)),
	)
	br.reloadUntil("forwarded-report", a.APIURL()+"/operator/reviews", `document.querySelector('.reports') !== null`, 30*time.Second)
	if got := br.text(`.reports`); !strings.Contains(got, "fake: Never bought it (reported on Gamma)") {
		t.Errorf("the forwarded report reads %q", got)
	}
	br.run("names-first-only",
		chromedp.Click(chromedp.CSS(`input[name="names"][value="first_name"]`)),
		chromedp.Click(chromedp.CSS(`.reviewer-names button`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="names"][value="first_name"]:checked`)),
	)
	if got, err := a.web.ReviewerNames(); err != nil || got != "first_name" {
		t.Errorf("reviewer names after saving: %q %v", got, err)
	}
	check := webtest.NewPageChecker(t)
	br.run("reviews-phone", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	br.checkPage(check, a.APIURL()+"/operator/reviews")
	br.run("reviews-desktop", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	br.run("take-down",
		chromedp.Click(chromedp.CSS(`form.takedown button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	if _, err := a.Catalog().Review(t.Context(), rv.ID); err == nil {
		t.Error("the review still lives on Alpha after the take-down")
	}
}

// waitReview waits until n holds review id.
func waitReview(t *testing.T, n *Node, id string) {
	t.Helper()
	testwait.For(t, 15*time.Second, func() error {
		_, err := n.Catalog().Review(t.Context(), id)
		return err
	})
}
