package main

import (
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/spf13/pflag"
)

// loyaltyFlags are the charter's loyalty policy as flags of charter new
// and charter amend (see federation.Loyalty).
type loyaltyFlags struct {
	l      federation.Loyalty
	expiry time.Duration
}

// register adds the flags to f; verb starts their help ("set", "change").
func (lf *loyaltyFlags) register(f *pflag.FlagSet, verb string) {
	f.Int64Var(&lf.l.EarnBPS, "loyalty-earn-bps", 0, verb+" the points earned per currency unit, in basis points (10000: 1 point per unit; 0: loyalty off)")
	f.Int64Var(&lf.l.PointValue, "loyalty-point-value", 0, verb+" what one point is worth, in minor units of the settlement currency")
	f.StringVar(&lf.l.Funder, "loyalty-funder", "", verb+" who pays for earned points: home, storefront or split")
	f.Int64Var(&lf.l.FunderHomeBPS, "loyalty-funder-home-bps", 0, verb+" the home's share of earned points' value with a split funder")
	f.StringVar(&lf.l.SpendableOn, "loyalty-spendable-on", "", verb+" when earned points can be spent: delivered or return_window_end")
	f.DurationVar(&lf.expiry, "loyalty-expiry", 0, verb+" how long points stay spendable (0: forever)")
	f.Int64Var(&lf.l.MinShareBPS, "loyalty-min-share-bps", 0, verb+" the least share of a cart points may pay, in basis points")
	f.Int64Var(&lf.l.MaxShareBPS, "loyalty-max-share-bps", 0, verb+" the largest share of a cart points may pay, in basis points (0: all)")
}

// apply copies the flags the user gave onto l: all of them for a new
// charter, the changed ones for an amendment.
func (lf *loyaltyFlags) apply(f *pflag.FlagSet, l *federation.Loyalty) {
	lf.l.Expiry = federation.Duration(lf.expiry)
	set := map[string]func(){
		"loyalty-earn-bps":        func() { l.EarnBPS = lf.l.EarnBPS },
		"loyalty-point-value":     func() { l.PointValue = lf.l.PointValue },
		"loyalty-funder":          func() { l.Funder = lf.l.Funder },
		"loyalty-funder-home-bps": func() { l.FunderHomeBPS = lf.l.FunderHomeBPS },
		"loyalty-spendable-on":    func() { l.SpendableOn = lf.l.SpendableOn },
		"loyalty-expiry":          func() { l.Expiry = lf.l.Expiry },
		"loyalty-min-share-bps":   func() { l.MinShareBPS = lf.l.MinShareBPS },
		"loyalty-max-share-bps":   func() { l.MaxShareBPS = lf.l.MaxShareBPS },
	}
	for name, fn := range set {
		if f.Changed(name) {
			fn()
		}
	}
}
