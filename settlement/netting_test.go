package settlement

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestNetRandomObligations(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := 0; round < 500; round++ {
		n := 2 + rng.IntN(12)
		members := make([]string, n)
		for i := range members {
			members[i] = fmt.Sprintf("peer%02d", rng.IntN(1000)*100+i) // unique, random order
		}
		var obs []Obligation
		for k := rng.IntN(40); k > 0; k-- {
			from, to := rng.IntN(n), rng.IntN(n)
			if from == to {
				continue
			}
			amt := rng.Int64N(1_000_000)
			if round%50 == 0 {
				amt = rng.Int64N(1 << 50)
			}
			obs = append(obs, Obligation{From: members[from], To: members[to], Amount: Money{Amount: amt, Currency: "EUR"}})
		}
		positions, transfers, err := Net(members, obs)
		if err != nil {
			t.Fatal(err)
		}
		checkNetting(t, members, obs, positions, transfers)
	}
}

// checkNetting verifies the netting invariants against a direct fold.
func checkNetting(t *testing.T, members []string, obs []Obligation, positions []Position, transfers []Transfer) {
	t.Helper()
	want := map[string]int64{}
	for _, o := range obs {
		want[o.To] += o.Amount.Amount
		want[o.From] -= o.Amount.Amount
	}
	var sum int64
	left := map[string]int64{}
	for i, p := range positions {
		if i > 0 && positions[i-1].Member >= p.Member {
			t.Fatalf("positions not sorted by member: %v", positions)
		}
		if p.Net.Amount != want[p.Member] {
			t.Fatalf("%s: position %d, want %d", p.Member, p.Net.Amount, want[p.Member])
		}
		sum += p.Net.Amount
		left[p.Member] = p.Net.Amount
	}
	if sum != 0 || len(positions) != len(members) {
		t.Fatalf("positions sum to %d over %d members", sum, len(positions))
	}
	if len(transfers) > len(members)-1 {
		t.Fatalf("%d transfers for %d members", len(transfers), len(members))
	}
	for _, tr := range transfers {
		if tr.Amount.Amount <= 0 || tr.From == tr.To {
			t.Fatalf("bad transfer %+v", tr)
		}
		left[tr.From] += tr.Amount.Amount
		left[tr.To] -= tr.Amount.Amount
	}
	for m, v := range left {
		if v != 0 {
			t.Fatalf("%s left at %d after the transfers", m, v)
		}
	}
}

func TestNetDeterministicTieBreak(t *testing.T) {
	members := []string{"c", "a", "d", "b"}
	obs := []Obligation{
		{From: "c", To: "a", Amount: Money{Amount: 100, Currency: "EUR"}},
		{From: "d", To: "b", Amount: Money{Amount: 100, Currency: "EUR"}},
	}
	_, transfers, err := Net(members, obs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Transfer{
		{From: "c", To: "a", Amount: Money{Amount: 100, Currency: "EUR"}},
		{From: "d", To: "b", Amount: Money{Amount: 100, Currency: "EUR"}},
	}
	if fmt.Sprint(transfers) != fmt.Sprint(want) {
		t.Errorf("transfers %v, want %v", transfers, want)
	}
	// A chain a->b->c nets to one transfer a->c.
	_, transfers, _ = Net([]string{"a", "b", "c"}, []Obligation{
		{From: "a", To: "b", Amount: Money{Amount: 70, Currency: "EUR"}},
		{From: "b", To: "c", Amount: Money{Amount: 70, Currency: "EUR"}},
	})
	if len(transfers) != 1 || transfers[0].From != "a" || transfers[0].To != "c" {
		t.Errorf("chain: %v", transfers)
	}
}

func TestNetRejects(t *testing.T) {
	eur := func(a int64) Money { return Money{Amount: a, Currency: "EUR"} }
	tests := []struct {
		name    string
		members []string
		obs     []Obligation
		want    error
	}{
		{"currency", []string{"a", "b"}, []Obligation{{"a", "b", eur(1)}, {"b", "a", Money{Amount: 1, Currency: "USD"}}}, ErrCurrency},
		{"non-member", []string{"a", "b"}, []Obligation{{"a", "x", eur(1)}}, ErrInvalid},
		{"self", []string{"a", "b"}, []Obligation{{"a", "a", eur(1)}}, ErrInvalid},
		{"negative", []string{"a", "b"}, []Obligation{{"a", "b", eur(-1)}}, ErrInvalid},
		{"duplicate member", []string{"a", "a"}, nil, ErrInvalid},
		{"overflow", []string{"a", "b", "c"}, []Obligation{{"a", "b", eur(1 << 62)}, {"c", "b", eur(1 << 62)}}, ErrOverflow},
	}
	for _, tt := range tests {
		if _, _, err := Net(tt.members, tt.obs); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	pos, tr, err := Net([]string{"a"}, nil)
	if err != nil || len(pos) != 1 || len(tr) != 0 {
		t.Errorf("single member: %v %v %v", pos, tr, err)
	}
}
