package webtest

import (
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/settlement"
)

// Two settlement periods of the tests, a day each.
const (
	ClosedPeriod = "2026-02-28T00:00:00Z"
	OpenPeriod   = "2026-03-01T00:00:00Z"
)

// PeriodStatus is the period named start, a day long.
func PeriodStatus(t *testing.T, start, status string) settlement.PeriodStatus {
	t.Helper()
	s, err := time.Parse(time.RFC3339, start)
	if err != nil {
		t.Fatal(err)
	}
	return settlement.PeriodStatus{Period: start, Start: s, End: s.Add(24 * time.Hour), Status: status}
}

// WithSettlement gives the harness a closed, agreed period with a
// statement (Beta owes Alpha merchant shares, one entry disputed) and its
// netting, and an open period after it.
func (h *Harness) WithSettlement(t *testing.T) {
	t.Helper()
	self, other := h.Self.ID.String(), h.Other.ID.String()
	h.Settlement.SetPeriods(PeriodStatus(t, ClosedPeriod, "agreed"), PeriodStatus(t, OpenPeriod, "open"))
	eur := func(a int64) settlement.Money { return settlement.Money{Amount: a, Currency: "EUR"} }
	h.Settlement.SetStatements(ClosedPeriod, settlement.Statement{Period: ClosedPeriod, Parties: [2]string{min(self, other), max(self, other)},
		Currency: "EUR", Count: 3, Digest: strings.Repeat("d1", 32), Status: settlement.StatusDisputed,
		Totals: []settlement.Total{
			{Kind: settlement.EntryFee, From: other, To: self, Amount: eur(75), Count: 1},
			{Kind: settlement.EntrySale, From: other, To: self, Amount: eur(4250), Count: 2},
		},
		Disputes:   []settlement.Dispute{{EntryID: strings.Repeat("e7", 32), Reason: settlement.DisputeMissingThere}},
		Signatures: []settlement.Signature{{PublicKey: []byte("k1"), Signature: []byte("s1")}}})
	h.Settlement.SetStatements(OpenPeriod, settlement.Statement{Period: OpenPeriod, Parties: [2]string{min(self, other), max(self, other)},
		Status: settlement.StatusOpen, Digest: strings.Repeat("0f", 32)})
	h.Settlement.SetNetting(settlement.Netting{Period: ClosedPeriod,
		Positions: []settlement.NamedPosition{{PeerID: self, Name: "Alpha Market", Net: eur(4325)}, {PeerID: other, Name: "Beta Bazaar", Net: eur(-4325)}},
		Transfers: []settlement.Transfer{{From: other, To: self, Amount: eur(4325)}}})
}
