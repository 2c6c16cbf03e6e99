package dashboard

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// partsShown lists the parts a page of the orders list shows, in order.
func partsShown(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr data-part="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// ordersFixture places three orders on Alpha a day apart: the first of
// Beta's pan and Alpha's mug, the second of the mug, the third of the
// pan, whose part Beta refunds.
type ordersFixture struct {
	pan, mug             catalog.Listing
	first, second, third []string // part ids, by home: Beta's first
}

func newOrdersFixture(t *testing.T, h *harness) ordersFixture {
	t.Helper()
	var f ordersFixture
	f.pan = h.ListOther(webtest.Input("Cast-iron pan", "Ferro", "Home > Kitchen", 4900, 20))
	f.mug = h.List(webtest.Input("Stoneware mug", "Cups", "Home > Kitchen", 1200, 20))
	o1 := buy(t, h, 1, f.pan, f.mug)
	for _, p := range o1.Parts {
		if p.Platform == h.Other.ID.String() {
			f.first = append([]string{p.ID}, f.first...)
		} else {
			f.first = append(f.first, p.ID)
		}
	}
	h.Clock.Advance(24 * time.Hour)
	f.second = []string{buy(t, h, 2, f.mug).Parts[0].ID}
	h.Clock.Advance(24 * time.Hour)
	o3 := buy(t, h, 3, f.pan)
	f.third = []string{o3.Parts[0].ID}
	merchant := o3.Parts[0].Merchant
	if _, err := h.Other.Orders.Refund(context.Background(), merchant, f.third[0]); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, h, f.third[0], "refunded")
	return f
}

func TestOrdersListFiltersAndSums(t *testing.T) {
	h := newHarness(t)
	f := newOrdersFixture(t, h) // on 2026-03-01, -02 and -03, 12:00 UTC
	b := h.operator()
	beta, alpha := h.Other.ID.String(), h.Self.ID.String()
	newest := append(append(slices.Clone(f.third), f.second...), sortDesc(f.first)...)

	r := b.Get("/operator/orders")
	webtest.WantStatus(t, r, http.StatusOK)
	if got := partsShown(r.Body); !slices.Equal(got, newest) {
		t.Fatalf("the list shows %v, want %v", got, newest)
	}
	body := webtest.UnescapeHTML(r.Body)
	for _, want := range []string{`id="stat-orders">3</span>`, `<span class="stat-note">4 parts</span>`,
		`id="stat-sales">€232.00</span>`, `id="stat-refunds">€147.00</span>`, `id="stat-net">€85.00</span>`,
		"Cast-iron pan <span class=\"muted\">(3 units)</span>", "refunded €147.00", "Beta Seller", "Alpha Goods & Co",
		`<span class="badge part-refunded">Refunded</span>`, `<time datetime="2026-03-03T12:00:00Z">Mar 3, 2026, 12:00 PM UTC</time>`,
		`href="/operator/orders?status=refunded">Refunded <span class="count">1</span>`,
		`<a href="/operator/orders.csv" download id="orders-csv">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the list lacks %s", want)
		}
	}

	for _, c := range []struct {
		query string
		want  []string
	}{
		{"status=refunded", f.third},
		{"status=accepted", newest[1:]},
		{"member=" + beta, append(slices.Clone(f.third), f.first[0])},
		{"member=" + beta + "&role=home", append(slices.Clone(f.third), f.first[0])},
		{"member=" + beta + "&role=storefront", nil},
		{"member=" + alpha + "&role=home", append(slices.Clone(f.second), f.first[1])},
		{"merchant=" + h.Merchant.ID, append(slices.Clone(f.second), f.first[1])},
		{"from=2026-03-02", append(slices.Clone(f.third), f.second...)},
		{"until=2026-03-02", append(slices.Clone(f.second), sortDesc(f.first)...)},
		{"from=2026-03-02&until=2026-03-02", f.second},
		{"from=2026-03-02T13:00", f.third},
	} {
		r := b.Get("/operator/orders?" + c.query)
		webtest.WantStatus(t, r, http.StatusOK)
		if got := partsShown(r.Body); !slices.Equal(got, c.want) {
			t.Errorf("?%s shows %v, want %v", c.query, got, c.want)
		}
	}
	if r := b.Get("/operator/orders?status=refunded"); !strings.Contains(r.Body, `id="stat-sales">€147.00</span>`) {
		t.Error("the figures are not those of the filtered list")
	}
	if r := b.Get("/operator/orders?member=" + beta + "&role=storefront"); !strings.Contains(r.Body, "No orders match these filters.") {
		t.Error("an empty filtered list says nothing")
	}

	for _, c := range []struct{ query, field, want string }{
		{"from=yesterday", "from", "Enter the first day as a date, such as 2026-03-01."},
		{"until=2026-13-01", "until", "Enter the last day as a date, such as 2026-03-31."},
		{"from=2026-03-03&until=2026-03-01", "until", "The last day must not come before the first."},
		{"member=12D3KooWnobody", "member", "This is not a member of the federation."},
		{"status=lost", "status", "Choose a status from the list."},
		{"role=buyer", "role", "Choose whether the member sold the part or is its merchant&#39;s home."},
	} {
		r := b.Get("/operator/orders?" + c.query)
		webtest.WantStatus(t, r, http.StatusBadRequest)
		webtest.HasFieldError(t, r.Body, c.field, c.want)
		if len(partsShown(r.Body)) != 0 {
			t.Errorf("?%s lists parts", c.query)
		}
	}
	if r := b.Get("/operator/orders?after=garbage"); r.Code != http.StatusBadRequest || !strings.Contains(r.Body, "start again from the newest orders") {
		t.Errorf("a bad cursor: %d", r.Code)
	}
}

// sortDesc sorts part ids as the list does within one order.
func sortDesc(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

func TestOrdersListPages(t *testing.T) {
	h := newHarness(t)
	f := newOrdersFixture(t, h)
	was := ordersPageSize
	ordersPageSize = 1
	t.Cleanup(func() { ordersPageSize = was })
	b := h.operator()
	want := append(append(slices.Clone(f.third), f.second...), sortDesc(f.first)...)
	var got []string
	next := "/operator/orders?from=2026-03-01"
	for i := 0; next != "" && i < 10; i++ {
		r := b.Get(next)
		webtest.WantStatus(t, r, http.StatusOK)
		got = append(got, partsShown(r.Body)...)
		m := regexp.MustCompile(`<a href="([^"]+)" rel="next">Older orders</a>`).FindStringSubmatch(r.Body)
		next = ""
		if m != nil {
			next = webtest.UnescapeHTML(m[1])
			if !strings.Contains(next, "from=2026-03-01") {
				t.Errorf("the next page %s drops the filter", next)
			}
		}
		if i > 0 && !strings.Contains(r.Body, ">Newest orders</a>") {
			t.Error("a later page has no link back to the newest")
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged through %v, want %v", got, want)
	}
}

// The CSV holds every part the filter matches, and a cell a spreadsheet
// would run as a formula (a merchant's name or a title from another
// operator) starts with a quote mark.
func TestOrdersCSVQuotesFormulas(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	m, _, err := h.Other.Cat.CreateMerchant(ctx, "=HYPERLINK(\"http://evil.example\",\"Click\")")
	if err != nil {
		t.Fatal(err)
	}
	evil, err := h.Other.Cat.CreateListing(ctx, m.ID, webtest.Input("@SUM(A1:A9)", "Evil", "Home", 1000, 5))
	if err != nil {
		t.Fatal(err)
	}
	h.Replicate()
	mug := h.List(webtest.Input("+cmd|' /C calc'!A0", "Cups", "Home", 1250, 5))
	buy(t, h, 2, evil, mug)
	b := h.operator()
	r := b.Get("/operator/orders.csv?member=" + url.QueryEscape(h.Other.ID.String()))
	webtest.WantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.HasPrefix(r.Header.Get("Content-Disposition"), `attachment; filename="orders-`) {
		t.Errorf("headers %v", r.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !slices.Equal(rows[0], ordersCSVHeader) {
		t.Fatalf("CSV of Beta's parts = %q", rows)
	}
	row := map[string]string{}
	for i, k := range rows[0] {
		row[k] = rows[1][i]
	}
	for k, want := range map[string]string{"merchant": `'=HYPERLINK("http://evil.example","Click")`, "items": "'@SUM(A1:A9)",
		"home": "Beta Bazaar", "storefront": "Alpha Market", "total": "20.00", "currency": "EUR", "units": "2", "status": "accepted",
		"placed_at": "2026-03-01T12:00:00Z", "placed": "Mar 1, 2026, 12:00 PM UTC", "merchant_id": m.ID} {
		if row[k] != want {
			t.Errorf("%s = %q, want %q", k, row[k], want)
		}
	}
	all, err := csv.NewReader(strings.NewReader(b.Get("/operator/orders.csv").Body)).ReadAll()
	if err != nil || len(all) != 3 {
		t.Fatalf("the whole CSV = %q, %v", all, err)
	}
	for _, rec := range all[1:] {
		if strings.HasPrefix(rec[11], "+") || strings.HasPrefix(rec[11], "@") {
			t.Errorf("a formula left as it is: %q", rec[11])
		}
	}
	webtest.WantStatus(t, b.Get("/operator/orders.csv?from=soon"), http.StatusBadRequest)
	webtest.WantRedirect(t, h.browser().Get("/operator/orders.csv"), "/operator/signin")
}
