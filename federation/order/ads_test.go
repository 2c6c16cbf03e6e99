package order

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/internal/testwait"
)

// adsFixture is the charter's ad policy as every member reads it, and
// the campaigns of every home, as their catalogs hold them.
type adsFixture struct {
	mu        sync.Mutex // guards terms and campaigns
	terms     AdTerms
	campaigns map[string]catalog.Campaign
}

func (a *adsFixture) termsAt(uint64) (AdTerms, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.terms, true
}

func (a *adsFixture) put(c catalog.Campaign) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.campaigns == nil {
		a.campaigns = map[string]catalog.Campaign{}
	}
	a.campaigns[c.ID] = c
}

func (a *adsFixture) Campaign(_ context.Context, id string) (catalog.Campaign, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.campaigns[id]
	if !ok {
		return catalog.Campaign{}, fmt.Errorf("%w: campaign %s", catalog.ErrNotFound, id)
	}
	return c, nil
}

// Exhausted publishes the campaign exhausted, as the catalog does.
func (a *adsFixture) Exhausted(_ context.Context, id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.campaigns[id]
	c.State = catalog.CampaignExhausted
	a.campaigns[id] = c
	return nil
}

// adTerms cap fees at 20 % and count clicks for a week.
var adTerms = AdTerms{MaxFeeBPS: 2000, Window: 7 * 24 * time.Hour}

// campaignOn publishes a live campaign of merchant on home m over o.
func (f *cluster) campaignOn(m *member, merchant, name string, fee, total int64, o offer) catalog.Campaign {
	c := catalog.Campaign{ID: m.id + "." + merchant + "." + name, Platform: m.id, Merchant: merchant, Name: name,
		Listings: []string{o.ListingID}, TotalBudget: total, FeeBPS: fee, State: catalog.CampaignLive, Version: 1,
		Starts: f.clk.now().Add(-time.Hour), Ends: f.clk.now().Add(30 * 24 * time.Hour)}
	f.ads.put(c)
	return c
}

// buyClicked is buy by a shopper who first reached o through a slot of
// campaign (none when ""), then waits for the part's acceptance.
func (f *cluster) buyClicked(m *member, key, campaign string, qty int64, o offer) string {
	f.t.Helper()
	ctx := context.Background()
	sh, _, err := m.svc.CreateShopper(ctx, ShopperInput{Name: "Ada", Email: fmt.Sprintf("ada+%s@example.org", newMessageID()[:8])})
	if err != nil {
		f.t.Fatal(err)
	}
	if campaign != "" {
		if err := m.svc.RecordAdClick(ctx, sh.ID, o.ListingID, campaign); err != nil {
			f.t.Fatal(err)
		}
	}
	cart, err := m.svc.CreateCart(ctx, sh.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := m.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: o.ListingID, SKU: o.SKU, Quantity: qty}); err != nil {
		f.t.Fatal(err)
	}
	ord, _, err := m.svc.Checkout(ctx, sh.ID, cart.ID, key, CheckoutRequest{ShippingAddress: testShipTo,
		Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}})
	if err != nil {
		f.t.Fatal(err)
	}
	part := ord.Parts[0].ID
	statusOn(f.t, m, part, StatusAccepted)
	return part
}

// adOn returns what the latest status of part that storefront m holds
// and that is matches states about its ad fee.
func adOn(t *testing.T, m *member, part string, is func(*Status) bool) *AdStated {
	t.Helper()
	var got *AdStated
	testwait.For(t, 10*time.Second, func() error {
		var seq uint64
		for _, msgs := range statuses(t, m, part) {
			for _, msg := range msgs {
				if is(msg.Status) && msg.Status.Seq > seq {
					got, seq = msg.Status.Ad, msg.Status.Seq
				}
			}
		}
		if seq == 0 {
			return fmt.Errorf("no such status of %s on %s", part, shortPeer(m.id))
		}
		return nil
	})
	return got
}

func accepted(st *Status) bool { return st.Status == StatusAccepted }

// refundedBefore matches a status that states a refund with earlier
// refunds of before.
func refundedBefore(before int64) func(*Status) bool {
	return func(st *Status) bool { return st.Refund != nil && st.Refunded.Amount-st.Refund.Amount.Amount == before }
}

// TestSponsoredSaleIsChargedAndReversed: a shopper of storefront A
// reaches a listing homed on C through a sponsored slot and buys two
// units; C's accepted status charges the campaign's fee on their gross
// (rounded half up), counts it against the budget, and a refund of one
// unit reverses half of it, which returns to the budget. A sale without
// a click is not charged; a guest's click remembered at sign-in counts
// as of when it was made, and one past the window is refused.
func TestSponsoredSaleIsChargedAndReversed(t *testing.T) {
	f := newCluster(t, 2)
	f.ads.terms = adTerms
	a, c := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(c, "forge", "PAN", 2599, 10)
	cp := f.campaignOn(c, "forge", "pans", 1000, 100000, pan)

	part := f.buyClicked(a, "k1", cp.ID, 2, pan)
	got := adOn(t, a, part, accepted)
	want := AdStated{Step: AdCharge, Campaign: cp.ID, FeeBPS: 1000, Basis: 5198, Fee: 520, Amount: 520}
	if got == nil || *got != want {
		t.Fatalf("accepted status states %+v, want %+v", got, want)
	}
	if sp, err := c.svc.CampaignSpend(ctx, cp.ID); err != nil || sp.Spent != 520 || sp.Sales != 1 {
		t.Fatalf("spend %+v %v", sp, err)
	}
	one := int64(2599)
	if _, err := c.svc.RefundPart(ctx, "forge", part, RefundRequest{Lines: []Units{{ListingID: pan.ListingID, SKU: pan.SKU, Quantity: 1}}, Amount: &one}); err != nil {
		t.Fatal(err)
	}
	rev := adOn(t, a, part, refundedBefore(0))
	if rev == nil || rev.Step != AdReverse || rev.Amount != 260 || rev.ReversedBefore != 0 || rev.Fee != 520 {
		t.Fatalf("refund status states %+v", rev)
	}
	if sp, err := c.svc.CampaignSpend(ctx, cp.ID); err != nil || sp.Spent != 260 || sp.Returned != 260 || sp.Sales != 1 {
		t.Fatalf("spend after half the fee was reversed: %+v %v, want 260 spent and 260 returned", sp, err)
	}
	if _, err := c.svc.Refund(ctx, "forge", part); err != nil {
		t.Fatal(err)
	}
	rest := adOn(t, a, part, refundedBefore(2599))
	if rest == nil || rest.Amount != 260 || rest.ReversedBefore != 260 {
		t.Fatalf("the status of the refund of the rest states %+v", rest)
	}
	if sp, err := c.svc.CampaignSpend(ctx, cp.ID); err != nil || sp.Spent != 0 || sp.Returned != 520 {
		t.Fatalf("spend after the whole fee was reversed: %+v %v", sp, err)
	}

	plain := f.buyClicked(a, "k2", "", 1, pan)
	if got := adOn(t, a, plain, accepted); got != nil {
		t.Fatalf("a sale without a click states a fee: %+v", got)
	}
	// A click older than the window counts no more.
	old := f.buyClickedAfter(a, "k3", cp.ID, pan, 8*24*time.Hour)
	if got := adOn(t, a, old, accepted); got != nil {
		t.Fatalf("a sale a week and a day after the click states a fee: %+v", got)
	}
	// A guest's clicks, given at sign-in as of when they were made.
	sh, _, err := a.svc.CreateShopper(ctx, ShopperInput{Name: "Cy", Email: "cy@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	now := f.clk.now()
	for _, at := range []time.Time{now.Add(-8 * 24 * time.Hour), now.Add(time.Hour)} {
		if err := a.svc.RecordAdClickAt(ctx, sh.ID, pan.ListingID, cp.ID, at); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "at:") {
			t.Errorf("a click at %s: %v, want ErrInvalid naming at", at, err)
		}
	}
	for _, at := range []time.Time{now.Add(-time.Hour), now.Add(-2 * time.Hour)} { // the later click stays
		if err := a.svc.RecordAdClickAt(ctx, sh.ID, pan.ListingID, cp.ID, at); err != nil {
			t.Fatal(err)
		}
	}
	if claim := a.svc.adClaimOf(sh.ID, c.id, "forge", []Line{{ListingID: pan.ListingID}}); claim == nil || claim.Campaign != cp.ID {
		t.Errorf("the claim of a guest's click: %+v", claim)
	}
	f.clk.add(7*24*time.Hour - 90*time.Minute) // the later click is 7 days less half an hour old, the earlier past the window
	if claim := a.svc.adClaimOf(sh.ID, c.id, "forge", []Line{{ListingID: pan.ListingID}}); claim == nil {
		t.Error("a click within the window was replaced by an earlier one")
	}
}

// buyClickedAfter is buyClicked with the checkout `after` the click.
func (f *cluster) buyClickedAfter(m *member, key, campaign string, o offer, after time.Duration) string {
	f.t.Helper()
	ctx := context.Background()
	sh, _, err := m.svc.CreateShopper(ctx, ShopperInput{Name: "Bo", Email: fmt.Sprintf("bo+%s@example.org", newMessageID()[:8])})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := m.svc.RecordAdClick(ctx, sh.ID, o.ListingID, campaign); err != nil {
		f.t.Fatal(err)
	}
	f.clk.add(after)
	cart, err := m.svc.CreateCart(ctx, sh.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := m.svc.AddItem(ctx, sh.ID, cart.ID, ItemInput{ListingID: o.ListingID, SKU: o.SKU, Quantity: 1}); err != nil {
		f.t.Fatal(err)
	}
	ord, _, err := m.svc.Checkout(ctx, sh.ID, cart.ID, key, CheckoutRequest{ShippingAddress: testShipTo,
		Payment: PaymentRequest{Method: MethodSandboxCard, CardNumber: CardApprove}})
	if err != nil {
		f.t.Fatal(err)
	}
	statusOn(f.t, m, ord.Parts[0].ID, StatusAccepted)
	return ord.Parts[0].ID
}

// TestAdBudgetExhaustionStopsCharges: the sale that reaches the total
// budget is charged what is left and publishes the campaign exhausted;
// the next sponsored sale is not charged, nor is one claimed for a paused
// campaign or for another merchant's.
func TestAdBudgetExhaustionStopsCharges(t *testing.T) {
	f := newCluster(t, 2)
	f.ads.terms = adTerms
	a, c := f.members[0], f.members[1]
	ctx := context.Background()
	pan := f.list(c, "forge", "PAN", 2599, 20)
	pot := f.list(c, "smithy", "POT", 1000, 20)
	cp := f.campaignOn(c, "forge", "pans", 2000, 600, pan)

	first := f.buyClicked(a, "k1", cp.ID, 1, pan)
	if got := adOn(t, a, first, accepted); got == nil || got.Amount != 520 {
		t.Fatalf("first sale states %+v", got)
	}
	second := f.buyClicked(a, "k2", cp.ID, 1, pan)
	if got := adOn(t, a, second, accepted); got == nil || got.Amount != 80 {
		t.Fatalf("the sale that spends the budget states %+v, want the 80 left", got)
	}
	if got, _ := f.ads.Campaign(ctx, cp.ID); got.State != catalog.CampaignExhausted {
		t.Fatalf("campaign after its budget was spent: %s", got.State)
	}
	third := f.buyClicked(a, "k3", cp.ID, 1, pan)
	if got := adOn(t, a, third, accepted); got != nil {
		t.Fatalf("a sale after exhaustion states %+v", got)
	}
	if sp, _ := c.svc.CampaignSpend(ctx, cp.ID); sp.Spent != 600 || sp.Sales != 2 {
		t.Fatalf("spend %+v", sp)
	}
	if hp, err := c.svc.HomePartOf(ctx, "forge", third); err != nil || hp.Ad == nil || hp.Ad.Refused == "" {
		t.Fatalf("home part of the third sale: %+v %v", hp.Ad, err)
	}

	paused := f.campaignOn(c, "forge", "paused", 1000, 100000, pan)
	paused.State = catalog.CampaignPaused
	f.ads.put(paused)
	if got := adOn(t, a, f.buyClicked(a, "k4", paused.ID, 1, pan), accepted); got != nil {
		t.Fatalf("a sale claimed for a paused campaign states %+v", got)
	}
	// A storefront that names forge's campaign for smithy's pot (which
	// an honest one never does) gets no fee: the home checks whose
	// campaign it is, and that it covers the lines.
	other := f.campaignOn(c, "forge", "all", 1000, 100000, pot)
	other.Listings = nil
	f.ads.put(other)
	potLine := Line{ListingID: pot.ListingID, SKU: pot.SKU, Category: pot.Category, Quantity: 1, UnitPrice: pot.Price}
	if _, _, why := c.svc.adBasis(&HomePart{Merchant: "smithy", Lines: []Line{potLine}}, AdClaim{Campaign: other.ID, Listings: []string{pot.ListingID}}); why == "" {
		t.Error("the home charges forge's campaign for smithy's sale")
	}
	if _, basis, why := c.svc.adBasis(&HomePart{Merchant: "forge", Lines: []Line{potLine}}, AdClaim{Campaign: cp.ID, Listings: []string{pot.ListingID}}); why == "" {
		t.Errorf("the home charges a campaign for a line it does not cover (basis %d)", basis)
	}
}
