package node

import (
	"context"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/adstats"
	"github.com/fedmart/fedmart/settlement"
)

// adsAt is the charter's ad policy at version v, as the order service
// reads it.
func (n *Node) adsAt(v uint64) (order.AdTerms, bool) {
	sc, err := n.fed.CharterVersion(v)
	if err != nil {
		return order.AdTerms{}, false
	}
	a := sc.Charter.Ads
	if !a.Enabled() {
		return order.AdTerms{}, true
	}
	return order.AdTerms{MaxFeeBPS: a.MaxFeeBPS, Window: a.Window()}, true
}

// campaignBook is this node's campaigns as the order service charges
// them: the catalog's records, and their exhaustion published as a new
// version with a webhook to the back office.
type campaignBook struct{ n *Node }

// Campaign returns a campaign this node holds.
func (b campaignBook) Campaign(ctx context.Context, id string) (catalog.Campaign, error) {
	return b.n.cat.Campaign(ctx, id)
}

// EventCampaignExhausted is the webhook sent when a campaign's budget is
// spent.
const EventCampaignExhausted = "campaign.exhausted"

// Exhausted publishes campaign id exhausted and tells the back office.
func (b campaignBook) Exhausted(ctx context.Context, id string) error {
	_, merchant, _, err := catalog.ParseID(id)
	if err != nil {
		return err
	}
	c, err := b.n.cat.SetCampaignState(ctx, merchant, id, catalog.CampaignExhausted)
	if err != nil {
		return err
	}
	if b.n.hooks == nil {
		return nil
	}
	err = b.n.db.Update(func(txn *badger.Txn) error { return b.n.hooks.Enqueue(txn, EventCampaignExhausted, c) })
	b.n.hooks.Notify()
	return err
}

// adEvent is the settlement event of the ad fee step a status states,
// if any: the part's currency, the charter version it was priced under.
func adEvent(ev order.PartEvent) (settlement.Event, bool) {
	if ev.Points != nil || ev.Status == nil {
		return settlement.Event{}, false
	}
	a := order.AdEventOf(ev.Status)
	if a == nil {
		return settlement.Event{}, false
	}
	e := settlement.Event{PartID: ev.Part, Kind: settlement.EventAdFee, Storefront: ev.Storefront, Home: ev.Home,
		Merchant: ev.Status.Merchant, Campaign: a.Campaign, AdFee: a.Fee, Gross: settlement.Money{Amount: a.Amount, Currency: ev.Status.Total.Currency},
		PolicyVersion: a.Policy, At: ev.At.UTC()}
	if a.Step == order.AdReverse {
		e.Kind, e.RefundOf, e.AdReversedBefore = settlement.EventAdFeeReversed, a.Refund, a.ReversedBefore
	}
	return e, true
}

// adProofTag starts the proof of an ad event, to tell it from the proof
// of the sale the same status states.
var adProofTag = []byte("ad\n")

// adProof proves an ad event with the home's status that states it
// (order.Proof): the home is the payer, and its signature the fee's only
// authority.
func (e evidence) adProof(ctx context.Context, ev settlement.Event) ([]byte, error) {
	p, err := e.orders.ProveStatus(ctx, ev.PartID, ev.Home, func(m *order.Message) bool {
		got, ok := adEvent(order.PartEvent{Part: m.Part, Storefront: m.To, Home: m.From, Status: m.Status, At: m.At})
		return ok && got == ev
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", settlement.ErrNotFound, err)
	}
	return append(append([]byte{}, adProofTag...), p...), nil
}

// verifyAd checks the proof of an ad event.
func (e evidence) verifyAd(_ context.Context, proof []byte) (settlement.Event, error) {
	m, err := order.VerifyProof(proof)
	if err != nil {
		return settlement.Event{}, fmt.Errorf("%w: %v", settlement.ErrForged, err)
	}
	ev, ok := adEvent(order.PartEvent{Part: m.Part, Storefront: m.To, Home: m.From, Status: m.Status, At: m.At})
	if !ok {
		return settlement.Event{}, fmt.Errorf("%w: message %s states no ad fee", settlement.ErrInvalid, m.ID)
	}
	return ev, nil
}

// sponsoredPages is what the storefront's sponsored slots read: the
// campaigns running now of every member (from the cache), and the
// charter's slots per page (0 when the charter runs no ads).
type sponsoredPages struct {
	n     *Node
	cache *campaignCache
}

// SponsoredCampaigns returns the campaigns that run at now: the same
// slice while none changes, starts or ends (the storefront keeps what it
// derives from it); it must not be changed.
func (s sponsoredPages) SponsoredCampaigns(ctx context.Context, now time.Time) ([]catalog.Campaign, int, error) {
	sc, err := s.n.fed.Charter()
	if err != nil || !sc.Charter.Ads.Enabled() {
		return nil, 0, nil
	}
	live, err := s.cache.liveAt(ctx, now)
	if err != nil {
		return nil, 0, err
	}
	return live, sc.Charter.Ads.Slots(), nil
}

// RecordAdClick remembers a shopper's click on a slot, made at at.
func (s sponsoredPages) RecordAdClick(ctx context.Context, shopper, listingID, campaign string, at time.Time) error {
	return s.n.orders.RecordAdClickAt(ctx, shopper, listingID, campaign, at)
}

// recordAdSale keeps, in txn, a step of a sponsored sale on a slot of
// this storefront for the dashboard's figures per campaign: the charge
// counts a sale, and each step moves this member's share of the fee as
// settlement computes it (on the running total, rounded half up); a home
// that showed its own slot books no share.
func (n *Node) recordAdSale(txn *badger.Txn, e settlement.Event) error {
	self := n.fed.Self().String()
	if e.Storefront != self {
		return nil
	}
	var bps int64
	if sc, err := n.fed.CharterVersion(e.PolicyVersion); err == nil && e.Home != self {
		bps = sc.Charter.Ads.StorefrontShareBPS
	}
	share := func(x int64) int64 { return (x*bps + 5000) / 10000 }
	s := adstats.Sale{At: e.At, Sales: 1, Share: share(e.AdFee)}
	step := "charge"
	if e.Kind == settlement.EventAdFeeReversed {
		s.Sales, step = 0, "reverse-"+e.RefundOf
		s.Share = -(share(e.AdReversedBefore+e.Gross.Amount) - share(e.AdReversedBefore))
	}
	return adstats.RecordSale(txn, e.Campaign, e.PartID, step, s)
}

// SetSponsoredSlots switches this storefront's sponsored slots on or
// off, as the operator does on the dashboard, keeping the categories
// excluded; the catalog bench compares its search with and without them.
func (n *Node) SetSponsoredSlots(on bool) error {
	set, err := n.web.SponsoredSettings()
	if err != nil {
		return err
	}
	set.Off = !on
	return n.web.SetSponsoredSettings(set)
}
