package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/node/web/webtest"
	"github.com/fedmart/fedmart/settlement"
)

func TestEarningsPage(t *testing.T) {
	h := newHarness(t)
	h.WithSettlement(t)
	eur := func(a int64) settlement.Money { return settlement.Money{Amount: a, Currency: "EUR"} }
	h.Settlement.SetEarnings(h.Merchant.ID, settlement.Earnings{Merchant: h.Merchant.ID, Period: webtest.ClosedPeriod,
		Sales: eur(5000), Refunds: eur(1250), Net: eur(3750), Entries: 3})
	h.Settlement.SetEarnings("someone-else", settlement.Earnings{Merchant: "someone-else", Period: webtest.OpenPeriod,
		Sales: eur(999999), Net: eur(999999), Entries: 9})
	b := h.browser()
	b.SignInMerchant(h.Token)
	r := b.Get("/merchant/earnings")
	webtest.WantStatus(t, r, http.StatusOK)
	open := strings.Index(r.Body, `<tr data-period="`+webtest.OpenPeriod+`">`)
	closed := strings.Index(r.Body, `<tr data-period="`+webtest.ClosedPeriod+`">`)
	if open < 0 || closed < 0 || open > closed {
		t.Fatalf("periods not listed newest first (open at %d, closed at %d)", open, closed)
	}
	openRow, closedRow := r.Body[open:closed], r.Body[closed:]
	for _, want := range []string{`<span class="badge agreed">Agreed</span>`, `<td class="num" data-label="Sales">€50.00</td>`,
		`<td class="num" data-label="Refunds">€12.50</td>`, `<td class="num" data-label="Net"><strong>€37.50</strong></td>`, `<td class="num" data-label="Entries">3</td>`} {
		if !strings.Contains(closedRow, want) {
			t.Errorf("the closed period's row lacks %s", want)
		}
	}
	for _, want := range []string{`<span class="badge open">Open</span>`, `<td class="num" data-label="Sales">€0.00</td>`,
		`<td class="num" data-label="Net"><strong>€0.00</strong></td>`, `<td class="num" data-label="Entries">0</td>`} {
		if !strings.Contains(openRow, want) {
			t.Errorf("the open period's row lacks %s", want)
		}
	}
	if strings.Contains(r.Body, "9999.99") {
		t.Error("another merchant's earnings are shown")
	}
	if !strings.Contains(r.Body, `<a href="/merchant/earnings" aria-current="page">Earnings</a>`) {
		t.Error("the navigation does not mark Earnings")
	}

	h.Settlement.SetErr(errors.New("disk on fire"))
	webtest.WantStatus(t, b.Get("/merchant/earnings"), http.StatusInternalServerError)
}

func TestEarningsPages(t *testing.T) {
	h := newHarness(t)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var list []settlement.PeriodStatus
	for i := range earningsPageSize + 3 {
		list = append(list, webtest.PeriodStatus(t, start.Add(time.Duration(i)*24*time.Hour).Format(time.RFC3339), "agreed"))
	}
	h.Settlement.SetPeriods(list...)
	b := h.browser()
	b.SignInMerchant(h.Token)
	first := b.Get("/merchant/earnings")
	if n := strings.Count(first.Body, "<tr data-period="); n != earningsPageSize {
		t.Fatalf("first page has %d periods", n)
	}
	oldestShown := list[3].Period
	if !strings.Contains(first.Body, `href="/merchant/earnings?before=`+url.QueryEscape(oldestShown)+`"`) {
		t.Fatalf("no link to older periods:\n%s", first.Body)
	}
	older := b.Get("/merchant/earnings?before=" + oldestShown)
	if n := strings.Count(older.Body, "<tr data-period="); n != 3 || !strings.Contains(older.Body, `href="/merchant/earnings">Newest periods`) {
		t.Errorf("second page has %d periods", n)
	}
	if n := strings.Count(b.Get("/merchant/earnings?before=bogus").Body, "<tr data-period="); n != earningsPageSize {
		t.Errorf("an unknown before shows %d periods", n)
	}
}
