package settlement

import (
	"context"
	"fmt"
)

// Earnings is what one merchant earned through other members' storefronts
// in one period, as seen by its home platform: merchant shares of sales
// that became payable, minus shares given back by refunds. Domestic sales
// (storefront = home) are the home platform's own business and not part of
// the settlement ledger.
type Earnings struct {
	// Merchant identifies the merchant on its home platform.
	Merchant string `json:"merchant"`
	// Period is the period name.
	Period string `json:"period"`
	// Sales is the sum of the merchant's sale entries.
	Sales Money `json:"sales"`
	// Refunds is the sum of the merchant's refund entries.
	Refunds Money `json:"refunds"`
	// Net is Sales minus Refunds.
	Net Money `json:"net"`
	// Entries counts the entries summed.
	Entries int `json:"entries"`
}

// MerchantEarnings sums the merchant's entries in period in which this
// node is the home platform. The currency is that of the entries (empty
// when there are none); entries in two currencies are an ErrCurrency.
func (l *Ledger) MerchantEarnings(ctx context.Context, merchant, period string) (Earnings, error) {
	out := Earnings{Merchant: merchant, Period: period}
	err := l.Entries(ctx, period, "", func(e Entry) error {
		own := e.Merchant == merchant &&
			((e.Kind == EntrySale && e.To == l.self) || (e.Kind == EntryRefund && e.From == l.self))
		if !own {
			return nil
		}
		if out.Entries == 0 {
			out.Sales.Currency, out.Refunds.Currency, out.Net.Currency = e.Amount.Currency, e.Amount.Currency, e.Amount.Currency
		}
		var err error
		if e.Kind == EntrySale {
			out.Sales, err = out.Sales.Add(e.Amount)
		} else {
			out.Refunds, err = out.Refunds.Add(e.Amount)
		}
		out.Entries++
		return err
	})
	if err != nil {
		return Earnings{}, fmt.Errorf("earnings of %q in %s: %w", merchant, period, err)
	}
	out.Net, err = out.Sales.Sub(out.Refunds)
	return out, err
}
