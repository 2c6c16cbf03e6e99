package settlement

import (
	"fmt"
	"math/bits"
)

// Split is how a gross amount divides between the storefront (commission),
// the treasury (federation fee) and the merchant's home platform (the
// remainder). Commission+Fee+Merchant always equals Gross exactly.
type Split struct {
	// Gross is the amount the shopper paid for the part.
	Gross Money `json:"gross"`
	// Commission is kept by the storefront.
	Commission Money `json:"commission"`
	// Fee is owed to the treasury (zero when the policy has none).
	Fee Money `json:"fee"`
	// Merchant is the remainder, owed to the merchant's home platform.
	Merchant Money `json:"merchant"`
	// CommissionBPS is the commission rate that applied.
	CommissionBPS int64 `json:"commission_bps"`
	// FeeBPS is the fee rate that applied (0 without a treasury).
	FeeBPS int64 `json:"fee_bps"`
}

// Split divides gross for a part in category. Commission and fee are each
// gross×bps/10000 rounded half up to the minor unit (the fee is capped at
// gross−commission, which only matters when the two rates add up to exactly
// 100 % and both round up); the merchant takes the remainder. Without a
// treasury the fee is zero. Amounts up to the full int64 range are exact
// (128-bit intermediate products).
func (p Policy) Split(gross Money, category string) (Split, error) {
	if gross.Currency != p.Currency {
		return Split{}, fmt.Errorf("%w: gross %s under policy %d in %s", ErrCurrency, gross, p.Version, p.Currency)
	}
	if gross.Amount < 0 {
		return Split{}, fmt.Errorf("%w: gross %s is negative", ErrInvalid, gross)
	}
	cbps, fbps := p.Rates(category)
	if p.Treasury == "" {
		fbps = 0
	}
	if cbps < 0 || fbps < 0 || cbps+fbps > MaxBPS {
		return Split{}, fmt.Errorf("%w: policy %d rates %d+%d bps", ErrInvalid, p.Version, cbps, fbps)
	}
	c := bpsOf(gross.Amount, cbps)
	f := min(bpsOf(gross.Amount, fbps), gross.Amount-c)
	cur := gross.Currency
	return Split{
		Gross:         gross,
		Commission:    Money{Amount: c, Currency: cur},
		Fee:           Money{Amount: f, Currency: cur},
		Merchant:      Money{Amount: gross.Amount - c - f, Currency: cur},
		CommissionBPS: cbps,
		FeeBPS:        fbps,
	}, nil
}

// SplitDiscounted divides the gross of a sale's items, paid after the
// merchant's discount, with the commission and the fee computed on the
// items before it (gross + discount), rounded as Split does: the merchant
// takes the rest, which bears the whole discount. Commission and fee
// never take more than the gross, so the merchant's share never goes
// below zero.
func (p Policy) SplitDiscounted(gross, discount Money, category string) (Split, error) {
	if discount.Amount < 0 || discount.Amount > 0 && discount.Currency != gross.Currency {
		return Split{}, fmt.Errorf("%w: discount %s of gross %s", ErrInvalid, discount, gross)
	}
	full, err := p.Split(Money{Amount: gross.Amount + discount.Amount, Currency: gross.Currency}, category)
	if err != nil {
		return Split{}, err
	}
	c := min(full.Commission.Amount, gross.Amount)
	f := min(full.Fee.Amount, gross.Amount-c)
	cur := gross.Currency
	return Split{Gross: gross, Commission: Money{Amount: c, Currency: cur}, Fee: Money{Amount: f, Currency: cur},
		Merchant: Money{Amount: gross.Amount - c - f, Currency: cur}, CommissionBPS: full.CommissionBPS, FeeBPS: full.FeeBPS}, nil
}

// SplitSale divides a part's gross, of which shipping was paid for
// shipping: items is the split of the rest, as Split makes it, and ship
// the split of shipping, whose Merchant share is owed to the home
// platform as shipping; without Policy.ShippingShared, ship keeps no
// commission and no fee.
func (p Policy) SplitSale(gross, shipping Money, category string) (items, ship Split, err error) {
	if shipping.Amount < 0 || shipping.Amount > gross.Amount || shipping.Amount > 0 && shipping.Currency != gross.Currency {
		return Split{}, Split{}, fmt.Errorf("%w: shipping %s of gross %s", ErrInvalid, shipping, gross)
	}
	shipping.Currency = gross.Currency
	items, err = p.Split(Money{Amount: gross.Amount - shipping.Amount, Currency: gross.Currency}, category)
	if err != nil {
		return Split{}, Split{}, err
	}
	if p.ShippingShared {
		ship, err = p.Split(shipping, category)
		return items, ship, err
	}
	zero := Money{Currency: gross.Currency}
	return items, Split{Gross: shipping, Commission: zero, Fee: zero, Merchant: shipping}, nil
}

// reversedAt returns how much of each component of s a cumulative refund of
// x minor units (0 <= x <= s.Gross.Amount) gives back. The commission part
// is floor(Commission·x/Gross); of what is left, the fee part is
// floor(Fee·left/(Gross−Commission)); the merchant part is the rest. Each
// component is non-decreasing in x, the three sum to x, and x = Gross gives
// back s exactly, so a part refunded in several pieces reverses its sale
// exactly and no piece ever reverses a negative amount.
func (s Split) reversedAt(x int64) Split {
	g, c, f := s.Gross.Amount, s.Commission.Amount, s.Fee.Amount
	r := s
	r.Gross.Amount = x
	r.Commission.Amount, r.Fee.Amount = 0, 0
	if g > 0 {
		r.Commission.Amount = mulDiv(c, x, g)
	}
	left := x - r.Commission.Amount
	if g-c > 0 {
		r.Fee.Amount = mulDiv(f, left, g-c)
	}
	r.Merchant.Amount = left - r.Fee.Amount
	return r
}

// minus returns the component-wise difference s−o. The ledger uses it on
// two reversedAt results of the same sale, so no component is negative.
func (s Split) minus(o Split) Split {
	d := s
	d.Gross.Amount -= o.Gross.Amount
	d.Commission.Amount -= o.Commission.Amount
	d.Fee.Amount -= o.Fee.Amount
	d.Merchant.Amount -= o.Merchant.Amount
	return d
}

// mulDiv returns floor(a·b/c) for 0 <= a, 0 <= b <= c, c > 0, using a
// 128-bit product; the quotient is at most a, so it fits.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c))
	return int64(q)
}

// bpsOf returns amount×bps/10000 rounded half up, for amount >= 0 and
// 0 <= bps <= 10000. The product is formed in 128 bits, so it cannot
// overflow; its high word stays below 5000, which keeps Div64 from panicking.
func bpsOf(amount, bps int64) int64 {
	hi, lo := bits.Mul64(uint64(amount), uint64(bps))
	lo, carry := bits.Add64(lo, MaxBPS/2, 0)
	q, _ := bits.Div64(hi+carry, lo, MaxBPS)
	return int64(q)
}
