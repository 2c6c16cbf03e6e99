package settlement

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// testPolicy is a valid policy with a treasury and two overrides.
func testPolicy() Policy {
	return Policy{
		Version: 1, Currency: "EUR",
		StorefrontCommissionBPS: 1000, FederationFeeBPS: 150, Treasury: "T",
		Overrides: []Override{
			{CategoryPrefix: "books/", StorefrontCommissionBPS: 500, FederationFeeBPS: 50},
			{CategoryPrefix: "books/rare/", StorefrontCommissionBPS: 2000, FederationFeeBPS: 0},
		},
		Period: 24 * time.Hour,
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Policy)
		want   []string // substrings of the error; none means valid
	}{
		{"valid", func(*Policy) {}, nil},
		{"no treasury", func(p *Policy) { p.Treasury = "" }, nil},
		{"accepted", func(p *Policy) { p.PayableOn = PayableOnAccepted }, nil},
		{"version", func(p *Policy) { p.Version = 0 }, []string{"policy.version:"}},
		{"currency", func(p *Policy) { p.Currency = "eur" }, []string{"policy.currency:"}},
		{"commission range", func(p *Policy) { p.StorefrontCommissionBPS = -1 }, []string{"policy.storefront_commission_bps:"}},
		{"fee range", func(p *Policy) { p.FederationFeeBPS = 10001 }, []string{"policy.federation_fee_bps: 10001 outside"}},
		{"sum", func(p *Policy) { p.StorefrontCommissionBPS, p.FederationFeeBPS = 9000, 1001 }, []string{"policy.federation_fee_bps: commission 9000 + fee 1001"}},
		{"treasury", func(p *Policy) { p.Treasury = "a/b" }, []string{"policy.treasury:"}},
		{"empty prefix", func(p *Policy) { p.Overrides[1].CategoryPrefix = "" }, []string{"policy.overrides[1].category_prefix: empty"}},
		{"duplicate prefix", func(p *Policy) { p.Overrides[1].CategoryPrefix = "books/" }, []string{"policy.overrides[1].category_prefix: \"books/\" repeats overrides[0]"}},
		{"override sum", func(p *Policy) { p.Overrides[0].FederationFeeBPS = 9600 }, []string{"policy.overrides[0].federation_fee_bps: commission 500 + fee 9600"}},
		{"period short", func(p *Policy) { p.Period = 30 * time.Second }, []string{"policy.period: 30s outside"}},
		{"period long", func(p *Policy) { p.Period = 32 * 24 * time.Hour }, []string{"policy.period:"}},
		{"period fraction", func(p *Policy) { p.Period = time.Minute + time.Millisecond }, []string{"policy.period: 1m0.001s is not a whole"}},
		{"payable", func(p *Policy) { p.PayableOn = "shipped" }, []string{"policy.payable_on:"}},
		{"several", func(p *Policy) { p.Version, p.Currency = 0, "" }, []string{"policy.version:", "policy.currency:"}},
		{"loyalty", func(p *Policy) { p.Loyalty = Loyalty{PointValue: 1, Funder: FunderSplit, FunderHomeBPS: 5000} }, nil},
		{"loyalty point value", func(p *Policy) { p.Loyalty = Loyalty{Funder: FunderHome} }, []string{"policy.loyalty.point_value:"}},
		{"loyalty funder", func(p *Policy) { p.Loyalty = Loyalty{PointValue: 1, Funder: "treasury"} }, []string{"policy.loyalty.funder:"}},
		{"loyalty split", func(p *Policy) { p.Loyalty = Loyalty{PointValue: 1, Funder: FunderSplit} }, []string{"policy.loyalty.funder_home_bps:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPolicy()
			tt.mutate(&p)
			err := p.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate() = %v, want ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestSplitRoundsHalfUp(t *testing.T) {
	tests := []struct {
		gross, cbps, fbps int64
		commission, fee   int64
	}{
		{gross: 5, cbps: 1000, fbps: 0, commission: 1},             // 0.5 -> 1
		{gross: 15, cbps: 1000, fbps: 1000, commission: 2, fee: 2}, // 1.5 -> 2
		{gross: 25, cbps: 1000, fbps: 0, commission: 3},            // 2.5 -> 3 (half up, not to even)
		{gross: 4, cbps: 1000, fbps: 0, commission: 0},             // 0.4 -> 0
		{gross: 6, cbps: 1000, fbps: 0, commission: 1},             // 0.6 -> 1
		{gross: 1, cbps: 5000, fbps: 0, commission: 1},             // 0.5 -> 1
		{gross: 200, cbps: 25, fbps: 75, commission: 1, fee: 2},    // 0.5 -> 1, 1.5 -> 2
		{gross: 199, cbps: 25, fbps: 75, commission: 0, fee: 1},    // 0.4975 -> 0, 1.4925 -> 1
		{gross: 1, cbps: 5000, fbps: 5000, commission: 1, fee: 0},  // both 0.5: fee capped at the remainder
		{gross: 3, cbps: 5000, fbps: 5000, commission: 2, fee: 1},  // both 1.5: capped
		{gross: 0, cbps: 1000, fbps: 1000},
		{gross: 10000, cbps: 10000, fbps: 0, commission: 10000},
		{gross: math.MaxInt64, cbps: 10000, fbps: 0, commission: math.MaxInt64},
		{gross: 1_000_000_000_000_000, cbps: 9999, fbps: 1, commission: 999_900_000_000_000, fee: 100_000_000_000},
	}
	for _, tt := range tests {
		p := Policy{Version: 1, Currency: "EUR", StorefrontCommissionBPS: tt.cbps, FederationFeeBPS: tt.fbps, Treasury: "T", Period: time.Hour}
		s, err := p.Split(Money{Amount: tt.gross, Currency: "EUR"}, "")
		if err != nil {
			t.Fatalf("Split(%d) error %v", tt.gross, err)
		}
		if s.Commission.Amount != tt.commission || s.Fee.Amount != tt.fee {
			t.Errorf("Split(%d, %d/%d bps) = commission %d fee %d, want %d %d",
				tt.gross, tt.cbps, tt.fbps, s.Commission.Amount, s.Fee.Amount, tt.commission, tt.fee)
		}
		if s.Merchant.Amount != tt.gross-tt.commission-tt.fee {
			t.Errorf("Split(%d) merchant %d", tt.gross, s.Merchant.Amount)
		}
	}
}

// halfUp is the reference rounding in arbitrary precision.
func halfUp(amount, bps int64) int64 {
	n := new(big.Int).Mul(big.NewInt(amount), big.NewInt(bps))
	n.Add(n, big.NewInt(MaxBPS/2))
	return n.Quo(n, big.NewInt(MaxBPS)).Int64()
}

func TestSplitProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		gross := rng.Int64N(1_000_000_000_000_001)
		if i%4 == 0 {
			gross = rng.Int64N(1000)
		}
		if i%97 == 0 {
			gross = math.MaxInt64 - rng.Int64N(3)
		}
		cbps := rng.Int64N(MaxBPS + 1)
		fbps := rng.Int64N(MaxBPS - cbps + 1)
		p := Policy{Version: 1, Currency: "USD", StorefrontCommissionBPS: cbps, FederationFeeBPS: fbps, Treasury: "T", Period: time.Hour}
		s, err := p.Split(Money{Amount: gross, Currency: "USD"}, "any")
		if err != nil {
			t.Fatal(err)
		}
		sum := new(big.Int).Add(big.NewInt(s.Commission.Amount), big.NewInt(s.Fee.Amount))
		sum.Add(sum, big.NewInt(s.Merchant.Amount))
		if sum.Cmp(big.NewInt(gross)) != 0 || s.Commission.Amount < 0 || s.Fee.Amount < 0 || s.Merchant.Amount < 0 {
			t.Fatalf("gross %d bps %d/%d: parts %d+%d+%d do not add up", gross, cbps, fbps, s.Commission.Amount, s.Fee.Amount, s.Merchant.Amount)
		}
		if want := halfUp(gross, cbps); s.Commission.Amount != want {
			t.Fatalf("gross %d bps %d: commission %d, want %d", gross, cbps, s.Commission.Amount, want)
		}
		if want := min(halfUp(gross, fbps), gross-s.Commission.Amount); s.Fee.Amount != want {
			t.Fatalf("gross %d bps %d: fee %d, want %d", gross, fbps, s.Fee.Amount, want)
		}
	}
}

func TestSplitOverridePrecedence(t *testing.T) {
	p := testPolicy()
	p.Overrides = append(p.Overrides, Override{CategoryPrefix: "book", StorefrontCommissionBPS: 1, FederationFeeBPS: 1})
	tests := []struct {
		category  string
		cbps, fbp int64
	}{
		{"electronics/phones", 1000, 150},
		{"books/fiction", 500, 50},
		{"books/rare/incunabula", 2000, 0},
		{"books/rare", 500, 50}, // "books/rare/" needs the separator
		{"bookshelves", 1, 1},
		{"", 1000, 150},
	}
	for _, tt := range tests {
		s, err := p.Split(Money{Amount: 100000, Currency: "EUR"}, tt.category)
		if err != nil {
			t.Fatal(err)
		}
		if s.CommissionBPS != tt.cbps || s.FeeBPS != tt.fbp {
			t.Errorf("category %q: rates %d/%d, want %d/%d", tt.category, s.CommissionBPS, s.FeeBPS, tt.cbps, tt.fbp)
		}
	}
	// The order of overrides does not matter: longest prefix wins.
	p.Overrides[0], p.Overrides[1] = p.Overrides[1], p.Overrides[0]
	if c, _ := p.Rates("books/rare/x"); c != 2000 {
		t.Errorf("reordered overrides: commission %d, want 2000", c)
	}
}

func TestSplitErrorsAndNoTreasury(t *testing.T) {
	p := testPolicy()
	if _, err := p.Split(Money{Amount: 1, Currency: "USD"}, ""); !errors.Is(err, ErrCurrency) || !errors.Is(err, ErrInvalid) {
		t.Errorf("currency mismatch: %v", err)
	}
	if _, err := p.Split(Money{Amount: -1, Currency: "EUR"}, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative gross: %v", err)
	}
	p.Treasury = ""
	s, err := p.Split(Money{Amount: 10000, Currency: "EUR"}, "")
	if err != nil || s.Fee.Amount != 0 || s.Merchant.Amount != 9000 {
		t.Errorf("no treasury: %+v, %v; want fee 0, merchant 9000", s, err)
	}
}

func TestPolicyJSON(t *testing.T) {
	p := testPolicy()
	if b, _ := json.Marshal(p); strings.Contains(string(b), "loyalty") {
		t.Errorf("a policy without loyalty encodes it: %s", b)
	}
	p.Loyalty = Loyalty{PointValue: 2, Funder: FunderSplit, FunderHomeBPS: 2500}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"period":"24h0m0s"`) || !strings.Contains(string(b), `"category_prefix":"books/"`) {
		t.Errorf("Marshal = %s", b)
	}
	var q Policy
	if err := json.Unmarshal(b, &q); err != nil {
		t.Fatal(err)
	}
	if q.Period != p.Period || q.Overrides[1] != p.Overrides[1] || q.Treasury != p.Treasury || q.Loyalty != p.Loyalty {
		t.Errorf("round trip: %+v, want %+v", q, p)
	}
	for _, bad := range []string{`{"version":1,"colour":"red","period":"1h"}`, `{"version":1,"period":"soon"}`} {
		if err := json.Unmarshal([]byte(bad), &q); !errors.Is(err, ErrInvalid) {
			t.Errorf("Unmarshal(%s) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestReversedAtAddsUpExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		p := testPolicy()
		p.StorefrontCommissionBPS = rng.Int64N(5001)
		p.FederationFeeBPS = rng.Int64N(5001)
		gross := rng.Int64N(100000)
		if i%10 == 0 {
			gross = rng.Int64N(1_000_000_000_000_000)
		}
		sale, err := p.Split(Money{Amount: gross, Currency: "EUR"}, "x")
		if err != nil {
			t.Fatal(err)
		}
		var cum int64
		var total Split
		prev := sale.reversedAt(0)
		for cum < gross {
			cum = min(gross, cum+1+rng.Int64N(gross/3+1))
			cur := sale.reversedAt(cum)
			d := cur.minus(prev)
			if d.Commission.Amount < 0 || d.Fee.Amount < 0 || d.Merchant.Amount < 0 ||
				d.Commission.Amount+d.Fee.Amount+d.Merchant.Amount != d.Gross.Amount {
				t.Fatalf("gross %d step to %d: piece %+v", gross, cum, d)
			}
			total.Commission.Amount += d.Commission.Amount
			total.Fee.Amount += d.Fee.Amount
			total.Merchant.Amount += d.Merchant.Amount
			prev = cur
		}
		if total.Commission.Amount != sale.Commission.Amount || total.Fee.Amount != sale.Fee.Amount || total.Merchant.Amount != sale.Merchant.Amount {
			t.Fatalf("gross %d: pieces add to %+v, sale %+v", gross, total, sale)
		}
	}
}
