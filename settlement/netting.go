package settlement

import (
	"cmp"
	"fmt"
	"slices"
)

// Obligation is an amount one member owes another.
type Obligation struct {
	// From is the debtor.
	From string `json:"from"`
	// To is the creditor.
	To string `json:"to"`
	// Amount is owed, non-negative.
	Amount Money `json:"amount"`
}

// Position is a member's net position over all obligations: what others
// owe it minus what it owes others. Positive means it is owed money.
type Position struct {
	// Member is the peer ID.
	Member string `json:"member"`
	// Net is receivables minus payables.
	Net Money `json:"net"`
}

// Transfer is one payment instruction that settles net positions.
type Transfer struct {
	// From pays.
	From string `json:"from"`
	// To receives.
	To string `json:"to"`
	// Amount is positive.
	Amount Money `json:"amount"`
}

// Net computes each member's net position from obligations and a set of at
// most len(members)-1 transfers that brings every position to zero.
// Positions come back in member order, sorted by peer ID; they sum to
// exactly zero. Transfers are found greedily: the largest debtor pays the
// largest creditor (ties broken by peer ID), which zeroes at least one of
// them per transfer. Obligations must name members, be non-negative and
// share one currency (ErrCurrency otherwise).
func Net(members []string, obligations []Obligation) ([]Position, []Transfer, error) {
	ms := slices.Sorted(slices.Values(members))
	if len(slices.Compact(slices.Clone(ms))) != len(ms) {
		return nil, nil, fmt.Errorf("%w: netting: duplicate member", ErrInvalid)
	}
	currency, err := nettingCurrency(obligations)
	if err != nil {
		return nil, nil, err
	}
	net := make(map[string]int64, len(ms))
	for _, m := range ms {
		net[m] = 0
	}
	for i, o := range obligations {
		if err := applyObligation(net, i, o); err != nil {
			return nil, nil, err
		}
	}
	positions := make([]Position, len(ms))
	var sum int64
	for i, m := range ms {
		positions[i] = Position{Member: m, Net: Money{Amount: net[m], Currency: currency}}
		sum += net[m]
	}
	if sum != 0 {
		return nil, nil, fmt.Errorf("settlement: netting: positions sum to %d, not zero", sum)
	}
	return positions, settle(positions), nil
}

// nettingCurrency returns the one currency of all obligations.
func nettingCurrency(obligations []Obligation) (string, error) {
	if len(obligations) == 0 {
		return "", nil
	}
	c := obligations[0].Amount.Currency
	for i, o := range obligations {
		if o.Amount.Currency != c {
			return "", fmt.Errorf("%w: obligations[%d] in %q, obligations[0] in %q", ErrCurrency, i, o.Amount.Currency, c)
		}
	}
	return c, nil
}

// applyObligation moves one obligation into the positions, with overflow
// checks.
func applyObligation(net map[string]int64, i int, o Obligation) error {
	_, okFrom := net[o.From]
	_, okTo := net[o.To]
	switch {
	case !okFrom || !okTo:
		return fmt.Errorf("%w: obligations[%d]: %s -> %s names a non-member", ErrInvalid, i, o.From, o.To)
	case o.From == o.To:
		return fmt.Errorf("%w: obligations[%d]: %s owes itself", ErrInvalid, i, o.From)
	case o.Amount.Amount < 0:
		return fmt.Errorf("%w: obligations[%d]: negative amount %s", ErrInvalid, i, o.Amount)
	}
	to, ok1 := addInt64(net[o.To], o.Amount.Amount)
	from, ok2 := addInt64(net[o.From], -o.Amount.Amount)
	if !ok1 || !ok2 {
		return fmt.Errorf("%w: obligations[%d]", ErrOverflow, i)
	}
	net[o.To], net[o.From] = to, from
	return nil
}

// settle matches the largest debtor with the largest creditor until every
// position is zero. Each transfer zeroes at least one of the two, and the
// last one zeroes both, so there are at most len(positions)-1 transfers.
func settle(positions []Position) []Transfer {
	left := slices.Clone(positions)
	var out []Transfer
	for {
		d, c := extreme(left, -1), extreme(left, 1)
		if d < 0 || c < 0 {
			return out
		}
		amt := min(-left[d].Net.Amount, left[c].Net.Amount)
		out = append(out, Transfer{From: left[d].Member, To: left[c].Member,
			Amount: Money{Amount: amt, Currency: left[d].Net.Currency}})
		left[d].Net.Amount += amt
		left[c].Net.Amount -= amt
	}
}

// extreme returns the index of the largest creditor (sign 1) or debtor
// (sign -1), lowest peer ID first among equals, or -1 if there is none.
// positions are sorted by member, so the first maximum is the lowest ID.
func extreme(positions []Position, sign int64) int {
	best := -1
	for i, p := range positions {
		v := sign * p.Net.Amount
		if v > 0 && (best < 0 || cmp.Compare(v, sign*positions[best].Net.Amount) > 0) {
			best = i
		}
	}
	return best
}

// ObligationsFromStatements nets each agreed statement to one obligation,
// for Net. Every statement must be agreed (ErrNotAgreed); the same pair and
// period may appear twice (both parties' copies) only with the same digest
// (ErrConflict otherwise).
func ObligationsFromStatements(statements []Statement) ([]Obligation, error) {
	seen := map[[3]string]string{}
	var out []Obligation
	for i, s := range statements {
		if s.Status != StatusAgreed || len(s.Signatures) < 2 {
			return nil, fmt.Errorf("%w: statements[%d] %s/%v is %s", ErrNotAgreed, i, s.Period, s.Parties, s.Status)
		}
		k := [3]string{s.Period, s.Parties[0], s.Parties[1]}
		if d, dup := seen[k]; dup {
			if d != s.Digest {
				return nil, fmt.Errorf("%w: statements[%d] %s/%v: two agreed digests", ErrConflict, i, s.Period, s.Parties)
			}
			continue
		}
		seen[k] = s.Digest
		o, err := s.Net()
		if err != nil {
			return nil, err
		}
		if o.Amount.Amount > 0 {
			out = append(out, o)
		}
	}
	return out, nil
}
