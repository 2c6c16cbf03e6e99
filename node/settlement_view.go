package node

import (
	"context"
	"fmt"
	"time"

	"github.com/fedmart/fedmart/node/api"
	"github.com/fedmart/fedmart/settlement"
)

// settlementView serves the settlement API from the ledger and the charter.
type settlementView struct{ n *Node }

func (v settlementView) length() (time.Duration, error) {
	sc, err := v.n.fed.Charter()
	if err != nil {
		return 0, err
	}
	return time.Duration(sc.Charter.Period), nil
}

// Periods lists every period since the node's first, each with the status
// of its statements taken together: open while it runs, then reconciling,
// agreed (every pair) or disputed (any pair).
func (v settlementView) Periods(ctx context.Context) ([]api.SettlementPeriod, error) {
	length, err := v.length()
	if err != nil {
		return nil, err
	}
	periods, err := v.n.ledger.Periods(ctx, length)
	if err != nil {
		return nil, err
	}
	out := []api.SettlementPeriod{}
	for _, p := range periods {
		sts, err := v.Statements(ctx, p.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, api.SettlementPeriod{Period: p.Name, Start: p.Start, End: p.End, Status: string(overall(sts))})
	}
	return out, nil
}

func overall(sts []settlement.Statement) settlement.Status {
	agreed := true
	for _, s := range sts {
		switch s.Status {
		case settlement.StatusDisputed:
			return settlement.StatusDisputed
		case settlement.StatusOpen:
			return settlement.StatusOpen
		}
		agreed = agreed && s.Status == settlement.StatusAgreed
	}
	if agreed {
		return settlement.StatusAgreed
	}
	return settlement.StatusReconciling
}

// Statements returns this node's statement with every other active
// member, an unsettled one of an ended period saying what it waits for.
func (v settlementView) Statements(ctx context.Context, period string) ([]settlement.Statement, error) {
	sc, err := v.n.fed.Charter()
	if err != nil {
		return nil, err
	}
	p, err := settlement.ParsePeriod(period, time.Duration(sc.Charter.Period))
	if err != nil {
		return nil, err
	}
	states := map[string]memberState{}
	for _, m := range v.n.fed.Members() {
		states[m.PeerID.String()] = memberState{name: m.Name, reachable: m.Reachable, lastSeen: m.LastSeen}
	}
	out := []settlement.Statement{}
	for _, m := range sc.Charter.ActiveMembers() {
		if m.PeerID == v.n.fed.Self().String() {
			continue
		}
		st, err := v.n.ledger.Statement(ctx, period, m.PeerID)
		if err != nil {
			return nil, err
		}
		if st.Status == settlement.StatusOpen && !p.End.After(v.n.now()) {
			pair, err := v.n.ledger.Pair(ctx, m.PeerID)
			if err != nil {
				return nil, err
			}
			st.Status, st.Waiting = settlement.StatusReconciling, waiting(pair, p, states[m.PeerID])
		}
		out = append(out, st)
	}
	return out, nil
}

// memberState is what the waiting note says of a member.
type memberState struct {
	name      string
	reachable bool
	lastSeen  time.Time
}

// waiting says what the statement of period p with a member waits for.
func waiting(pair settlement.Pair, p settlement.Period, m memberState) string {
	name := m.name
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
	if !m.reachable {
		since := "ever"
		if !m.lastSeen.IsZero() {
			since = "since " + m.lastSeen.UTC().Format("15:04:05 UTC")
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
// period still running is refused. Settling itself needs nobody's
// permission: every ended period is settled by itself.
func (v settlementView) ClosePeriod(_ context.Context, period string) error {
	length, err := v.length()
	if err != nil {
		return err
	}
	p, err := settlement.ParsePeriod(period, length)
	if err != nil {
		return err
	}
	if v.n.now().Before(p.End) {
		return fmt.Errorf("%w: period %s runs until %s", settlement.ErrPeriodOpen, period, p.End.Format(time.RFC3339))
	}
	v.n.settle.nudge()
	return nil
}

// Earnings is what merchant earned through other storefronts in period.
func (v settlementView) Earnings(ctx context.Context, merchant, period string) (settlement.Earnings, error) {
	return v.n.ledger.MerchantEarnings(ctx, merchant, period)
}

// Settlement exposes the settlement view the API serves to in-process
// tools (demo).
func (n *Node) Settlement() api.Settlement { return settlementView{n} }
