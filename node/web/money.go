package web

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/fedmart/fedmart/catalog"
)

// minorDigits is how many decimal digits the minor unit of an ISO 4217
// currency has: 2 unless listed here.
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// DigitsOf returns the minor-unit digits of currency.
func DigitsOf(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// FormatAmount writes minor units as a decimal in major units: 1999 EUR
// is "19.99", 500 JPY is "500".
func FormatAmount(amount int64, currency string) string {
	d := DigitsOf(currency)
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

// FormatMoney writes an amount with its currency as English writes
// prices (CLDR): "€19.99", "€1,234.50", "CN¥8.00"; a currency CLDR does
// not know keeps the code after the amount ("19.99 XTS"). Pages in
// other languages write theirs with MoneyFormat (Site.Money, MoneyIn,
// the templates' money); messages that leave the node in English (mail
// subjects of an English shopper, notices) use this.
func FormatMoney(amount int64, currency string) string {
	return englishMoney().Format(amount, currency)
}

// englishMoney is built once: its formatters are read-only.
var englishMoney = sync.OnceValue(func() *MoneyFormat { return NewMoneyFormat("en") })

// plainMoney writes the amount then the code: "19.99 XTS", what a
// currency CLDR does not know falls back to.
func plainMoney(amount int64, currency string) string {
	if currency == "" {
		return FormatAmount(amount, currency)
	}
	return FormatAmount(amount, currency) + " " + currency
}

// ErrAmount is what ParseAmount says of any text it cannot read.
var ErrAmount = errors.New("must be an amount such as 19.99")

// ParseAmount reads a non-negative decimal in major units ("19", "19.9",
// "19.99") into minor units of currency. More decimals than the currency
// has, signs, separators and overflow are errors.
func ParseAmount(s, currency string) (int64, error) {
	s = strings.TrimSpace(s)
	whole, frac, hasPoint := strings.Cut(s, ".")
	d := DigitsOf(currency)
	if whole == "" && frac == "" || hasPoint && frac == "" || len(frac) > d || !allDigits(whole) || !allDigits(frac) {
		if len(frac) > d && allDigits(frac) && allDigits(whole) {
			return 0, errors.New("has more decimals than the currency allows")
		}
		return 0, ErrAmount
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

// LowestPrice is the price of the listing's cheapest variant.
func LowestPrice(l catalog.Listing) (catalog.Money, bool) {
	if len(l.Variants) == 0 {
		return catalog.Money{}, false
	}
	lo := l.Variants[0].Price
	for _, v := range l.Variants[1:] {
		if v.Price.Amount < lo.Amount {
			lo = v.Price
		}
	}
	return lo, true
}

// AbsAmount is |v|, with math.MinInt64 taken as math.MaxInt64.
func AbsAmount(v int64) int64 {
	if v == math.MinInt64 {
		return math.MaxInt64
	}
	if v < 0 {
		return -v
	}
	return v
}
