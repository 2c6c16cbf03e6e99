package dashboard

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
	"github.com/fedmart/fedmart/settlement"
)

func TestSettlementIndexListsPeriodsNewestFirst(t *testing.T) {
	h := newHarness(t)
	h.WithSettlement(t)
	r := h.operator().Get("/operator/settlement")
	webtest.WantStatus(t, r, http.StatusOK)
	open := strings.Index(r.Body, `<tr data-period="`+webtest.OpenPeriod+`" data-status="open">`)
	closed := strings.Index(r.Body, `<tr data-period="`+webtest.ClosedPeriod+`" data-status="agreed">`)
	if open < 0 || closed < 0 || open > closed {
		t.Errorf("periods not listed newest first (open at %d, closed at %d)", open, closed)
	}
	for _, want := range []string{
		`<a href="/operator/settlement/` + webtest.ClosedPeriod + `">` + webtest.ClosedPeriod + `</a>`,
		`<span class="badge agreed">Agreed</span>`, `<span class="badge open">Open</span>`,
		`data-events="/operator/events?settlement=1"`, "/static/operator.js?v=", "/static/dashboard.css?v=",
		`<a href="/operator/settlement" aria-current="page">All periods (2)</a>`,
		`<a href="/operator/settlement?show=unsettled">Not settled (0)</a>`, "Periods 1–2 of 2, newest first.",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("settlement page lacks %s", want)
		}
	}
}

func TestSettlementPeriodPage(t *testing.T) {
	h := newHarness(t)
	h.WithSettlement(t)
	b := h.operator()
	r := b.Get("/operator/settlement/" + webtest.ClosedPeriod)
	webtest.WantStatus(t, r, http.StatusOK)
	self, other := h.Self.ID.String(), h.Other.ID.String()
	for _, want := range []string{
		"Settlement period Feb 28, 2026, 12:00 AM UTC",
		`<section id="period-live" data-period="` + webtest.ClosedPeriod + `" data-status="agreed"`,
		`<article class="statement" data-peer="` + other + `" id="with-` + other + `">`, "With Beta Bazaar",
		`<span class="badge disputed">Disputed</span>`, "<dt>Entries</dt><dd>3</dd>", "<dd>1 of 2</dd>",
		`<code title="` + strings.Repeat("d1", 32) + `">` + web.ShortID(strings.Repeat("d1", 32)) + `</code>`,
		`<tr><th scope="row">Merchant shares of sales</th><td data-label="Payer">Beta Bazaar</td><td data-label="Payee">Alpha Market</td><td class="num" data-label="Entries">2</td><td class="num" data-label="Amount">€42.50</td></tr>`,
		`<tr><th scope="row">Federation fees</th><td data-label="Payer">Beta Bazaar</td><td data-label="Payee">Alpha Market</td><td class="num" data-label="Entries">1</td><td class="num" data-label="Amount">€0.75</td></tr>`,
		web.ShortID(strings.Repeat("e7", 32)) + `</code>: Missing there: this node holds this entry, the counterparty does not.`,
		`<svg id="netting-chart" class="netting-chart chart-wide"`, `<svg id="netting-chart-narrow" class="netting-chart chart-narrow"`, `<table class="netting stack">`,
		`<tr data-peer="` + self + `" class="owed">`, `<tr data-peer="` + other + `" class="owes">`,
		`<td class="num" data-label="Net">&#43;€43.25</td>`, `<td class="num" data-label="Net">-€43.25</td>`,
		`<strong>Beta Bazaar</strong> pays <strong>Alpha Market</strong> €43.25`,
		"Alpha Market is owed €43.25; Beta Bazaar owes €43.25.",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("period page lacks %s", want)
		}
	}
	// Alpha is owed: its bar starts at the zero line and goes right; Beta's
	// ends there. On a phone, the zero line is in the middle and the
	// bars may take half the width each.
	barRE := regexp.MustCompile(`<rect class="bar (owed|owes)" x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"`)
	bars := barRE.FindAllStringSubmatch(svgOf(t, r.Body, "netting-chart"), -1)
	if len(bars) != 2 || bars[0][1] != "owed" || bars[0][2] != "446.0" || bars[1][1] != "owes" || bars[1][2] != "286.0" || bars[1][3] != "160.0" {
		t.Errorf("netting bars = %v", bars)
	}
	bars = barRE.FindAllStringSubmatch(svgOf(t, r.Body, "netting-chart-narrow"), -1)
	if len(bars) != 2 || bars[0][2] != "180.0" || bars[0][3] != "172.0" || bars[1][2] != "8.0" || bars[1][3] != "172.0" {
		t.Errorf("narrow netting bars = %v", bars)
	}

	open := b.Get("/operator/settlement/" + webtest.OpenPeriod)
	webtest.WantStatus(t, open, http.StatusOK)
	if !strings.Contains(open.Body, "This period is open until Mar 2, 2026, 12:00 AM UTC") || strings.Contains(open.Body, `id="netting-chart"`) {
		t.Error("the open period does not say it is open, or shows a netting")
	}
	if !strings.Contains(open.Body, "No entries with Beta Bazaar in this period.") {
		t.Error("the open period does not show its statement")
	}

	// Closed but not agreed: no netting yet, and the page says why.
	h.Settlement.SetStatus(webtest.ClosedPeriod, "reconciling")
	h.Settlement.ForgetNetting(webtest.ClosedPeriod)
	r = b.Get("/operator/settlement/" + webtest.ClosedPeriod)
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "once every pair of members has agreed") {
		t.Error("no word on the missing netting")
	}

	for _, path := range []string{"/operator/settlement/2020-01-01T00:00:00Z", "/operator/settlement/nonsense", "/operator/settlement/%3Cscript%3E"} {
		webtest.WantStatus(t, b.Get(path), http.StatusNotFound)
	}
	h.Settlement.SetErr(errors.New("disk on fire"))
	webtest.WantStatus(t, b.Get("/operator/settlement/"+webtest.ClosedPeriod), http.StatusInternalServerError)
	webtest.WantStatus(t, b.Get("/operator/settlement"), http.StatusInternalServerError)
}

// nextSettlement reads the stream's next "settlement" event.
func nextSettlement(t *testing.T, lines <-chan string) settlementEvent {
	t.Helper()
	for nextLine(t, lines) != "event: settlement" {
	}
	data, ok := strings.CutPrefix(nextLine(t, lines), "data: ")
	if !ok {
		t.Fatal("the settlement event has no data line")
	}
	var ev settlementEvent
	if err := json.Unmarshal([]byte(data), &ev); err != nil {
		t.Fatalf("settlement data %q: %v", data, err)
	}
	return ev
}

// dataVersion is the version a settlement page was rendered with.
func dataVersion(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`data-version="([0-9a-f]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page has no data-version:\n%s", body)
	}
	return m[1]
}

func TestSettlementEventOnStatusChange(t *testing.T) {
	h := newHarness(t)
	h.WithSettlement(t)
	b := h.operator()
	page := b.Get("/operator/settlement")
	lines := openEvents(t, h, b, "/operator/events?settlement=1")
	ev := nextSettlement(t, lines)
	if len(ev.Periods) != 2 || ev.Periods[0].Period != webtest.OpenPeriod || ev.Periods[1].Status != "agreed" ||
		ev.Periods[1].URL != "/operator/settlement/"+webtest.ClosedPeriod {
		t.Fatalf("settlement event = %+v", ev)
	}
	if ev.Version != dataVersion(t, page.Body) {
		t.Errorf("the event's version %s is not the page's %s, though nothing changed", ev.Version, dataVersion(t, page.Body))
	}
	h.Settlement.SetStatus(webtest.OpenPeriod, string(settlement.StatusReconciling))
	ev = nextSettlement(t, lines)
	if ev.Periods[0].Status != "reconciling" || ev.Periods[0].StatusText != "Reconciling" {
		t.Errorf("after the change the settlement event = %+v", ev)
	}
	if now := b.Get("/operator/settlement"); dataVersion(t, now.Body) != ev.Version || ev.Version == dataVersion(t, page.Body) {
		t.Errorf("after the change: event version %s, page now %s, before %s", ev.Version, dataVersion(t, now.Body), dataVersion(t, page.Body))
	}
}

// A period's page follows its own period: its statements' changes (what
// a statement waits for) change the version it is sent, as the page
// renders it.
func TestSettlementEventFollowsOnePeriod(t *testing.T) {
	h := newHarness(t)
	h.WithSettlement(t)
	b := h.operator()
	page := b.Get("/operator/settlement/" + webtest.ClosedPeriod)
	if !strings.Contains(page.Body, `data-events="/operator/events?period=`+url.QueryEscape(webtest.ClosedPeriod)+`&amp;settlement=1"`) {
		t.Fatalf("the period page does not follow its period:\n%s", page.Body)
	}
	lines := openEvents(t, h, b, "/operator/events?settlement=1&period="+url.QueryEscape(webtest.ClosedPeriod))
	ev := nextSettlement(t, lines)
	if len(ev.Periods) != 1 || ev.Periods[0].Period != webtest.ClosedPeriod || ev.Version != dataVersion(t, page.Body) {
		t.Fatalf("settlement event = %+v, page version %s", ev, dataVersion(t, page.Body))
	}
	sts, _ := h.Settlement.Statements(t.Context(), webtest.ClosedPeriod)
	sts[0].Status, sts[0].Waiting = settlement.StatusReconciling, "waiting for Beta Bazaar's entries up to 00:00:00 UTC"
	h.Settlement.SetStatements(webtest.ClosedPeriod, sts...)
	ev = nextSettlement(t, lines)
	if now := b.Get("/operator/settlement/" + webtest.ClosedPeriod); ev.Version != dataVersion(t, now.Body) || ev.Version == dataVersion(t, page.Body) {
		t.Errorf("after the change: event version %s, page now %s, before %s", ev.Version, dataVersion(t, now.Body), dataVersion(t, page.Body))
	}
}

func TestHostileMemberNameIsEscaped(t *testing.T) {
	h := newHarness(t)
	hostile := `<script>alert(1)</script>`
	h.Fed.Edit(func(charter **federation.SignedCharter, states *[]federation.MemberState) {
		(*charter).Charter.Members[1].Name = hostile
		(*states)[0].Name = hostile
	})
	h.WithSettlement(t)
	n, _ := h.Settlement.NettingReport(t.Context(), webtest.ClosedPeriod)
	n.Positions[1].Name = hostile
	h.Settlement.SetNetting(n)
	p, _ := amendment(t, h)
	p.Charter.Charter.Members[2].Name = `"><img src=x onerror=alert(2)>`
	h.amend.add(p)
	b := h.operator()
	for _, path := range []string{"/operator", "/operator/charter", "/operator/settlement/" + webtest.ClosedPeriod} {
		r := b.Get(path)
		webtest.WantStatus(t, r, http.StatusOK)
		for _, bad := range []string{"<script>alert", "<img src=x"} {
			if strings.Contains(r.Body, bad) {
				t.Errorf("%s holds %q unescaped", path, bad)
			}
		}
		if !strings.Contains(r.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the name escaped", path)
		}
	}
	r := b.Get("/operator/settlement/" + webtest.ClosedPeriod)
	for _, want := range []string{
		`<text class="name" x="164.0" y="`,                                   // the chart label
		`<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>&lt;script&gt;`, // its tooltip and clipped text
		`<th scope="row">&lt;script&gt;alert(1)&lt;/script&gt;</th>`,         // the netting table
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("period page lacks %s", want)
		}
	}
}

func TestDashboardPagesNeedSignIn(t *testing.T) {
	h := newHarness(t)
	h.WithSettlement(t)
	for _, path := range []string{"/operator/orders", "/operator/orders?range=1h", "/operator/settlement",
		"/operator/settlement/" + webtest.ClosedPeriod, "/operator/settlement/unknown"} {
		r := h.browser().Get(path)
		if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/operator/signin" {
			t.Errorf("%s: %d %s", path, r.Code, r.Header.Get("Location"))
		}
	}
	r := h.browser().Get("/merchant/earnings")
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/merchant/signin" {
		t.Errorf("/merchant/earnings: %d %s", r.Code, r.Header.Get("Location"))
	}
	// A valid CSRF token of a visitor who is not signed in is no operator.
	b := h.browser()
	for _, path := range []string{"/operator/charter/proposals", "/operator/charter/proposals/" + strings.Repeat("a", 64) + "/sign"} {
		r := b.Submit("/operator/signin", path, map[string][]string{"charter": {"{}"}})
		if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/operator/signin" {
			t.Errorf("POST %s: %d %s", path, r.Code, r.Header.Get("Location"))
		}
	}
	if proposed, signed := h.amend.calls(); len(proposed)+len(signed) != 0 {
		t.Error("a visitor reached the federation")
	}
}

func TestNettingDownloadsAsCSV(t *testing.T) {
	h := newHarness(t)
	h.WithSettlement(t)
	n, _ := h.Settlement.NettingReport(t.Context(), webtest.ClosedPeriod)
	n.Positions[1].Name = "=HYPERLINK(\"http://evil.example\")"
	h.Settlement.SetNetting(n)
	b := h.operator()
	if r := b.Get("/operator/settlement/" + webtest.ClosedPeriod); !strings.Contains(r.Body, `href="/operator/settlement/`+webtest.ClosedPeriod+`/netting.csv"`) {
		t.Error("the period page does not link its CSV")
	}
	r := b.Get("/operator/settlement/" + webtest.ClosedPeriod + "/netting.csv")
	webtest.WantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	self, other := h.Self.ID.String(), h.Other.ID.String()
	want := "row,member,member_peer_id,pays_to,pays_to_peer_id,amount,currency\n" +
		"position,Alpha Market," + self + ",,,43.25,EUR\n" +
		"position,\"'=HYPERLINK(\"\"http://evil.example\"\")\"," + other + ",,,-43.25,EUR\n" +
		"transfer,Beta Bazaar," + other + ",Alpha Market," + self + ",43.25,EUR\n"
	if r.Body != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", r.Body, want)
	}
	webtest.WantStatus(t, b.Get("/operator/settlement/"+webtest.OpenPeriod+"/netting.csv"), http.StatusConflict)
	webtest.WantStatus(t, h.browser().Get("/operator/settlement/"+webtest.ClosedPeriod+"/netting.csv"), http.StatusSeeOther)
}
