package settlement

import (
	"context"
	"testing"
)

func TestMerchantEarnings(t *testing.T) {
	clk := &clock{t: t0}
	h := newLedger(t, "H", clk)
	other := ev("q1", EventDelivered, t0, 5000)
	other.Merchant = "m2"
	postAll(t, append(scenario(), other), h)
	got, err := h.MerchantEarnings(context.Background(), "m1", day1)
	if err != nil {
		t.Fatal(err)
	}
	// day1 holds the sales of p1 and p2 and the first refund of p2; p5
	// and the second refund fall in day2, q1 is another merchant's.
	pol := testPolicy()
	split := func(g int64) int64 {
		s, _ := pol.Split(Money{Amount: g, Currency: "EUR"}, "toys/")
		return s.Merchant.Amount
	}
	p2, _ := pol.Split(Money{Amount: 2599, Currency: "EUR"}, "toys/")
	r1 := p2.reversedAt(1000).Merchant.Amount
	wantSales := split(10000) + split(2599)
	if got.Sales.Amount != wantSales || got.Refunds.Amount != r1 || got.Net.Amount != wantSales-r1 || got.Entries != 3 {
		t.Errorf("earnings %+v, want sales %d refunds %d", got, wantSales, r1)
	}
}
