package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/adstats"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
	"github.com/fedmart/fedmart/settlement"
)

func postSponsored(t *testing.T, b *webtest.Browser, form url.Values) webtest.Response {
	t.Helper()
	form.Set("csrf", webtest.CSRF(t, b.Get("/operator/sponsored")))
	return b.Post("/operator/sponsored", form)
}

// TestSponsoredSettingsAreKeptAndNamedWhenBad: the operator switches the
// storefront's slots off and excludes categories (blank lines and
// repeats dropped); the site keeps them, the page shows them again, and
// a bad category is named next to its input, nothing kept.
func TestSponsoredSettingsAreKeptAndNamedWhenBad(t *testing.T) {
	h := newHarness(t)
	b := h.operator()
	r := b.Get("/operator/sponsored")
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `name="slots" value="on" checked`) {
		t.Error("slots are not on by default")
	}
	webtest.WantText(t, r, "The charter runs no sponsored listings now")
	webtest.WantRedirect(t, postSponsored(t, b, url.Values{"excluded": {"Home > Kitchen\r\n\r\n Garden \r\nGarden"}}), "/operator/sponsored?done=saved")
	got, err := h.site.SponsoredSettings()
	if err != nil || !got.Off || strings.Join(got.Excluded, "|") != "Garden|Home > Kitchen" {
		t.Fatalf("kept: %+v %v", got, err)
	}
	r = b.Get("/operator/sponsored?done=saved")
	if strings.Contains(r.Body, `value="on" checked`) || !strings.Contains(r.Body, "Garden\nHome &gt; Kitchen</textarea>") {
		t.Errorf("the page does not show what was kept:\n%s", r.Body)
	}
	webtest.WantText(t, r, "Sponsored slot settings saved")

	r = postSponsored(t, b, url.Values{"slots": {"on"}, "excluded": {"Toys\n" + strings.Repeat("x", 1025)}})
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	webtest.HasFieldError(t, r.Body, "excluded", "Excluded categories: each line must be one category path, such as Home &gt; Kitchen, of at most 1024 bytes.")
	var many []string
	for i := range web.MaxExcludedCategories + 1 {
		many = append(many, fmt.Sprintf("Category %d", i))
	}
	r = postSponsored(t, b, url.Values{"slots": {"on"}, "excluded": {strings.Join(many, "\n")}})
	webtest.HasFieldError(t, r.Body, "excluded", "Excluded categories: at most 100 categories, not 101.")
	if again, _ := h.site.SponsoredSettings(); !again.Off || len(again.Excluded) != 2 {
		t.Errorf("a refused form changed the settings: %+v", again)
	}
	webtest.WantRedirect(t, postSponsored(t, b, url.Values{"slots": {"on"}}), "/operator/sponsored?done=saved")
	if got, _ := h.site.SponsoredSettings(); got.Off || len(got.Excluded) != 0 {
		t.Errorf("slots back on: %+v", got)
	}
}

// adTotals sums, as a statement does, the entries settlement derives
// from ad events between self and other.
func adTotals(t *testing.T, pol settlement.Policy, self, other string, evs ...settlement.Event) []settlement.Total {
	t.Helper()
	var out []settlement.Total
	for _, ev := range evs {
		es, err := settlement.AdEntries(ev, pol)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if (e.From != self || e.To != other) && (e.From != other || e.To != self) {
				continue // the treasury's share is in the statement with the treasury
			}
			i := 0
			for i < len(out) && (out[i].Kind != e.Kind || out[i].From != e.From || out[i].To != e.To) {
				i++
			}
			if i == len(out) {
				out = append(out, settlement.Total{Kind: e.Kind, From: e.From, To: e.To, Amount: settlement.Money{Currency: "EUR"}})
			}
			out[i].Amount.Amount += e.Amount.Amount
			out[i].Count++
		}
	}
	return out
}

// TestAdRevenueIsReadFromTheStatements: the page shows, per period, the
// shares of ad fees this storefront was paid (a fee on Beta's merchant's
// sale through Alpha's slot), less what a refund took back, and not the
// fees Alpha's own merchants paid Beta's storefront.
// withAdRevenue gives the harness the periods of WithSettlement, a
// charter that runs ads, and, in the closed period, a fee of €10.00 on
// a sale of Beta's merchant through Alpha's slot (Alpha's share 60 %),
// half of it reversed by a refund, and a fee Alpha's merchant paid on a
// sale through Beta's slot.
func withAdRevenue(t *testing.T, h *harness) {
	t.Helper()
	h.WithSettlement(t)
	self, other := h.Self.ID.String(), h.Other.ID.String()
	h.Fed.Edit(func(c **federation.SignedCharter, _ *[]federation.MemberState) {
		cp := **c
		cp.Charter.Ads = federation.Ads{MaxFeeBPS: 1500, SlotsPerPage: 3, StorefrontShareBPS: 6000}
		*c = &cp
	})
	pol := settlement.Policy{Version: 2, Currency: "EUR", Treasury: "treasury-peer", Ads: settlement.Ads{Enabled: true, StorefrontShareBPS: 6000}}
	at := time.Date(2026, 2, 28, 10, 0, 0, 0, time.UTC)
	eur := func(a int64) settlement.Money { return settlement.Money{Amount: a, Currency: "EUR"} }
	fee := settlement.Event{PartID: "o1-1", Kind: settlement.EventAdFee, Storefront: self, Home: other, Merchant: "m1", Campaign: other + ".m1.c1",
		AdFee: 1000, Gross: eur(1000), PolicyVersion: 2, At: at}
	back := fee
	back.Kind, back.RefundOf, back.Gross, back.At = settlement.EventAdFeeReversed, "r1", eur(500), at.Add(time.Hour)
	paid := settlement.Event{PartID: "o2-1", Kind: settlement.EventAdFee, Storefront: other, Home: self, Merchant: "m2", Campaign: self + ".m2.c1",
		AdFee: 4000, Gross: eur(4000), PolicyVersion: 2, At: at}
	sts, _ := h.Settlement.Statements(t.Context(), webtest.ClosedPeriod)
	sts[0].Totals = append(sts[0].Totals, adTotals(t, pol, self, other, fee, back, paid)...)
	h.Settlement.SetStatements(webtest.ClosedPeriod, sts...)
	withCampaignStats(t, h)

}

func TestAdRevenueIsReadFromTheStatements(t *testing.T) {
	h := newHarness(t)
	withAdRevenue(t, h)
	r := h.operator().Get("/operator/sponsored")
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "at most <strong>3</strong> sponsored slots per page, campaign fees up to <strong>15.00%</strong> of a sale, and gives the storefront that showed the slot <strong>60.00%</strong> of each fee") {
		t.Error("the page does not state the charter's ad policy")
	}
	row := regexp.MustCompile(`(?s)<tr data-period="` + regexp.QuoteMeta(webtest.ClosedPeriod) + `">.*?</tr>`).FindString(r.Body)
	for _, want := range []string{`ad-sales" data-label="Sales">1<`, `ad-earned" data-label="Earned">€6.00<`,
		`ad-reversed" data-label="Given back">€3.00<`, `ad-net" data-label="Net">€3.00<`, "Agreed"} {
		if !strings.Contains(row, want) {
			t.Errorf("the closed period's row lacks %s:\n%s", want, row)
		}
	}
	open := regexp.MustCompile(`(?s)<tr data-period="` + regexp.QuoteMeta(webtest.OpenPeriod) + `">.*?</tr>`).FindString(r.Body)
	if !strings.Contains(open, `ad-net" data-label="Net">€0.00<`) {
		t.Errorf("the open period's row:\n%s", open)
	}
	if !strings.Contains(r.Body, `<strong id="ad-revenue-total">€3.00</strong>`) {
		t.Error("the total over the periods is not €3.00")
	}
	if strings.Index(r.Body, webtest.OpenPeriod) > strings.Index(r.Body, webtest.ClosedPeriod) {
		t.Error("the periods are not newest first")
	}
}

// TestSponsoredPageInChromium looks at the sponsored page with revenue,
// and with a refused form, at a phone's and a desktop's size.
func TestSponsoredPageInChromium(t *testing.T) {
	h := newHarness(t)
	withAdRevenue(t, h)
	if err := h.site.SetSponsoredSettings(web.SponsoredSettings{Excluded: []string{"Health > Pharmacy", "Toys > Replica weapons"}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.handler)
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	shots := os.Getenv("FEDMART_SCREENSHOTS")
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		ctx := webtest.Chrome(t, size.w, size.h)
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/operator/signin"), chromedp.SendKeys(chromedp.CSS(`#f-token`), webtest.Operator),
			chromedp.Submit(chromedp.CSS(`#f-token`)), chromedp.WaitVisible(chromedp.CSS(`.area-nav`))); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/operator/sponsored"), chromedp.WaitVisible(chromedp.CSS(`#ad-revenue-table`))); err != nil {
			t.Fatal(err)
		}
		check.Shoot(t, ctx, shots, fmt.Sprintf("sponsored-%d.png", size.w), size.w, "sponsored")
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`#f-excluded`), strings.Repeat("x", 1100)), chromedp.Click(chromedp.CSS(`#save-sponsored`)),
			chromedp.WaitVisible(chromedp.CSS(`.error-summary`))); err != nil {
			t.Fatal(err)
		}
		check.Shoot(t, ctx, shots, fmt.Sprintf("sponsored-refused-%d.png", size.w), size.w, "refused sponsored settings")
	}
}

// withCampaignStats has Alpha's storefront show slots of two campaigns
// today: Alpha's own "Spring kettles" 40 times with 3 clicks and one
// sale (a share of €6.00, €1.50 of it given back), and a campaign
// that is no more 10 times, not clicked; and a campaign's slots 29 days
// ago, past the table's days.
func withCampaignStats(t *testing.T, h *harness) {
	t.Helper()
	h.Self.Cat.SetAdFeeCap(1500)
	now := h.Clock.Now()
	cp, err := h.Self.Cat.PutCampaign(t.Context(), h.Merchant.ID, "", catalog.CampaignInput{Name: "Spring kettles", TotalBudget: 100000,
		FeeBPS: 500, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	gone := h.Other.ID.String() + ".m9.c9"
	for range 40 {
		h.ads.Impressions(cp.ID)
	}
	for range 3 {
		h.ads.Click(cp.ID)
	}
	if err := h.ads.Flush(); err != nil { // some flushed, some not
		t.Fatal(err)
	}
	h.ads.Impressions(slices.Repeat([]string{gone}, 10)...)
	err = h.Self.DB.Update(func(txn *badger.Txn) error {
		if err := adstats.RecordSale(txn, cp.ID, "o1-1", "charge", adstats.Sale{At: now, Sales: 1, Share: 600}); err != nil {
			return err
		}
		if err := adstats.RecordSale(txn, cp.ID, "o1-1", "reverse-r1", adstats.Sale{At: now, Share: -150}); err != nil {
			return err
		}
		return adstats.RecordSale(txn, gone, "o0-1", "charge", adstats.Sale{At: now.AddDate(0, 0, -statsDays), Sales: 1, Share: 900})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSponsoredCampaignStats: the page shows each campaign's views,
// clicks, click rate, sales and revenue over the last 30 days, most
// shown first, naming a campaign that is no more as ended.
func TestSponsoredCampaignStats(t *testing.T) {
	h := newHarness(t)
	withAdRevenue(t, h)
	r := h.operator().Get("/operator/sponsored")
	webtest.WantStatus(t, r, http.StatusOK)
	rows := regexp.MustCompile(`(?s)<tr data-campaign="[^"]+">.*?</tr>`).FindAllString(r.Body, -1)
	if len(rows) != 2 {
		t.Fatalf("%d campaign rows, want 2:\n%s", len(rows), r.Body)
	}
	for i, wants := range [][]string{
		{"Spring kettles", `ad-impressions" data-label="Views">40<`, `ad-clicks" data-label="Clicks">3<`, `ad-ctr" data-label="Click rate">7.50%<`,
			`ad-campaign-sales" data-label="Sales">1<`, `ad-campaign-revenue" data-label="Revenue">€4.50<`},
		{"(ended)", "merchant m9 of", `ad-impressions" data-label="Views">10<`, `ad-clicks" data-label="Clicks">0<`, `ad-ctr" data-label="Click rate">0.00%<`,
			`ad-campaign-sales" data-label="Sales">0<`, `ad-campaign-revenue" data-label="Revenue">€0.00<`},
	} {
		for _, want := range wants {
			if !strings.Contains(rows[i], want) {
				t.Errorf("row %d lacks %s:\n%s", i, want, rows[i])
			}
		}
	}
}
