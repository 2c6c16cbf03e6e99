package settlement

import (
	"context"
	"fmt"
	"time"
)

// Periods lists every period since the first any pair of this node
// settles, each with the status of its statements taken together: open
// while it runs, then reconciling, agreed (every pair) or disputed (any
// pair).
func (s *Settler) Periods(ctx context.Context) ([]PeriodStatus, error) {
	r, err := s.d.Federation.Roster()
	if err != nil {
		return nil, err
	}
	periods, err := s.d.Ledger.Periods(ctx, r.Length)
	if err != nil {
		return nil, err
	}
	out := []PeriodStatus{}
	for _, p := range periods {
		sts, err := s.Statements(ctx, p.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, PeriodStatus{Period: p.Name, Start: p.Start, End: p.End, Status: string(overall(sts))})
	}
	return out, nil
}

// overall is the status of a period's statements taken together.
func overall(sts []Statement) Status {
	agreed := true
	for _, s := range sts {
		switch s.Status {
		case StatusDisputed:
			return StatusDisputed
		case StatusOpen:
			return StatusOpen
		}
		agreed = agreed && s.Status == StatusAgreed
	}
	if agreed {
		return StatusAgreed
	}
	return StatusReconciling
}

// Statements returns this node's statement of period with every other
// active member, but for an empty one of a period that ended before
// either of the two began (see Ledger.Start: the pair does not settle
// it); an unsettled one of an ended period is reconciling and says what
// it waits for (Statement.Waiting).
func (s *Settler) Statements(ctx context.Context, period string) ([]Statement, error) {
	r, err := s.d.Federation.Roster()
	if err != nil {
		return nil, err
	}
	p, err := ParsePeriod(period, r.Length)
	if err != nil {
		return nil, err
	}
	out := []Statement{}
	for _, m := range r.Members {
		if m.PeerID == s.self {
			continue
		}
		st, err := s.d.Ledger.Statement(ctx, period, m.PeerID)
		if err != nil {
			return nil, err
		}
		start, err := s.d.Ledger.Start(ctx, m.PeerID)
		if err != nil {
			return nil, err
		}
		if st.Status == StatusOpen && st.Count == 0 && !p.End.After(start) {
			continue // before either of the two began, and nothing in it: not theirs to settle
		}
		if st.Status == StatusOpen && !p.End.After(s.d.Now()) {
			pair, err := s.d.Ledger.Pair(ctx, m.PeerID)
			if err != nil {
				return nil, err
			}
			st.Status, st.Waiting = StatusReconciling, waiting(pair, p, m)
		}
		out = append(out, st)
	}
	return out, nil
}

// waiting says what the statement of period p with member m waits for.
func waiting(pair Pair, p Period, m Member) string {
	name := m.Name
	if name == "" {
		name = shortID(pair.Counterparty)
	}
	end := p.End.UTC().Format("15:04:05 UTC")
	var note string
	switch {
	case pair.Theirs.Before(p.End):
		note = fmt.Sprintf("waiting for %s's entries up to %s", name, end)
	case pair.Ours.Before(p.End):
		note = fmt.Sprintf("waiting for this node's statuses to reach %s (up to %s)", name, end)
	default:
		note = "comparing entries with " + name
	}
	if !m.Reachable {
		since := "ever"
		if !m.LastSeen.IsZero() {
			since = "since " + m.LastSeen.UTC().Format("15:04:05 UTC")
		}
		note += fmt.Sprintf("; %s unreachable %s", name, since)
	}
	return note
}

func shortID(id string) string {
	if len(id) > 8 {
		return "…" + id[len(id)-8:]
	}
	return id
}

// ClosePeriod asks for a period that has ended to be settled now; a
// period still running is ErrPeriodOpen. Settling needs nobody's
// permission: every ended period is settled by itself.
func (s *Settler) ClosePeriod(_ context.Context, period string) error {
	r, err := s.d.Federation.Roster()
	if err != nil {
		return err
	}
	p, err := ParsePeriod(period, r.Length)
	if err != nil {
		return err
	}
	if s.d.Now().Before(p.End) {
		return fmt.Errorf("%w: period %s runs until %s", ErrPeriodOpen, period, p.End.Format(time.RFC3339))
	}
	s.Nudge()
	return nil
}

// Earnings is what merchant earned through other storefronts in period.
func (s *Settler) Earnings(ctx context.Context, merchant, period string) (Earnings, error) {
	return s.d.Ledger.MerchantEarnings(ctx, merchant, period)
}
