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
	// Shipping is what shoppers paid for shipping, net of shipping given
	// back.
	Shipping Money `json:"shipping"`
	// Net is Sales minus Refunds plus Shipping.
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
		in := (e.Kind == EntrySale || e.Kind == EntryShipping) && e.To == l.self
		back := (e.Kind == EntryRefund || e.Kind == EntryShippingRefund) && e.From == l.self
		if e.Merchant != merchant || !in && !back {
			return nil
		}
		if out.Entries == 0 {
			cur := e.Amount.Currency
			out.Sales.Currency, out.Refunds.Currency, out.Shipping.Currency, out.Net.Currency = cur, cur, cur, cur
		}
		var err error
		switch e.Kind {
		case EntrySale:
			out.Sales, err = out.Sales.Add(e.Amount)
		case EntryRefund:
			out.Refunds, err = out.Refunds.Add(e.Amount)
		case EntryShipping:
			out.Shipping, err = out.Shipping.Add(e.Amount)
		case EntryShippingRefund:
			out.Shipping, err = out.Shipping.Sub(e.Amount)
		}
		out.Entries++
		return err
	})
	if err != nil {
		return Earnings{}, fmt.Errorf("earnings of %q in %s: %w", merchant, period, err)
	}
	if out.Net, err = out.Sales.Sub(out.Refunds); err != nil {
		return Earnings{}, err
	}
	out.Net, err = out.Net.Add(out.Shipping)
	return out, err
}
