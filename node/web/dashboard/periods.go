package dashboard

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/settlement"
)

// The settlement index lists every period since the node's first, empty
// ones too, so it grows by one period per period length (one a minute in
// the demo): it is shown newest first, periodsPageSize at a time, and can
// be narrowed to the periods not settled, the ones an operator has to
// look at. Pages follow a cursor, the period a page continues after
// (?before=), so that a link to older periods keeps showing the same
// periods while new ones are added at the top.
//
// Each page view carries a version, a digest of everything it shows. The
// dashboard's event stream computes the same view for the same query and
// sends its version; a page whose version differs fetches itself again.

// periodsPageSize is how many periods one page of the index shows.
const periodsPageSize = 20

// showUnsettled is the filter value of the periods not settled.
const showUnsettled = "unsettled"

// settlementQuery is what the index's URL asks for.
type settlementQuery struct {
	// Show is "" for every period, showUnsettled for those reconciling or
	// disputed; anything else counts as "".
	Show string
	// Before is the period the page continues after, "" for the newest.
	Before string
}

// settlementQueryOf reads the index's query parameters.
func settlementQueryOf(q url.Values) settlementQuery {
	sq := settlementQuery{Before: q.Get("before")}
	if q.Get("show") == showUnsettled {
		sq.Show = showUnsettled
	}
	return sq
}

// url is the index page of sq.
func (sq settlementQuery) url() string {
	q := url.Values{}
	if sq.Show != "" {
		q.Set("show", sq.Show)
	}
	if sq.Before != "" {
		q.Set("before", sq.Before)
	}
	if len(q) == 0 {
		return "/operator/settlement"
	}
	return "/operator/settlement?" + q.Encode()
}

// events is the event stream that follows the index page of sq.
func (sq settlementQuery) events() string {
	q := url.Values{"settlement": {"1"}}
	if sq.Show != "" {
		q.Set("show", sq.Show)
	}
	if sq.Before != "" {
		q.Set("before", sq.Before)
	}
	return "/operator/events?" + q.Encode()
}

// settlementIndex is what the settlement index template shows.
type settlementIndex struct {
	Periods []web.PeriodRow
	// Filters are "All periods" and "Not settled", with their counts.
	Filters []rangeLink
	// Unsettled is true when only the periods not settled are shown.
	Unsettled bool
	// First and Last number the periods shown among Total (1-based).
	First, Last, Total int
	// NewestURL and OlderURL page through the list; "" when there is no
	// such page.
	NewestURL, OlderURL string
	// URL is this page; Events is the event stream that follows it;
	// Version is the digest of what it shows.
	URL, Events, Version string
	NoCharter            bool
	Interval             int // seconds between live updates
}

// unsettled reports whether a period has ended and is not settled.
func unsettled(ps settlement.PeriodStatus) bool {
	return ps.Status == string(settlement.StatusReconciling) || ps.Status == string(settlement.StatusDisputed)
}

// settlementIndexOf builds the index page sq asks for from every period,
// its times in loc.
// A cursor naming no period (a stale or mistyped link) shows the newest
// page.
func settlementIndexOf(list []settlement.PeriodStatus, sq settlementQuery, loc *time.Location) settlementIndex {
	all := web.NewestFirst(list)
	shown := all
	if sq.Show == showUnsettled {
		shown = slices.DeleteFunc(slices.Clone(all), func(ps settlement.PeriodStatus) bool { return !unsettled(ps) })
	}
	v := settlementIndex{Unsettled: sq.Show == showUnsettled, Total: len(shown), URL: sq.url(), Events: sq.events(),
		Filters: []rangeLink{
			{Label: countLabel("All periods", len(all)), Href: settlementQuery{}.url(), Current: sq.Show == ""},
			{Label: countLabel("Not settled", len(shown)), Href: settlementQuery{Show: showUnsettled}.url(), Current: sq.Show != ""},
		}}
	if sq.Show == "" {
		v.Filters[1].Label = countLabel("Not settled", countFunc(all, unsettled))
	}
	start := 0
	if i := slices.IndexFunc(all, func(ps settlement.PeriodStatus) bool { return ps.Period == sq.Before }); i >= 0 {
		// Every period older than the cursor's, whatever became of the
		// cursor's own status since.
		cursor := all[i]
		start = len(shown) - countFunc(shown, func(ps settlement.PeriodStatus) bool { return ps.Start.Before(cursor.Start) })
		v.NewestURL = settlementQuery{Show: sq.Show}.url()
	}
	page := shown[start:min(start+periodsPageSize, len(shown))]
	for _, ps := range page {
		v.Periods = append(v.Periods, web.PeriodRowIn(ps, loc))
	}
	if len(page) > 0 {
		v.First, v.Last = start+1, start+len(page)
		if v.Last < len(shown) {
			v.OlderURL = settlementQuery{Show: sq.Show, Before: page[len(page)-1].Period}.url()
		}
	}
	v.Version = versionOf(struct {
		Periods             []web.PeriodRow
		Filters             []rangeLink
		First, Last, Total  int
		NewestURL, OlderURL string
	}{v.Periods, v.Filters, v.First, v.Last, v.Total, v.NewestURL, v.OlderURL})
	return v
}

// countLabel is a filter's label with its count: "Not settled (3)".
func countLabel(label string, n int) string { return label + " (" + strconv.Itoa(n) + ")" }

// countFunc counts the periods f holds for.
func countFunc(list []settlement.PeriodStatus, f func(settlement.PeriodStatus) bool) int {
	n := 0
	for _, ps := range list {
		if f(ps) {
			n++
		}
	}
	return n
}

// versionOf is a short digest of v's JSON, which changes whenever
// anything v shows does.
func versionOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil { // views of strings, ints and bools: cannot happen
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
