package storefront

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
)

// Records are the merchants' measured records: what this storefront saw
// of the parts it placed with each, from the homes' signed statuses it
// holds (shipped within the handling time, cancelled by the merchant,
// issues answered and resolved); *order.Service satisfies it. They are
// shown beside the shoppers' stars and labelled apart from them.
type Records interface {
	MerchantRecord(ctx context.Context, platform, merchant string) (order.MerchantRecord, error)
}

// recordView is a merchant's measured record as a page says it: one
// sentence, or that there are not enough orders yet.
type recordView struct {
	Enough bool
	// Text is "Measured from 12 orders through this storefront: 96 %
	// shipped within handling time · 1 % cancelled by the merchant ·
	// issues answered in 5 h on average".
	Text string
}

// recordOf is the measured record of a merchant for r's page, nil when
// the storefront keeps none or it cannot be read (a record is an aside:
// the page shows without it).
func (sf *Storefront) recordOf(r *http.Request, platform, merchant string) *recordView {
	if sf.deps.Records == nil {
		return nil
	}
	rec, err := sf.deps.Records.MerchantRecord(r.Context(), platform, merchant)
	if err != nil {
		return nil
	}
	if !rec.Enough {
		return &recordView{}
	}
	t := func(id string, args ...any) string { return sf.site.T(r, id, args...) }
	pct := func(f float64) string { return t("record.percent", "N", strconv.Itoa(int(f*100+0.5))) }
	var facts []string
	if rec.Due > 0 {
		facts = append(facts, t("record.shipped", "Percent", pct(rec.OnTimeShare)))
	}
	facts = append(facts, t("record.cancelled", "Percent", pct(rec.CancelRate)))
	switch {
	case rec.Issues == 0:
		facts = append(facts, t("record.no_issues"))
	case rec.Answered == 0:
		facts = append(facts, t("record.unanswered"))
	default:
		facts = append(facts, t("record.answered", "Duration", waitText(t, rec.ResponseAverage)),
			t("record.resolved", "Percent", pct(rec.ResolutionRate)))
	}
	return &recordView{Enough: true, Text: t("record.measured", "Count", rec.Orders) + " " + strings.Join(facts, " · ")}
}

// waitText says a wait in whole minutes, hours or days, rounded.
func waitText(t func(string, ...any) string, seconds int64) string {
	switch {
	case seconds < 3600:
		return t("record.minutes", "N", strconv.FormatInt(max((seconds+30)/60, 1), 10))
	case seconds < 48*3600:
		return t("record.hours", "N", strconv.FormatInt((seconds+1800)/3600, 10))
	}
	return t("record.days", "N", strconv.FormatInt((seconds+43200)/86400, 10))
}
