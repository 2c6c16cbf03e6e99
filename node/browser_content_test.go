package node

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestBrowserOperatorWritesPagesAndHelp drives the content story in a
// real Chromium over two real nodes: Alpha's operator writes a page in
// Markdown (hostile HTML included), previews and publishes it, changes
// it, and restores the first version; the page is in Alpha's menu and
// footer and renders inert. The operator writes a help article for the
// whole alliance; a shopper on Beta finds it through the help search,
// reads it and answers "was this helpful?". Every page of the story, at
// 390x844, has labels, passes axe-core and overflows nothing.
func TestBrowserOperatorWritesPagesAndHelp(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium over a cluster")
	}
	br := newBrowser(t, 4*time.Minute)
	c := startClusterOpts(t, ClusterOptions{
		Dir: t.TempDir(), Names: []string{"Alpha", "Beta"}, FederationID: "content-browser", FederationName: "Content Test",
		Currency: "EUR", Period: time.Hour, Log: discard(),
		Tune: func(cfg *Config) { cfg.Federation.DialInterval = 50 * time.Millisecond },
	})
	a, b := c.Nodes[0], c.Nodes[1]
	signInOperator(br, a, c.Tokens[0], "alpha")

	// A page, previewed, then published.
	body := "## Who we are\n\nWe sell **tea** from small farms.\n\n<script>window.pwned=1</script>\n\n<img src=x onerror=\"window.pwned=2\">\n\n[Click](javascript:window.pwned=3)"
	br.run("new-page",
		chromedp.Navigate(a.APIURL()+"/operator/pages"),
		chromedp.Click(chromedp.CSS(`#new-page`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-title`)),
		chromedp.SendKeys(chromedp.CSS(`#f-title`), "About us"),
		chromedp.SendKeys(chromedp.CSS(`#f-slug`), "about-us"),
		chromedp.SetValue(chromedp.CSS(`#f-body`), body),
		chromedp.Click(chromedp.CSS(`#doc-preview`)),
		chromedp.WaitVisible(chromedp.CSS(`#preview h2`)),
	)
	if got := br.text(`#preview strong`); got != "tea" {
		t.Errorf("the preview's bold text reads %q", got)
	}
	br.run("publish-page", chromedp.Click(chromedp.CSS(`#doc-publish`)), chromedp.WaitVisible(chromedp.CSS(`#doc-live`)))

	// A second page with the same slug is refused, naming the slug.
	br.run("slug-taken",
		chromedp.Navigate(a.APIURL()+"/operator/pages/new?kind=page"),
		chromedp.SendKeys(chromedp.CSS(`#f-title`), "Another"),
		chromedp.SendKeys(chromedp.CSS(`#f-slug`), "about-us"),
		chromedp.Click(chromedp.CSS(`#doc-save`)),
		chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
	)
	if got := br.text(`.field.invalid`); !strings.Contains(got, "Slug") {
		t.Errorf("the refused slug's field reads %q", got)
	}

	// Version 2, then version 1 restored.
	br.run("edit-page",
		chromedp.Navigate(a.APIURL()+"/operator/pages/page/about-us"),
		chromedp.SetValue(chromedp.CSS(`#f-body`), "We sell **coffee** now."),
		chromedp.Click(chromedp.CSS(`#doc-publish`)),
		chromedp.WaitVisible(chromedp.CSS(`tr.version[data-version="2"]`)),
	)
	br.run("restore-v1",
		chromedp.Click(chromedp.CSS(`tr.version[data-version="1"] .restore`)),
		chromedp.WaitVisible(chromedp.CSS(`tr.version[data-version="3"]`)),
	)

	// The storefront: the page in the menu and the footer, inert.
	br.run("storefront-page",
		chromedp.Navigate(a.APIURL()+"/"),
		chromedp.WaitVisible(chromedp.CSS(`.pages-nav a[href="/pages/about-us"]`)),
		chromedp.Click(chromedp.CSS(`.footer-nav a[href="/pages/about-us"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#doc-body`)),
	)
	if got := br.text(`#doc-body strong`); got != "tea" {
		t.Errorf("after restoring version 1 the page's bold text reads %q", got)
	}
	if eval[bool](br, `window.pwned !== undefined || !!document.querySelector('#doc-body script, #doc-body [onerror], #doc-body a[href^="javascript"]')`) {
		t.Errorf("hostile Markdown ran or survived: %s", eval[string](br, `document.querySelector('#doc-body').innerHTML`))
	}

	// A help article for the whole alliance.
	br.run("new-article",
		chromedp.Navigate(a.APIURL()+"/operator/pages/new?kind=article"),
		chromedp.SendKeys(chromedp.CSS(`#f-title`), "Returning a part bought from another member"),
		chromedp.SendKeys(chromedp.CSS(`#f-slug`), "cross-member-returns"),
		chromedp.SendKeys(chromedp.CSS(`#f-category`), "Returns"),
		chromedp.SetValue(chromedp.CSS(`#f-body`), "Each part of an order goes back to **its own merchant**: open the order, choose the part and ask for a return."),
		chromedp.Click(chromedp.CSS(`input[name=scope][value=federation]`)),
		chromedp.Click(chromedp.CSS(`#doc-publish`)),
		chromedp.WaitVisible(chromedp.CSS(`#doc-live`)),
	)

	// A shopper on Beta finds it through the help search.
	br.reloadUntil("beta-help-search", b.APIURL()+"/help?q=return+parts+merchant",
		`!!document.querySelector('#help-results a[href="/help/cross-member-returns"]')`, 30*time.Second)
	br.run("beta-article",
		chromedp.Click(chromedp.CSS(`#help-results a[href="/help/cross-member-returns"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#helpful-yes`)),
	)
	if got := br.text(`.doc-meta`); !strings.Contains(got, "Alpha") {
		t.Errorf("the article does not name its author: %q", got)
	}
	br.run("beta-vote", chromedp.Click(chromedp.CSS(`#helpful-yes`)), chromedp.WaitVisible(chromedp.CSS(`#helpful-thanks`)))
	if got := br.text(`#helpful-thanks`); !strings.Contains(got, "1 of 1") {
		t.Errorf("after one yes the answer reads %q", got)
	}
	br.run("beta-help-home", chromedp.Navigate(b.APIURL()+"/help"), chromedp.WaitVisible(chromedp.CSS(`#help-most-viewed`)))

	check := webtest.NewPageChecker(t)
	br.run("phone", chromedp.EmulateViewport(390, 844))
	for i, u := range []string{a.APIURL() + "/operator/pages", a.APIURL() + "/operator/pages/page/about-us",
		a.APIURL() + "/operator/pages/page/about-us/versions/2", a.APIURL() + "/operator/pages/new?kind=article",
		a.APIURL() + "/pages/about-us", b.APIURL() + "/help", b.APIURL() + "/help?q=returns", b.APIURL() + "/help/cross-member-returns"} {
		br.run(fmt.Sprintf("phone-%02d", i), chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		br.checkPage(check, u)
	}
}
