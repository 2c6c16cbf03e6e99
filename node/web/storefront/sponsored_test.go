package storefront

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// adTally counts impressions and clicks as the node's counter would.
type adTally struct {
	mu                  sync.Mutex // guards impressions and clicks
	impressions, clicks map[string]int
}

func (a *adTally) Impressions(campaigns ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range campaigns {
		a.impressions[c]++
	}
}

func (a *adTally) Click(campaign string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.clicks[campaign]++
}

func (a *adTally) counts(campaign string) (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.impressions[campaign], a.clicks[campaign]
}

// slotsHarness is a storefront with ads on, sponsored slots from Self's
// campaigns, a tally of what they showed and a kettle in a campaign.
type slotsHarness struct {
	*harness
	clicks []string
	tally  *adTally
	kettle catalog.Listing
	camp   catalog.Campaign
}

func newSlotsHarness(t *testing.T, country string) *slotsHarness {
	h := &slotsHarness{harness: newHarness(t), tally: &adTally{impressions: map[string]int{}, clicks: map[string]int{}}}
	h.SetAds(order.AdTerms{MaxFeeBPS: 1000, Window: 7 * 24 * time.Hour})
	store, err := New(h.site, Deps{Search: h.Index, Listings: h.Self.Cat, Merchants: h.Self.Cat, Shoppers: h.Self.Orders,
		Carts: h.Self.Orders, Orders: h.Self.Orders, Profiles: h.Self.Cat, Sponsored: ownSlots{h.harness, &h.clicks}, AdCounts: h.tally},
		Options{Payments: h.payments, Country: country})
	if err != nil {
		t.Fatal(err)
	}
	h.handler = h.site.Handler(store)
	h.kettle = h.List(webtest.Input("Copper kettle", "Forge", "Home > Kitchen", 5000, 20)) // ships to DE, FR and GB
	h.List(webtest.Input("Steel kettle", "Forge", "Home > Kitchen", 3000, 20))
	now := h.Clock.Now()
	h.camp, err = h.Self.Cat.PutCampaign(t.Context(), h.Merchant.ID, "", catalog.CampaignInput{Name: "Kettles", Listings: []string{h.kettle.ID},
		Keywords: []string{"copper"}, TotalBudget: 10000, FeeBPS: 500, Starts: now.Add(-time.Hour), Ends: now.AddDate(0, 0, 7)})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// slots are the titles of a page's sponsored slots.
func slots(t *testing.T, body string) []string {
	t.Helper()
	_, sec, ok := strings.Cut(body, `<section class="sponsored"`)
	if !ok {
		return nil
	}
	sec, _, _ = strings.Cut(sec, "</section>")
	var out []string
	for _, part := range strings.Split(sec, `rel="sponsored">`)[1:] {
		title, _, _ := strings.Cut(part, "<")
		out = append(out, title)
	}
	return out
}

// TestSponsoredSlotsOnCategoryPages: a category page shows the campaign's
// listing in a labelled slot, whatever the campaign's keywords, and
// keeps it among the organic listings; a category without it shows no
// slot; the operator's settings hold there too; each page shown counts
// one impression of the campaign.
func TestSponsoredSlotsOnCategoryPages(t *testing.T) {
	h := newSlotsHarness(t, "")
	b := h.browser()
	r := b.Get("/c/home/kitchen")
	if r.Code != http.StatusOK {
		t.Fatalf("GET /c/home/kitchen: %d", r.Code)
	}
	if got := slots(t, r.Body); len(got) != 1 || got[0] != "Copper kettle" {
		t.Fatalf("category slots %q, want the copper kettle", got)
	}
	if !strings.Contains(r.Body, ">Sponsored<") {
		t.Error("the slot is not labelled Sponsored")
	}
	if n := strings.Count(r.Body, "Copper kettle"); n < 2 {
		t.Errorf("the copper kettle shows %d times: the slot hid its organic result", n)
	}
	if imp, _ := h.tally.counts(h.camp.ID); imp != 1 {
		t.Errorf("impressions after one page: %d, want 1", imp)
	}
	h.List(webtest.Input("Garden hose", "Verde", "Garden", 2000, 5))
	if got := slots(t, b.Get("/c/garden").Body); len(got) != 0 {
		t.Errorf("the garden shows slots %q of a kitchen campaign", got)
	}
	if err := h.site.SetSponsoredSettings(web.SponsoredSettings{Excluded: []string{"Home"}}); err != nil {
		t.Fatal(err)
	}
	if got := slots(t, b.Get("/c/home/kitchen").Body); len(got) != 0 {
		t.Errorf("an excluded category shows slots %q", got)
	}
	if imp, _ := h.tally.counts(h.camp.ID); imp != 1 {
		t.Errorf("impressions counted for pages without a slot: %d, want 1", imp)
	}
}

// TestSponsoredSlotsShipToCountry: a slot shows only a listing that
// ships to the shopper's country: the storefront's country until the
// shopper picks one for the cart, then that one.
func TestSponsoredSlotsShipToCountry(t *testing.T) {
	for _, c := range []struct {
		country, pick string
		want          bool
	}{
		{"", "", true},     // no country known: no filter
		{"DE", "", true},   // the storefront's, where the kettle ships
		{"US", "", false},  // the storefront's, where it does not
		{"US", "FR", true}, // the cart's beats the storefront's
		{"DE", "US", false},
	} {
		h := newSlotsHarness(t, c.country)
		b := h.browser()
		if c.pick != "" {
			webtest.AddToCart(b, h.kettle.ID, h.kettle.Variants[0].SKU, 1)
			if r := b.Submit("/cart", "/cart/ship-to", url.Values{"country": {c.pick}}); r.Code != http.StatusSeeOther {
				t.Fatalf("choosing %s: %d\n%s", c.pick, r.Code, r.Body)
			}
		}
		got := slots(t, b.Get("/search?q=copper+kettle").Body)
		if (len(got) == 1) != c.want {
			t.Errorf("storefront in %q, cart to %q: slots %q, want a slot %v", c.country, c.pick, got, c.want)
		}
	}
}

// TestGuestSponsoredClickCountsAfterSignUp: a guest's click on a slot is
// counted and kept in the session, not in the order service; once the
// guest signs up, the click is the account's.
func TestGuestSponsoredClickCountsAfterSignUp(t *testing.T) {
	h := newSlotsHarness(t, "")
	b := h.browser()
	click := "/sponsored/click?" + url.Values{"listing": {h.kettle.ID}, "campaign": {h.camp.ID}}.Encode()
	if r := b.Get(click); r.Code != http.StatusSeeOther {
		t.Fatalf("GET %s: %d", click, r.Code)
	}
	if _, clicks := h.tally.counts(h.camp.ID); clicks != 1 {
		t.Errorf("clicks counted: %d, want 1", clicks)
	}
	if len(h.clicks) != 0 {
		t.Fatalf("a guest's click went to the order service before any sign-in: %v", h.clicks)
	}
	webtest.SignUp(b)
	if len(h.clicks) != 1 || h.clicks[0] != h.kettle.ID {
		t.Fatalf("clicks the account took at sign-up: %v, want the kettle", h.clicks)
	}
}
