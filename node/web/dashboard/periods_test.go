package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
	"github.com/fedmart/fedmart/settlement"
)

// minutePeriods makes n one-minute periods, oldest first, the last one
// open: every 7th reconciling, every 11th disputed, the rest agreed.
func minutePeriods(n int) []settlement.PeriodStatus {
	first := time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC)
	out := make([]settlement.PeriodStatus, n)
	for i := range out {
		start := first.Add(time.Duration(i) * time.Minute)
		status := settlement.StatusAgreed
		switch {
		case i == n-1:
			status = settlement.StatusOpen
		case i%11 == 0:
			status = settlement.StatusDisputed
		case i%7 == 0:
			status = settlement.StatusReconciling
		}
		out[i] = settlement.PeriodStatus{Period: start.Format(time.RFC3339), Start: start, End: start.Add(time.Minute), Status: string(status)}
	}
	return out
}

// names lists the periods of a page.
func names(rows []web.PeriodRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Period
	}
	return out
}

// newestNames names list's periods newest first, those keep holds for.
func newestNames(list []settlement.PeriodStatus, keep func(settlement.PeriodStatus) bool) []string {
	var out []string
	for _, ps := range slices.Backward(list) {
		if keep(ps) {
			out = append(out, ps.Period)
		}
	}
	return out
}

func TestSettlementIndexPages(t *testing.T) {
	list := minutePeriods(250)
	all := newestNames(list, func(settlement.PeriodStatus) bool { return true })
	open := newestNames(list, unsettled)
	if len(open) != 55 {
		t.Fatalf("test data: %d periods not settled", len(open))
	}
	cases := []struct {
		name            string
		q               settlementQuery
		want            []string
		first, total    int
		newest, older   string
		allN, unsettled string
	}{
		{"newest page", settlementQuery{}, all[:20], 1, 250, "", "/operator/settlement?before=" + url.QueryEscape(all[19]), "All periods (250)", "Not settled (55)"},
		{"second page", settlementQuery{Before: all[19]}, all[20:40], 21, 250, "/operator/settlement", "/operator/settlement?before=" + url.QueryEscape(all[39]), "", ""},
		{"last page", settlementQuery{Before: all[239]}, all[240:], 241, 250, "/operator/settlement", "", "", ""},
		{"past the oldest", settlementQuery{Before: all[249]}, nil, 0, 250, "/operator/settlement", "", "", ""},
		{"stale cursor", settlementQuery{Before: "2020-01-01T00:00:00Z"}, all[:20], 1, 250, "", "/operator/settlement?before=" + url.QueryEscape(all[19]), "", ""},
		{"not settled", settlementQuery{Show: showUnsettled}, open[:20], 1, 55, "", "/operator/settlement?before=" + url.QueryEscape(open[19]) + "&show=unsettled", "All periods (250)", "Not settled (55)"},
		{"not settled, last page", settlementQuery{Show: showUnsettled, Before: open[39]}, open[40:], 41, 55, "/operator/settlement?show=unsettled", "", "", ""},
		// The cursor is a time: a settled period continues the unsettled list
		// after it, as an unsettled one would.
		{"not settled, after an agreed period", settlementQuery{Show: showUnsettled, Before: all[1]}, open[:20], 1, 55, "/operator/settlement?show=unsettled", "/operator/settlement?before=" + url.QueryEscape(open[19]) + "&show=unsettled", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := settlementIndexOf(list, c.q, time.UTC)
			if !slices.Equal(names(v.Periods), c.want) {
				t.Errorf("periods %v\nwant %v", names(v.Periods), c.want)
			}
			if len(c.want) > 0 && (v.First != c.first || v.Last != c.first+len(c.want)-1) || v.Total != c.total {
				t.Errorf("periods %d–%d of %d, want %d–%d of %d", v.First, v.Last, v.Total, c.first, c.first+len(c.want)-1, c.total)
			}
			if v.NewestURL != c.newest || v.OlderURL != c.older {
				t.Errorf("pager %q %q, want %q %q", v.NewestURL, v.OlderURL, c.newest, c.older)
			}
			if c.allN != "" && (v.Filters[0].Label != c.allN || v.Filters[1].Label != c.unsettled) {
				t.Errorf("filters %+v", v.Filters)
			}
			if v.Filters[0].Current == v.Filters[1].Current || v.Filters[1].Current != (c.q.Show != "") {
				t.Errorf("current filter %+v", v.Filters)
			}
		})
	}
}

// A link to older periods keeps showing the same periods while new ones
// are added at the top (only its numbers change), and the version a page
// carries changes with anything it shows.
func TestSettlementIndexCursorIsStable(t *testing.T) {
	list := minutePeriods(100)
	first := settlementIndexOf(list, settlementQuery{}, time.UTC)
	older := settlementIndexOf(list, settlementQueryOf(mustQuery(t, first.OlderURL)), time.UTC)
	list = append(list, minutePeriods(101)[100])
	list[99].Status = string(settlement.StatusReconciling)
	later := settlementIndexOf(list, settlementQueryOf(mustQuery(t, first.OlderURL)), time.UTC)
	if !slices.Equal(names(older.Periods), names(later.Periods)) || later.First != older.First+1 {
		t.Errorf("the second page changed when a period was added: %v, then %v", names(older.Periods), names(later.Periods))
	}
	if older.Version == later.Version || later.Filters[0].Label != "All periods (101)" {
		t.Errorf("the second page's counts did not change: %+v", later.Filters)
	}
	if again := settlementIndexOf(list, settlementQueryOf(mustQuery(t, first.OlderURL)), time.UTC); again.Version != later.Version {
		t.Error("the same page has two versions")
	}
	if v := settlementIndexOf(list, settlementQuery{}, time.UTC); v.Version == first.Version || v.Periods[0].Period != list[100].Period {
		t.Error("the newest page did not change with a new period")
	}
}

func mustQuery(t *testing.T, u string) url.Values {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Query()
}

func TestSettlementIndexPageAndFilter(t *testing.T) {
	h := newHarness(t)
	list := minutePeriods(250)
	h.Settlement.SetPeriods(list...)
	b := h.operator()
	r := b.Get("/operator/settlement")
	webtest.WantStatus(t, r, http.StatusOK)
	rows := regexp.MustCompile(`<tr data-period="([^"]+)"`).FindAllStringSubmatch(r.Body, -1)
	if len(rows) != periodsPageSize || rows[0][1] != list[249].Period || rows[19][1] != list[230].Period {
		t.Fatalf("the first page lists %d periods, from %v", len(rows), rows[0])
	}
	for _, want := range []string{"Periods 1–20 of 250, newest first.",
		`<a href="/operator/settlement?before=` + url.QueryEscape(list[230].Period) + `" rel="next">Older periods</a>`,
		`<a href="/operator/settlement?show=unsettled">Not settled (55)</a>`,
		`data-events="/operator/events?settlement=1"`,
		`<td class="status"><span class="badge disputed">Disputed</span></td>`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("settlement page lacks %s", want)
		}
	}
	newer := countFunc(list[231:], unsettled) // the periods not settled before the cursor
	r = b.Get("/operator/settlement?show=unsettled&before=" + url.QueryEscape(list[230].Period))
	webtest.WantStatus(t, r, http.StatusOK)
	for _, m := range regexp.MustCompile(`<tr data-period="[^"]+" data-status="([^"]+)">`).FindAllStringSubmatch(r.Body, -1) {
		if m[1] != "reconciling" && m[1] != "disputed" {
			t.Errorf("the filter shows a period %s", m[1])
		}
	}
	for _, want := range []string{`<a href="/operator/settlement?show=unsettled" aria-current="page">Not settled (55)</a>`,
		`<a href="/operator/settlement?show=unsettled">Newest periods</a>`,
		`data-events="/operator/events?before=` + url.QueryEscape(list[230].Period) + `&amp;settlement=1&amp;show=unsettled"`,
		fmt.Sprintf("Periods not settled %d–%d of 55", newer+1, newer+20)} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the filtered page lacks %s", want)
		}
	}
	// Everything settled: the filter says nothing waits.
	h.Settlement.SetPeriods(list[249])
	if r := b.Get("/operator/settlement?show=unsettled"); !strings.Contains(r.Body, "Every period that has ended is agreed: nothing waits.") {
		t.Error("an empty filter says nothing")
	}
}

// A period's page puts what its unsettled statements wait for first, and
// lists a disputed statement's entries.
func TestPeriodPageSaysWhatItWaitsFor(t *testing.T) {
	h := newHarness(t)
	h.WithSettlement(t)
	h.Settlement.SetStatus(webtest.ClosedPeriod, string(settlement.StatusReconciling))
	sts, _ := h.Settlement.Statements(t.Context(), webtest.ClosedPeriod)
	waiting := sts[0]
	waiting.Status, waiting.Disputes = settlement.StatusReconciling, nil
	waiting.Waiting = "waiting for Beta Bazaar's entries up to 00:00:00 UTC; Beta Bazaar unreachable since 23:59:12 UTC"
	h.Settlement.SetStatements(webtest.ClosedPeriod, waiting)
	b := h.operator()
	other := h.Other.ID.String()
	r := b.Get("/operator/settlement/" + webtest.ClosedPeriod)
	webtest.WantStatus(t, r, http.StatusOK)
	summary := strings.Index(r.Body, `<h2 id="unsettled-title">Not settled yet</h2>`)
	statements := strings.Index(r.Body, "<h2>Statements</h2>")
	if summary < 0 || summary > statements {
		t.Fatalf("no summary of what waits before the statements:\n%s", r.Body)
	}
	for _, want := range []string{
		`<li data-peer="` + other + `"><a href="#with-` + other + `">With Beta Bazaar</a> <span class="badge reconciling">Reconciling</span> <span class="waiting-text">waiting for Beta Bazaar&#39;s entries up to 00:00:00 UTC; Beta Bazaar unreachable since 23:59:12 UTC</span></li>`,
		`<p class="waiting"><strong>Waiting:</strong> waiting for Beta Bazaar&#39;s entries`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("period page lacks %s", want)
		}
	}
	// Disputed: the summary counts the entries, the statement lists them.
	h.WithSettlement(t)
	h.Settlement.SetStatus(webtest.ClosedPeriod, string(settlement.StatusDisputed))
	r = b.Get("/operator/settlement/" + webtest.ClosedPeriod)
	for _, want := range []string{`<span class="waiting-text">1 disputed entry, listed below</span>`, "<h4>Disputed entries (1)</h4>",
		web.ShortID(strings.Repeat("e7", 32)) + "</code>: Missing there"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("disputed period page lacks %s", want)
		}
	}
	// Agreed and open periods have nothing waiting.
	for _, p := range []string{webtest.OpenPeriod} {
		if r := b.Get("/operator/settlement/" + p); strings.Contains(r.Body, "Not settled yet") {
			t.Errorf("%s shows a summary of what waits", p)
		}
	}
}
