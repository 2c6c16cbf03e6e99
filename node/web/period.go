package web

import (
	"cmp"
	"net/url"
	"slices"
	"time"

	"github.com/fedmart/fedmart/settlement"
)

// PeriodRow is one settlement period as the settlement pages and the
// "settlement" event show it: every field is text, ready to show.
type PeriodRow struct {
	Period     string `json:"period"`
	URL        string `json:"url"`
	Start      string `json:"start"`     // "2026-03-01 00:00 UTC", in the pages' zone
	End        string `json:"end"`       // the first instant after it
	StartISO   string `json:"start_iso"` // RFC 3339
	EndISO     string `json:"end_iso"`
	Status     string `json:"status"`      // open, reconciling, agreed, disputed
	StatusText string `json:"status_text"` // "Open", "Reconciling", ...
}

// settlementStatuses names a period's or a statement's status.
var settlementStatuses = map[string]string{
	string(settlement.StatusOpen):        "Open",
	string(settlement.StatusReconciling): "Reconciling",
	string(settlement.StatusAgreed):      "Agreed",
	string(settlement.StatusDisputed):    "Disputed",
}

// SettlementStatusText names a status; an unknown one is shown as it is.
func SettlementStatusText(status string) string {
	if t, ok := settlementStatuses[status]; ok {
		return t
	}
	return status
}

// PeriodRowOf formats one period in UTC.
func PeriodRowOf(ps settlement.PeriodStatus) PeriodRow { return PeriodRowIn(ps, time.UTC) }

// PeriodRow formats one period in the pages' time zone.
func (s *Site) PeriodRow(ps settlement.PeriodStatus) PeriodRow { return PeriodRowIn(ps, s.Zone()) }

// PeriodRowIn formats one period in loc.
func PeriodRowIn(ps settlement.PeriodStatus, loc *time.Location) PeriodRow {
	return PeriodRow{Period: ps.Period, URL: PeriodURL(ps.Period),
		Start: FormatTime(ps.Start, loc), End: FormatTime(ps.End, loc),
		StartISO: ISO(ps.Start), EndISO: ISO(ps.End),
		Status: ps.Status, StatusText: SettlementStatusText(ps.Status)}
}

// PeriodURL is the operator dashboard's page of one period.
func PeriodURL(period string) string { return "/operator/settlement/" + url.PathEscape(period) }

// NewestFirst sorts periods by start, the latest first.
func NewestFirst(list []settlement.PeriodStatus) []settlement.PeriodStatus {
	list = slices.Clone(list)
	slices.SortStableFunc(list, func(a, b settlement.PeriodStatus) int {
		return cmp.Or(b.Start.Compare(a.Start), cmp.Compare(b.Period, a.Period))
	})
	return list
}
