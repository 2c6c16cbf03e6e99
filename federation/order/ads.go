package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
)

// Sponsored sales. A shopper who reaches a listing through a sponsored
// slot of this storefront has the click remembered (RecordAdClick) for
// the charter's attribution window; the reserve of a part with lines of
// such listings names the campaign and those listings (Reserve.Ad). The
// home node alone decides the fee, when the part is accepted: the
// campaign must be its own, of the part's merchant, live and running at
// that time, and within its daily and total budget; the fee is the
// campaign's rate (never above the charter's cap) of the gross of the
// attributed lines the campaign covers, cut to what the budget has left.
// A claim that fails any check is no fee, never a refused sale. The home
// states the fee in its signed accepted status (Status.Ad), and states
// its reversal with each later refund, in proportion to the part's items
// refunded, so that a part's reversals add up to exactly its fee; a
// cancellation reverses what is left. Settlement books both from the
// status alone. The home counts what each campaign spent; the accept that
// spends the last of the total budget tells Campaigns so, which publishes
// the campaign exhausted.

// Steps an AdStated states.
const (
	// AdCharge: the part was accepted with an attributed sale.
	AdCharge = "charge"
	// AdReverse: a refund or cancellation took some of the fee back.
	AdReverse = "reverse"
)

// Key prefixes of sponsored sales.
const (
	// prefixAdClick: o/adclick/<shopper>/<listing> -> adClick, on the
	// storefront.
	prefixAdClick = "o/adclick/"
	// prefixAdSpend: o/adspend/<campaign> -> AdSpend, on the home.
	prefixAdSpend = "o/adspend/"
)

// maxAdClicks bounds the clicks remembered per shopper: past it, one
// (the first in key order) makes room.
const maxAdClicks = 200

// AdTerms are the charter's ad policy at one version, as the order
// service reads it.
type AdTerms struct {
	// MaxFeeBPS caps a campaign's fee; zero: ads are off.
	MaxFeeBPS int64
	// Window is how long a click on a sponsored slot counts.
	Window time.Duration
}

// Enabled reports whether the terms run ads.
func (t AdTerms) Enabled() bool { return t.MaxFeeBPS > 0 }

// Campaigns is the home's own campaigns, as the order service charges
// them: the catalog's published records, and the publication of a
// campaign whose budget is spent.
type Campaigns interface {
	Campaign(ctx context.Context, id string) (catalog.Campaign, error)
	Exhausted(ctx context.Context, id string) error
}

// AdClaim is a reserve's attribution: the campaign on whose sponsored
// slots the shopper reached Listings, lines of the part.
type AdClaim struct {
	Campaign string   `json:"campaign"`
	Listings []string `json:"listings"`
}

// validate checks a claim against the lines of its reserve.
func (c *AdClaim) validate(lines []Line) error {
	if _, _, ok := campaignOwner(c.Campaign); !ok || len(c.Campaign) > 200 {
		return fmt.Errorf("%w: message.reserve.ad.campaign: not a campaign id", ErrInvalid)
	}
	if len(c.Listings) == 0 || len(c.Listings) > maxLines {
		return fmt.Errorf("%w: message.reserve.ad.listings: must name 1..%d listings of the part", ErrInvalid, maxLines)
	}
	for i, id := range c.Listings {
		if !slices.ContainsFunc(lines, func(l Line) bool { return l.ListingID == id }) {
			return fmt.Errorf("%w: message.reserve.ad.listings[%d]: not a listing of the part's lines", ErrInvalid, i)
		}
	}
	return nil
}

// AdStated is what a home's status states about a part's ad fee: the
// charge (on acceptance) or one reversal. Amount is this step's, in
// minor units of the part's currency; Fee is what the part was charged,
// ReversedBefore what earlier reversals took back.
type AdStated struct {
	Step     string `json:"step"`
	Campaign string `json:"campaign"`
	// FeeBPS is the rate charged, Basis the attributed lines' gross it
	// was charged on.
	FeeBPS         int64  `json:"fee_bps"`
	Basis          int64  `json:"basis"`
	Fee            int64  `json:"fee"`
	Amount         int64  `json:"amount"`
	ReversedBefore int64  `json:"reversed_before,omitempty"`
	Refund         string `json:"refund,omitempty"`
}

// validate checks a stated fee on its own.
func (a *AdStated) validate() error {
	bad := func(field string) error { return fmt.Errorf("%w: message.status.ad.%s", ErrInvalid, field) }
	switch {
	case a.Step != AdCharge && a.Step != AdReverse:
		return bad("step: must be charge or reverse")
	case a.Campaign == "" || len(a.Campaign) > 200:
		return bad("campaign: must be 1..200 bytes")
	case a.FeeBPS < 1 || a.FeeBPS > 10000:
		return bad("fee_bps: must be 1..10000")
	case a.Basis < 0 || a.Fee < 0 || a.Fee > a.Basis:
		return bad("fee: must be between 0 and the basis")
	case a.Amount <= 0:
		return bad("amount: must be more than 0")
	case a.Step == AdCharge && (a.Amount != a.Fee || a.ReversedBefore != 0 || a.Refund != ""):
		return bad("amount: a charge is the whole fee, with nothing reversed")
	case a.Step == AdReverse && (a.ReversedBefore < 0 || a.ReversedBefore+a.Amount > a.Fee || a.Refund == "" || len(a.Refund) > 128):
		return bad("reversed_before: a reversal names its refund and takes back at most the fee")
	}
	return nil
}

// HomeAd is a part's ad fee as its home keeps it.
type HomeAd struct {
	// Claim is the reserve's.
	Claim AdClaim `json:"claim"`
	// Done: the part was accepted and the claim decided (charged or not);
	// Refused says why it was not.
	Done    bool   `json:"done,omitempty"`
	Refused string `json:"refused,omitempty"`
	// FeeBPS, Basis and Fee are the charge; Items the part's items gross
	// the reversals are in proportion to, Refunded the items refunded
	// since, Reversed the fee taken back.
	FeeBPS   int64 `json:"fee_bps,omitempty"`
	Basis    int64 `json:"basis,omitempty"`
	Fee      int64 `json:"fee,omitempty"`
	Items    int64 `json:"items,omitempty"`
	Refunded int64 `json:"refunded,omitempty"`
	Reversed int64 `json:"reversed,omitempty"`
	// Exhausted: this part's charge spent the campaign's total budget.
	Exhausted bool `json:"exhausted,omitempty"`
	// Stated is what the status of Seq states.
	Stated *AdStated `json:"stated,omitempty"`
	Seq    uint64    `json:"seq,omitempty"`
	// base is the state before the status of Seq, for a transaction
	// that is tried again.
	base *HomeAd
}

// AdSpend is what one campaign spent, as its home counts it.
type AdSpend struct {
	Campaign string `json:"campaign"`
	// Spent is the fees charged less those refunds and cancellations
	// reversed (Returned): a fee given back returns to the budget.
	Spent    int64 `json:"spent"`
	Returned int64 `json:"returned,omitempty"`
	// Sales counts the attributed sales charged.
	Sales int64 `json:"sales"`
	// Day is the UTC day of DaySpent (YYYY-MM-DD).
	Day      string `json:"day,omitempty"`
	DaySpent int64  `json:"day_spent,omitempty"`
}

// adClick is one remembered click on a sponsored slot.
type adClick struct {
	Campaign string    `json:"campaign"`
	At       time.Time `json:"at"`
}

// adTerms are the ad terms at policy version v; off without them.
func (s *Service) adTerms(v uint64) AdTerms {
	if s.ads == nil {
		return AdTerms{}
	}
	t, ok := s.ads(v)
	if !ok {
		return AdTerms{}
	}
	return t
}

// RecordAdClick remembers that shopper reached listingID through a
// sponsored slot of campaign on this storefront, for the attribution
// window. A later click on the same listing replaces it.
func (s *Service) RecordAdClick(ctx context.Context, shopper, listingID, campaign string) error {
	return s.RecordAdClickAt(ctx, shopper, listingID, campaign, s.now())
}

// RecordAdClickAt remembers a click made at at: a guest's, kept by the
// storefront until the guest signed in. A click past the attribution
// window, or in the future, is refused (at); an earlier click than the
// one remembered for the listing does not replace it.
func (s *Service) RecordAdClickAt(ctx context.Context, shopper, listingID, campaign string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := s.adTerms(s.policy())
	if !t.Enabled() {
		return fmt.Errorf("%w: ads: the charter runs no sponsored listings", ErrInvalid)
	}
	if now := s.now(); at.After(now.Add(time.Minute)) || now.Sub(at) > t.Window {
		return fmt.Errorf("%w: at: a click must be within the attribution window of %s, not at %s", ErrInvalid, t.Window, at.UTC().Format(time.RFC3339))
	}
	if shopper == "" || len(shopper) > 64 {
		return fmt.Errorf("%w: shopper: must be 1..64 bytes", ErrInvalid)
	}
	if listingID == "" || len(listingID) > 300 || strings.Contains(listingID, "/") {
		return fmt.Errorf("%w: listing_id: must be a listing id", ErrInvalid)
	}
	if _, _, ok := campaignOwner(campaign); !ok || len(campaign) > 200 {
		return fmt.Errorf("%w: campaign: not a campaign id", ErrInvalid)
	}
	return s.update(func(txn *badger.Txn) error {
		key := prefixAdClick + shopper + "/" + listingID
		var had adClick
		ok, err := getJSON(txn, key, &had)
		if err != nil || ok && had.At.After(at) {
			return err
		}
		if ks := keys(txn, prefixAdClick+shopper+"/", "", 0); !ok && len(ks) >= maxAdClicks {
			if err := txn.Delete([]byte(ks[0])); err != nil {
				return err
			}
		}
		return putJSON(txn, key, adClick{Campaign: campaign, At: at.UTC()})
	})
}

// adClaimOf is the attribution of a part of merchant (homed on platform)
// with lines, from shopper's clicks within the window: the campaign of
// the merchant clicked last, and the lines' listings reached through it.
func (s *Service) adClaimOf(shopper, platform, merchant string, lines []Line) *AdClaim {
	t := s.adTerms(s.policy())
	if !t.Enabled() || shopper == "" {
		return nil
	}
	var best adClick
	byCampaign := map[string][]string{}
	_ = s.db.View(func(txn *badger.Txn) error {
		for _, l := range lines {
			var c adClick
			ok, err := getJSON(txn, prefixAdClick+shopper+"/"+l.ListingID, &c)
			if err != nil || !ok || s.now().Sub(c.At) > t.Window {
				continue
			}
			p, m, ok := campaignOwner(c.Campaign)
			if !ok || p != platform || m != merchant {
				continue
			}
			if !slices.Contains(byCampaign[c.Campaign], l.ListingID) {
				byCampaign[c.Campaign] = append(byCampaign[c.Campaign], l.ListingID)
			}
			if c.At.After(best.At) {
				best = c
			}
		}
		return nil
	})
	if best.Campaign == "" {
		return nil
	}
	return &AdClaim{Campaign: best.Campaign, Listings: byCampaign[best.Campaign]}
}

// stateAd works out what p's new status states about its ad fee, in
// txn: the charge when p is first accepted, a reversal when a later
// status states a refund or ends the part cancelled.
func (s *Service) stateAd(txn *badger.Txn, p *HomePart) error {
	if p.Ad == nil || s.campaigns == nil {
		return nil
	}
	hp := p.Ad
	if hp.Seq == p.Seq && hp.base != nil { // the transaction is tried again
		hp = hp.base
	}
	if hp.Seq == p.Seq {
		return nil
	}
	next := *hp // the part before the change shares the pointer
	next.base, next.Stated, next.Seq, next.Exhausted = hp, nil, p.Seq, false
	p.Ad = &next
	switch r := p.stated(); {
	case !next.Done && p.Status == StatusAccepted:
		return s.chargeAd(txn, p, &next)
	case next.Done && next.Fee > next.Reversed && r != nil:
		next.Refunded = min(next.Items, next.Refunded+r.Amount.Amount-r.Shipping.Amount)
		reverseAd(&next, reversedAt(next.Fee, next.Items, next.Refunded)-next.Reversed, r.ID)
	case next.Done && next.Fee > next.Reversed && p.Status == StatusCancelled:
		reverseAd(&next, next.Fee-next.Reversed, "cancelled")
	}
	if next.Stated != nil && next.Stated.Step == AdReverse {
		return giveBackAdSpend(txn, next.Claim.Campaign, next.Stated.Amount)
	}
	return nil
}

// giveBackAdSpend returns n of a fee a refund or cancellation reversed
// to what campaign id spent, in txn: the budget may be spent on another
// sale. The day's spend is left as it is: the daily cap bounds what was
// charged that day.
func giveBackAdSpend(txn *badger.Txn, id string, n int64) error {
	sp, err := loadAdSpend(txn, id)
	if err != nil {
		return err
	}
	sp.Spent = max(sp.Spent-n, 0)
	sp.Returned += n
	return putJSON(txn, prefixAdSpend+id, sp)
}

// reverseAd states the reversal of n of a part's fee.
func reverseAd(a *HomeAd, n int64, refund string) {
	if n <= 0 {
		return
	}
	a.Stated = &AdStated{Step: AdReverse, Campaign: a.Claim.Campaign, FeeBPS: a.FeeBPS, Basis: a.Basis, Fee: a.Fee,
		Amount: n, ReversedBefore: a.Reversed, Refund: refund}
	a.Reversed += n
}

// chargeAd decides the claim of a part being accepted and, when it
// holds, charges the campaign's budget in txn.
func (s *Service) chargeAd(txn *badger.Txn, p *HomePart, a *HomeAd) error {
	a.Done = true
	cp, basis, why := s.adBasis(p, a.Claim)
	if why != "" {
		a.Refused = why
		return nil
	}
	sp, err := loadAdSpend(txn, cp.ID)
	if err != nil {
		return err
	}
	day := s.now().UTC().Format(time.DateOnly)
	if sp.Day != day {
		sp.Day, sp.DaySpent = day, 0
	}
	rate := min(cp.FeeBPS, s.adTerms(p.Policy).MaxFeeBPS)
	fee := min((basis*rate+5000)/10000, cp.TotalBudget-sp.Spent) // rounded half up, as commission is
	if cp.DailyBudget > 0 {
		fee = min(fee, cp.DailyBudget-sp.DaySpent)
	}
	if fee <= 0 {
		a.Refused = "budget"
		return nil
	}
	sp.Spent += fee
	sp.DaySpent += fee
	sp.Sales++
	if err := putJSON(txn, prefixAdSpend+cp.ID, sp); err != nil {
		return err
	}
	a.FeeBPS, a.Basis, a.Fee, a.Items = rate, basis, fee, p.Total.Amount-p.Shipping.Amount
	a.Exhausted = sp.Spent >= cp.TotalBudget
	a.Stated = &AdStated{Step: AdCharge, Campaign: cp.ID, FeeBPS: rate, Basis: basis, Fee: fee, Amount: fee}
	return nil
}

// adBasis checks a claim against the home's own campaign now and
// returns the campaign and the gross of the claimed lines it covers, or
// why it charges nothing.
func (s *Service) adBasis(p *HomePart, c AdClaim) (catalog.Campaign, int64, string) {
	if !s.adTerms(p.Policy).Enabled() {
		return catalog.Campaign{}, 0, "ads off"
	}
	platform, merchant, ok := campaignOwner(c.Campaign)
	if !ok || platform != s.self || merchant != p.Merchant {
		return catalog.Campaign{}, 0, "not the merchant's campaign"
	}
	cp, err := s.campaigns.Campaign(context.Background(), c.Campaign)
	if err != nil {
		return catalog.Campaign{}, 0, "no such campaign"
	}
	if !cp.Active(s.now()) {
		return catalog.Campaign{}, 0, "campaign " + cp.State + " or not running"
	}
	var basis int64
	for _, l := range p.Lines {
		if slices.Contains(c.Listings, l.ListingID) && cp.Covers(l.ListingID, l.Category) {
			basis += l.gross()
		}
	}
	if basis <= 0 {
		return catalog.Campaign{}, 0, "no line the campaign covers"
	}
	return cp, basis, ""
}

// loadAdSpend reads what a campaign spent.
func loadAdSpend(txn *badger.Txn, id string) (AdSpend, error) {
	sp := AdSpend{Campaign: id}
	_, err := getJSON(txn, prefixAdSpend+id, &sp)
	return sp, err
}

// CampaignSpend returns what campaign id spent, as this home counts it.
func (s *Service) CampaignSpend(ctx context.Context, id string) (AdSpend, error) {
	if err := ctx.Err(); err != nil {
		return AdSpend{}, err
	}
	var sp AdSpend
	err := s.db.View(func(txn *badger.Txn) (err error) { sp, err = loadAdSpend(txn, id); return err })
	return sp, err
}

// statedAd is what p's current status states about its ad fee.
func (p *HomePart) statedAd() *AdStated {
	if p.Ad == nil || p.Ad.Seq != p.Seq || p.Ad.Stated == nil {
		return nil
	}
	cp := *p.Ad.Stated
	return &cp
}

// afterAd tells Campaigns of a campaign this part's charge exhausted.
func (s *Service) afterAd(p *HomePart) {
	if p.Ad == nil || p.Ad.Seq != p.Seq || !p.Ad.Exhausted || s.campaigns == nil {
		return
	}
	if err := s.campaigns.Exhausted(context.Background(), p.Ad.Claim.Campaign); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Warn("publishing an exhausted campaign", "campaign", p.Ad.Claim.Campaign, "err", err)
	}
}

// AdEvent is an ad fee step settlement books (settlement/ads.go).
type AdEvent struct {
	AdStated
	// Policy is the charter version whose split applies.
	Policy uint64
}

// AdEventOf is the ad fee step a status states, nil when none.
func AdEventOf(st *Status) *AdEvent {
	if st == nil || st.Ad == nil {
		return nil
	}
	return &AdEvent{AdStated: *st.Ad, Policy: st.Policy}
}

// campaignOwner splits a campaign id, <platform>.<merchant>.<campaign>,
// into the home and the merchant that own it.
func campaignOwner(id string) (platform, merchant string, ok bool) {
	parts := strings.Split(id, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" || strings.Contains(id, "/") {
		return "", "", false
	}
	return parts[0], parts[1], true
}
