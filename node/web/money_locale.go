package web

import (
	"sync"

	"github.com/bojanz/currency"
)

// Prices are written as the page's language writes them (CLDR, through
// github.com/bojanz/currency): "€1,234.50" in English, "1.234,50 €" in
// German, "¥1,234.50" for yuan and "€1,234.50" for euros in Simplified
// Chinese. Amounts stay int64 minor units until they are written: the
// formatter reads the decimal FormatAmount writes, so that a currency
// keeps the minor-unit digits fedmart gives it.

// MoneyFormat writes amounts for one locale. It is safe for concurrent
// use.
type MoneyFormat struct {
	// byDigits are formatters showing exactly that many decimals, for
	// currencies of 0 to 4 minor-unit digits.
	byDigits [5]*currency.Formatter

	// written are amounts written before. bojanz/currency builds a
	// strings.Replacer for every amount it writes, and pages and letters
	// write the same prices over and over: formatting money was 2% of a
	// checkout storm's CPU, for the letters alone.
	mu      sync.Mutex
	written map[writtenAmount]string
}

// writtenAmount is an amount in a currency, a key of MoneyFormat.written.
type writtenAmount struct {
	amount int64
	cur    string
}

// maxWritten bounds MoneyFormat.written; past it, the map starts over.
const maxWritten = 4096

// NewMoneyFormat is the money format of a BCP 47 locale ("en", "zh-CN",
// "de").
func NewMoneyFormat(locale string) *MoneyFormat {
	m := &MoneyFormat{}
	l := currency.NewLocale(locale)
	for d := range m.byDigits {
		f := currency.NewFormatter(l)
		f.MinDigits, f.MaxDigits = uint8(d), uint8(d)
		m.byDigits[d] = f
	}
	return m
}

// Format writes amount minor units of cur; a currency CLDR does not know
// is written with its code after the amount ("19.99 XTS").
func (m *MoneyFormat) Format(amount int64, cur string) string {
	k := writtenAmount{amount, cur}
	m.mu.Lock()
	out, ok := m.written[k]
	m.mu.Unlock()
	if ok {
		return out
	}
	out = m.format(amount, cur)
	m.mu.Lock()
	if len(m.written) >= maxWritten || m.written == nil {
		m.written = make(map[writtenAmount]string)
	}
	m.written[k] = out
	m.mu.Unlock()
	return out
}

// format writes amount minor units of cur with the formatters.
func (m *MoneyFormat) format(amount int64, cur string) string {
	d := DigitsOf(cur)
	if d >= len(m.byDigits) || cur == "" {
		return plainMoney(amount, cur)
	}
	a, err := currency.NewAmount(FormatAmount(amount, cur), cur)
	if err != nil {
		return plainMoney(amount, cur)
	}
	return m.byDigits[d].Format(a)
}
