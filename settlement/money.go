package settlement

import (
	"fmt"
	"math"
	"strconv"
)

// Money is an amount in the minor unit of a currency (cents for EUR) plus
// the ISO 4217 code. It is never a float.
type Money struct {
	// Amount is the count of minor units; negative only for balances.
	Amount int64 `json:"amount"`
	// Currency is the three-letter ISO 4217 code, upper case.
	Currency string `json:"currency"`
}

// String renders the amount in minor units followed by the currency, for
// logs and error messages ("1250 EUR").
func (m Money) String() string {
	return strconv.FormatInt(m.Amount, 10) + " " + m.Currency
}

// Add returns m+o. It fails with ErrCurrency when the currencies differ and
// with ErrOverflow when the sum leaves the int64 range.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("%w: %s + %s", ErrCurrency, m, o)
	}
	sum, ok := addInt64(m.Amount, o.Amount)
	if !ok {
		return Money{}, fmt.Errorf("%w: %s + %s", ErrOverflow, m, o)
	}
	return Money{Amount: sum, Currency: m.Currency}, nil
}

// Sub returns m-o with the same failure modes as Add.
func (m Money) Sub(o Money) (Money, error) {
	if o.Amount == math.MinInt64 {
		return Money{}, fmt.Errorf("%w: %s - %s", ErrOverflow, m, o)
	}
	return m.Add(Money{Amount: -o.Amount, Currency: o.Currency})
}

// validCurrency reports whether c looks like an ISO 4217 code.
func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}

// addInt64 adds with an overflow check.
func addInt64(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}
