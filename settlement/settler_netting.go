package settlement

import (
	"context"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Netting gathers the agreed statements of every pair of members for
// period (its own, and each other member's through the StatementSource),
// checks what each member answered (checkAnswer) and both signatures of
// each statement, and nets them. A pair that is not agreed yet makes the
// netting incomplete (ErrNotAgreed).
func (s *Settler) Netting(ctx context.Context, period string) ([]Position, []Transfer, error) {
	r, err := s.d.Federation.Roster()
	if err != nil {
		return nil, nil, err
	}
	var all []Statement
	var members []string
	active := map[string]bool{}
	for _, m := range r.Members {
		members = append(members, m.PeerID)
		active[m.PeerID] = true
	}
	for _, m := range members {
		list, err := s.statementsOf(ctx, period, m)
		if err != nil {
			return nil, nil, err
		}
		for i := range list {
			if err := checkAnswer(&list[i], period, m, active); err != nil {
				return nil, nil, err
			}
		}
		all = append(all, list...)
	}
	p, err := ParsePeriod(period, r.Length)
	if err != nil {
		return nil, nil, err
	}
	began, err := s.geneses(ctx, members)
	if err != nil {
		return nil, nil, err
	}
	if err := everyPair(all, members, p, began); err != nil {
		return nil, nil, err
	}
	obligations, err := ObligationsFromStatements(all)
	if err != nil {
		return nil, nil, err
	}
	return Net(members, obligations)
}

// statementsOf are member's statements of period: this node's own, or
// fetched from the member.
func (s *Settler) statementsOf(ctx context.Context, period, member string) ([]Statement, error) {
	if member == s.self {
		return s.Statements(ctx, period)
	}
	list, err := s.d.Statements.Statements(ctx, member, period)
	if err != nil {
		return nil, fmt.Errorf("%w: statements of %s: %v", ErrNotAgreed, member, err)
	}
	return list, nil
}

// checkAnswer holds a statement member sent for period to what netting
// may use: a statement of that period, to which member is a party with
// another active member, agreed and signed by both (checkAgreed). A member
// cannot pass off another period's statement, or another pair's.
func checkAnswer(st *Statement, period, member string, active map[string]bool) error {
	switch {
	case st.Period != period:
		return fmt.Errorf("%w: %s answered a statement of period %s for %s", ErrInvalid, member, st.Period, period)
	case st.Parties[0] != member && st.Parties[1] != member:
		return fmt.Errorf("%w: %s answered a statement between %v, to which it is no party", ErrInvalid, member, st.Parties)
	case !active[st.Parties[0]] || !active[st.Parties[1]]:
		return fmt.Errorf("%w: %s answered a statement with a non-member %v", ErrInvalid, member, st.Parties)
	}
	return checkAgreed(st)
}

// geneses is a time in each member's first period: this node's own, and
// each other member's as its hellos said (zero while none did).
func (s *Settler) geneses(ctx context.Context, members []string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	for _, m := range members {
		if m == s.self {
			g, err := s.d.Ledger.genesis()
			if err != nil {
				return nil, err
			}
			out[m] = g
			continue
		}
		pair, err := s.d.Ledger.Pair(ctx, m)
		if err != nil {
			return nil, err
		}
		out[m] = pair.Genesis
	}
	return out, nil
}

// everyPair checks that every pair of members that settles period p has
// an agreed statement of it among all. A pair settles every period from
// the earlier of its two members' first ones (Ledger.Start), so a period
// that ended before both began, as began says, needs none: should either
// hold entries of it, its statement is in that member's answer, checked
// like any other. A pair with a member whose start this node does not
// know yet needs one. A member that claims a later start than its own
// hides no entry this way: an honest counterparty settles from its own
// start too, and answers every statement it holds.
func everyPair(all []Statement, members []string, p Period, began map[string]time.Time) error {
	have := map[[2]string]bool{}
	for _, st := range all {
		have[st.Parties] = true
	}
	for i, a := range members {
		for _, b := range members[i+1:] {
			ga, gb := began[a], began[b]
			if !ga.IsZero() && !gb.IsZero() && !p.End.After(earlier(ga, gb)) {
				continue
			}
			if !have[[2]string{min(a, b), max(a, b)}] {
				return fmt.Errorf("%w: no agreed statement of %s between %s and %s yet", ErrNotAgreed, p.Name, a, b)
			}
		}
	}
	return nil
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// checkAgreed verifies an agreed statement's two signatures with its
// parties' keys.
func checkAgreed(st *Statement) error {
	if st.Status != StatusAgreed {
		return fmt.Errorf("%w: statement %s between %v is %s", ErrNotAgreed, st.Period, st.Parties, st.Status)
	}
	var keys [2]peer.ID
	for i, p := range st.Parties {
		id, err := peer.Decode(p)
		if err != nil {
			return fmt.Errorf("%w: statement party %q: %v", ErrInvalid, p, err)
		}
		keys[i] = id
	}
	ka, err := keys[0].ExtractPublicKey()
	if err != nil {
		return fmt.Errorf("%w: statement party %s: %v", ErrInvalid, keys[0], err)
	}
	kb, err := keys[1].ExtractPublicKey()
	if err != nil {
		return fmt.Errorf("%w: statement party %s: %v", ErrInvalid, keys[1], err)
	}
	return st.Agree(ka, kb)
}

// NettingReport is the netting of period with members' names.
func (s *Settler) NettingReport(ctx context.Context, period string) (Netting, error) {
	pos, tr, err := s.Netting(ctx, period)
	if err != nil {
		return Netting{}, err
	}
	names := map[string]string{}
	if r, err := s.d.Federation.Roster(); err == nil {
		for _, m := range r.Members {
			names[m.PeerID] = m.Name
		}
	}
	out := Netting{Period: period, Positions: []NamedPosition{}, Transfers: []Transfer{}}
	for _, p := range pos {
		out.Positions = append(out.Positions, NamedPosition{PeerID: p.Member, Name: names[p.Member], Net: p.Net})
	}
	out.Transfers = append(out.Transfers, tr...)
	return out, nil
}
