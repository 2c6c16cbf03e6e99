package web

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// minorDigits is how many decimal digits the minor unit of an ISO 4217
// currency has: 2 unless listed here.
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// digitsOf returns the minor-unit digits of currency.
func digitsOf(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// formatAmount writes minor units as a decimal in major units: 1999 EUR
// is "19.99", 500 JPY is "500".
func formatAmount(amount int64, currency string) string {
	d := digitsOf(currency)
	neg := amount < 0
	u := uint64(amount)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u, 10)
	if d > 0 {
		if len(s) <= d {
			s = strings.Repeat("0", d-len(s)+1) + s
		}
		s = s[:len(s)-d] + "." + s[len(s)-d:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// formatMoney writes an amount with its currency: "19.99 EUR".
func formatMoney(amount int64, currency string) string {
	if currency == "" {
		return formatAmount(amount, currency)
	}
	return formatAmount(amount, currency) + " " + currency
}

// errAmount is what parseAmount says of any text it cannot read.
var errAmount = errors.New("must be an amount such as 19.99")

// parseAmount reads a non-negative decimal in major units ("19", "19.9",
// "19.99") into minor units of currency. More decimals than the currency
// has, signs, separators and overflow are errors.
func parseAmount(s, currency string) (int64, error) {
	s = strings.TrimSpace(s)
	whole, frac, hasPoint := strings.Cut(s, ".")
	d := digitsOf(currency)
	if whole == "" && frac == "" || hasPoint && frac == "" || len(frac) > d || !allDigits(whole) || !allDigits(frac) {
		if len(frac) > d && allDigits(frac) && allDigits(whole) {
			return 0, errors.New("has more decimals than the currency allows")
		}
		return 0, errAmount
	}
	frac += strings.Repeat("0", d-len(frac))
	w, err := strconv.ParseInt("0"+whole, 10, 64)
	if err != nil || w > (math.MaxInt64-999_999)/pow10(d) {
		return 0, errors.New("is too large")
	}
	f, _ := strconv.ParseInt("0"+frac, 10, 64)
	return w*pow10(d) + f, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
