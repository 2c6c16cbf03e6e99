package console

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// rowsOf lists the listing ids of a listings page's rows, in order.
func rowsOf(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr data-listing="([^"]+)" data-stock="([a-z]+)">`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// stocksOf lists the stock states of a listings page's rows.
func stocksOf(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr data-listing="[^"]+" data-stock="([a-z]+)">`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// pagerOf is the numbered pager of a page.
func pagerOf(body string) string {
	return regexp.MustCompile(`(?s)<nav class="pager numbered".*?</nav>`).FindString(body)
}

// shop lists 60 mugs (stock 0 to 9 in turn), two skillets and a lid of
// the merchant, and a skillet of another merchant of the node.
func shop(h *harness) map[string]catalog.Listing {
	h.T.Helper()
	out := map[string]catalog.Listing{}
	for i := range 60 {
		// SKUs of their own, so that no mug's SKU holds "28" whatever
		// other tests listed before.
		in := webtest.Input(fmt.Sprintf("Enamel mug %02d", i), "Clay", "Home > Kitchen", 900, int64(i%10))
		in.Variants[0].SKU = fmt.Sprintf("MUG-%c%c", 'A'+i/26, 'A'+i%26)
		h.List(in)
	}
	for _, l := range []struct {
		title, sku string
		stock      int64
	}{{"Carbon steel skillet", "PAN-28", 12}, {"Cast iron skillet", "PAN-CI-32", 2}, {"Skillet lid", "LID-28", 0}} {
		in := webtest.Input(l.title, "Ferro", "Home > Kitchen > Cookware", 4990, l.stock)
		in.Variants[0].SKU = l.sku
		out[l.title] = h.List(in)
	}
	other, _, err := h.Self.Cat.CreateMerchant(h.T.Context(), "Other shop")
	if err != nil {
		h.T.Fatal(err)
	}
	if _, err := h.Self.Cat.CreateListing(h.T.Context(), other.ID, webtest.Input("Their skillet", "Ferro", "Home", 4990, 3)); err != nil {
		h.T.Fatal(err)
	}
	return out
}

func TestListingsNumberedPages(t *testing.T) {
	h := newHarness(t)
	shop(h)
	b := h.browser()
	b.SignInMerchant(h.Token)
	first := b.Get("/merchant")
	webtest.WantStatus(t, first, http.StatusOK)
	pager := pagerOf(first.Body)
	for _, want := range []string{`aria-label="Pages of listings"`, `<a href="/merchant" aria-current="page"><span class="visually-hidden">Page </span>1</a>`,
		`<a href="/merchant?page=2"><span class="visually-hidden">Page </span>2</a>`, `<a href="/merchant?page=3">`,
		`<a href="/merchant?page=2" rel="next" class="step">Next`} {
		if !strings.Contains(pager, want) {
			t.Errorf("the first page's pager lacks %s:\n%s", want, pager)
		}
	}
	if strings.Contains(pager, `rel="prev"`) || !strings.Contains(first.Body, "1–25 of 63 listings") || len(rowsOf(first.Body)) != 25 {
		t.Errorf("the first page: %d rows, pager\n%s", len(rowsOf(first.Body)), pager)
	}
	// Every listing once, over the three pages.
	var seen []string
	for page := 1; page <= 3; page++ {
		r := b.Get(fmt.Sprintf("/merchant?page=%d", page))
		webtest.WantStatus(t, r, http.StatusOK)
		seen = append(seen, rowsOf(r.Body)...)
		if page == 3 {
			p := pagerOf(r.Body)
			if !strings.Contains(r.Body, "51–63 of 63 listings") || !strings.Contains(p, `<a href="/merchant?page=2" rel="prev"`) || strings.Contains(p, `rel="next"`) {
				t.Errorf("the last page:\n%s", p)
			}
		}
	}
	slices.Sort(seen)
	if len(slices.Compact(seen)) != 63 {
		t.Errorf("the pages show %d listings, want the 63 of the merchant once each", len(seen))
	}
	// A page past the last shows the last; a page that is no number, the first.
	webtest.WantRedirect(t, b.Get("/merchant?page=9"), "/merchant?page=3")
	webtest.WantStatus(t, b.Get("/merchant?page=x"), http.StatusOK)
}

func TestListingsFilters(t *testing.T) {
	h := newHarness(t)
	ls := shop(h)
	b := h.browser()
	b.SignInMerchant(h.Token)
	cases := []struct {
		query string
		want  []string // titles, or the count of rows
		count int
		shown string
	}{
		{"q=skillet", []string{"Carbon steel skillet", "Cast iron skillet", "Skillet lid"}, 3, "1–3 of 3 listings match"},
		{"q=IRON+skillet", []string{"Cast iron skillet"}, 1, "1–1 of 1 listings match"},
		{"q=pan-ci", []string{"Cast iron skillet"}, 1, ""},
		{"sku=28", []string{"Carbon steel skillet", "Skillet lid"}, 2, ""},
		{"q=skillet&stock=low", []string{"Cast iron skillet"}, 1, ""},
		{"q=skillet&stock=out", []string{"Skillet lid"}, 1, ""},
		{"q=mug&stock=out", nil, 6, "1–6 of 6 listings match"},
		{"q=mug&stock=in", nil, 24, ""},
		{"stock=low", nil, 31, "1–25 of 31 listings match"}, // 30 mugs at 1..5, the cast iron skillet
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			r := b.Get("/merchant?" + c.query)
			webtest.WantStatus(t, r, http.StatusOK)
			rows := rowsOf(r.Body)
			if len(rows) != min(c.count, consolePageSize) {
				t.Fatalf("%d rows, want %d", len(rows), c.count)
			}
			for _, title := range c.want {
				if !slices.Contains(rows, ls[title].ID) {
					t.Errorf("%s is not among the rows", title)
				}
			}
			v, _ := url.ParseQuery(c.query)
			if st := v.Get("stock"); st != "" {
				for _, got := range stocksOf(r.Body) {
					if got != st {
						t.Errorf("a row of stock %q among %q", got, st)
					}
				}
			}
			if c.shown != "" && !strings.Contains(r.Body, c.shown) {
				t.Errorf("the page does not say %q", c.shown)
			}
			if !strings.Contains(r.Body, `<a href="/merchant">Clear filters</a>`) {
				t.Error("no way to clear the filters")
			}
		})
	}
	// The form shows the filter; the pager and the stock forms keep it.
	r := b.Get("/merchant?q=mug&stock=low&page=2")
	for _, want := range []string{`id="filter-q" type="search" name="q" value="mug"`, `<option value="low" selected>`,
		`<a href="/merchant?q=mug&amp;stock=low" rel="prev"`, `<input type="hidden" name="q" value="mug">`,
		`<input type="hidden" name="page" value="2">`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the filtered second page lacks %s", want)
		}
	}
	id := rowsOf(r.Body)[0]
	l, _ := h.Self.Cat.Listing(t.Context(), id)
	set := b.Post("/merchant/listings/"+id+"/stock", url.Values{"csrf": {webtest.CSRF(t, r)}, "variant": {l.Variants[0].SKU},
		"units": {"3"}, "q": {"mug"}, "stock": {"low"}, "page": {"2"}})
	webtest.WantRedirect(t, set, "/merchant?done=stock&page=2&q=mug&stock=low")
	if got, _ := h.Self.Cat.Listing(t.Context(), id); got.Variants[0].Stock != 3 {
		t.Errorf("the stock form set %d units, want 3", got.Variants[0].Stock)
	}
	// Nothing matches: said so, with the way back.
	none := b.Get("/merchant?q=wok")
	if !strings.Contains(none.Body, "No listing matches these filters.") || len(rowsOf(none.Body)) != 0 {
		t.Error("a filter matching nothing does not say so")
	}
	// An unknown stock state is no filter; another merchant's skillet
	// never shows.
	all := b.Get("/merchant?q=skillet&stock=plenty")
	if len(rowsOf(all.Body)) != 3 || strings.Contains(all.Body, "Their skillet") {
		t.Errorf("q=skillet with an unknown stock state: %d rows", len(rowsOf(all.Body)))
	}
}
