package settlement

import (
	"testing"
	"time"
)

// TestCommissionBeforeOrAfterMerchantDiscounts: by default the commission
// and the fee are computed on what the shopper paid; with
// CommissionBeforeDiscounts on the items before the merchant's discount,
// the merchant bearing all of it, and never below zero. Both sides fold
// the same event to the same split.
func TestCommissionBeforeOrAfterMerchantDiscounts(t *testing.T) {
	pol := Policy{Version: 1, Currency: "EUR", StorefrontCommissionBPS: 1000, FederationFeeBPS: 200, Treasury: "T", Period: time.Hour}
	ev := Event{PartID: "p-1", Kind: EventDelivered, Storefront: "S", Home: "H", Merchant: "m", Category: "Home",
		Gross: Money{Amount: 9000 + 490, Currency: "EUR"}, Shipping: Money{Amount: 490, Currency: "EUR"}, Discount: Money{Amount: 1000, Currency: "EUR"},
		PolicyVersion: 1, At: time.Unix(0, 0)}
	cases := []struct {
		name             string
		before           bool
		discount         int64
		gross            int64
		commission, fee  int64
		merchant, shipTo int64
	}{
		{"after (default)", false, 1000, 9490, 900, 180, 7920, 490},
		{"before", true, 1000, 9490, 1000, 200, 7800, 490},
		{"before, no discount", true, 0, 9490, 900, 180, 7920, 490},
		{"before, all but 1 cent off", true, 99999, 9490, 9000, 0, 0, 490},
	}
	for _, c := range cases {
		p := pol
		p.CommissionBeforeDiscounts = c.before
		e := ev
		e.Discount.Amount = c.discount
		e.Gross.Amount = c.gross
		for side := range 2 { // the storefront's ledger and the home's
			effects, err := newPart(e).apply(e, p)
			if err != nil || len(effects) != 1 {
				t.Fatalf("%s: %v %v", c.name, effects, err)
			}
			s, ship := effects[0].split, effects[0].ship
			if s.Commission.Amount != c.commission || s.Fee.Amount != c.fee || s.Merchant.Amount != c.merchant || ship.Merchant.Amount != c.shipTo {
				t.Errorf("%s (side %d): %+v, shipping %+v", c.name, side, s, ship)
			}
			if s.Commission.Amount+s.Fee.Amount+s.Merchant.Amount != s.Gross.Amount || s.Merchant.Amount < 0 {
				t.Errorf("%s: the split does not add up to its gross: %+v", c.name, s)
			}
		}
	}
	if _, err := pol.SplitDiscounted(Money{Amount: 100, Currency: "EUR"}, Money{Amount: -1, Currency: "EUR"}, ""); err == nil {
		t.Error("a negative discount was split")
	}
}
