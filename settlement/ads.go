package settlement

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Sponsored sales move money too, each step an Event stated by the
// merchant's home in a signed status, and each deriving entries every
// party computes alike from the event and the policy alone:
//
//	ad_fee           the home accepted a part a shopper reached through a
//	                 sponsored slot of Storefront, charging Campaign's fee
//	                 (Gross): the home owes the storefront its share of it
//	                 and the treasury the rest ("ad_fee" entries)
//	ad_fee_reversed  a refund or cancellation of that part took Gross of
//	                 the fee back: the storefront and the treasury give
//	                 their shares of it back ("ad_fee_reversal"), so that
//	                 a part's reversals add up to exactly its fee
//
// Shares are computed on the running total, as points reversals are: the
// storefront's share of the first x of a fee is x at the policy's
// StorefrontShareBPS rounded half up, the treasury's the rest. A party
// that is both payer and payee (a home whose own storefront showed the
// slot, a home that is the treasury) books nothing for it, a storefront
// that is the treasury takes both shares in one entry; without a
// treasury the home keeps the treasury's share. Clicks and impressions
// are never events: no member can check another's.

// Kinds of ad Event.
const (
	EventAdFee         = "ad_fee"
	EventAdFeeReversed = "ad_fee_reversed"
)

// Kinds of ad Entry.
const (
	// EntryAdFee: a home owes a storefront or the treasury its share of
	// an ad fee.
	EntryAdFee = "ad_fee"
	// EntryAdFeeReversal: a storefront or the treasury gives a home back
	// its share of a fee a refund took back.
	EntryAdFeeReversal = "ad_fee_reversal"
)

// Accounts of ad fees in a member's books.
const (
	// AccountAdExpense is what a home paid for its merchants' sponsored
	// sales (debit).
	AccountAdExpense = "expense:ads"
	// AccountAdRevenue is what a storefront or the treasury earned from
	// sponsored sales (credit).
	AccountAdRevenue = "revenue:ads"
)

// Ads is what settlement needs of the charter's ad policy: whether it
// runs ads and the storefront's share of a fee. The zero value is off.
type Ads struct {
	// Enabled: the charter runs sponsored listings.
	Enabled bool `json:"enabled,omitempty"`
	// StorefrontShareBPS is the storefront's share of each fee; the
	// treasury takes the rest.
	StorefrontShareBPS int64 `json:"storefront_share_bps,omitempty"`
}

// validate reports a bad ad setting under policy.ads.
func (a Ads) validate(bad func(key, format string, args ...any)) {
	if a.StorefrontShareBPS < 0 || a.StorefrontShareBPS > MaxBPS {
		bad("ads.storefront_share_bps", "%d outside 0..%d", a.StorefrontShareBPS, MaxBPS)
	}
	if !a.Enabled && a.StorefrontShareBPS != 0 {
		bad("ads.enabled", "a storefront share needs ads enabled")
	}
}

// storefrontShareAt is the storefront's share of the first x of a fee.
func (a Ads) storefrontShareAt(x int64) int64 { return bpsOf(x, a.StorefrontShareBPS) }

// isAd reports whether e is an ad event.
func (e Event) isAd() bool { return e.Kind == EventAdFee || e.Kind == EventAdFeeReversed }

// validateAd adds the checks of an ad event to bad.
func (e Event) validateAd(bad func(key, format string, args ...any)) {
	if e.Campaign == "" || len(e.Campaign) > 256 {
		bad("campaign", "must be 1..256 bytes")
	}
	if e.Gross.Amount <= 0 || e.AdFee <= 0 || e.Gross.Amount > e.AdFee {
		bad("gross", "%s must be more than 0 and at most the fee %d", e.Gross, e.AdFee)
	}
	switch e.Kind {
	case EventAdFee:
		if e.AdReversedBefore != 0 || e.RefundOf != "" || e.Gross.Amount != e.AdFee {
			bad("ad_fee", "a charge is the whole fee and names no refund")
		}
	case EventAdFeeReversed:
		if e.RefundOf == "" {
			bad("refund_of", "a reversal names the refund that caused it")
		}
		if e.AdReversedBefore < 0 || e.AdReversedBefore+e.Gross.Amount > e.AdFee {
			bad("ad_reversed_before", "%d after %d reversed exceeds the fee %d", e.Gross.Amount, e.AdReversedBefore, e.AdFee)
		}
	}
	if e.Issuer != "" || e.Points != 0 {
		bad("points", "only points events state points")
	}
}

// adEntries derives the entries of an ad event under policy a with
// treasury.
func adEntries(ev Event, a Ads, treasury string) []Entry {
	cur := ev.Gross.Currency
	var out []Entry
	add := func(kind, from, to string, amount int64) {
		if from == to || to == "" || from == "" || amount == 0 {
			return
		}
		for i := range out {
			if out[i].From == from && out[i].To == to { // a storefront that is the treasury takes both shares
				out[i].Amount.Amount += amount
				return
			}
		}
		out = appendEntry(out, ev, kind, from, to, Money{Amount: amount, Currency: cur})
	}
	switch ev.Kind {
	case EventAdFee:
		sf := a.storefrontShareAt(ev.Gross.Amount)
		add(EntryAdFee, ev.Home, ev.Storefront, sf)
		add(EntryAdFee, ev.Home, treasury, ev.Gross.Amount-sf)
	case EventAdFeeReversed:
		after, before := ev.AdReversedBefore+ev.Gross.Amount, ev.AdReversedBefore
		sf := a.storefrontShareAt(after) - a.storefrontShareAt(before)
		add(EntryAdFeeReversal, ev.Storefront, ev.Home, sf)
		add(EntryAdFeeReversal, treasury, ev.Home, ev.Gross.Amount-sf)
	}
	return out
}

// adParty reports whether self is a party of an ad event under treasury.
func adParty(ev Event, self, treasury string) bool {
	return self == ev.Home || self == ev.Storefront || (treasury != "" && self == treasury)
}

// postAdTxn posts an ad event in txn: every entry it derives in which
// this node is a party. Like points events, ad events state all their
// entries depend on and need no part record.
func (l *Ledger) postAdTxn(txn *badger.Txn, ev Event, pol Policy, pin *pinning) ([]Entry, error) {
	if !pol.Ads.Enabled {
		return nil, fmt.Errorf("%w: %s event of %q under policy %d, which runs no ads", ErrInvalid, ev.Kind, ev.PartID, pol.Version)
	}
	return l.postStatedTxn(txn, ev, adEntries(ev, pol.Ads, pol.Treasury), pol, pin)
}

// AdEntries returns the entries an ad event derives under pol, between
// all its parties, without their periods. It is exported for the orders
// layer's tests and tools.
func AdEntries(ev Event, pol Policy) ([]Entry, error) {
	if !ev.isAd() {
		return nil, fmt.Errorf("%w: %s is not an ad event", ErrInvalid, ev.Kind)
	}
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	return adEntries(ev, pol.Ads, pol.Treasury), nil
}
