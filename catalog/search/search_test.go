package search

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// shopDocs is the small known catalog the exact tests count on.
func shopDocs() []Doc {
	h := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }
	return []Doc{
		{ID: "a1", Title: "Cast Iron Pan", Description: "Heavy skillet for searing", Brand: "Acme",
			Category: "Home > Kitchen > Cookware", Platform: "p1", Price: 3500, InStock: true, Updated: h(1)},
		{ID: "a2", Title: "Nonstick Frying Pans Set", Description: "Two pans for everyday cooking", Brand: "Chefly",
			Category: "Home > Kitchen > Cookware", Platform: "p2", Price: 5999, Updated: h(2)},
		{ID: "a3", Title: "Chef Knife", Description: "Sharp knife, pairs well with a pan", Brand: "Acme",
			Category: "Home>Kitchen>Cutlery", Platform: "p1", Price: 8900, InStock: true, Updated: h(3)},
		{ID: "a4", Title: "Cooking Thermometer", Description: "Digital probe", Brand: "Thermo",
			Category: "Home > Kitchen > Gadgets", Platform: "p2", Price: 1500, InStock: true, Updated: h(4)},
		{ID: "a5", Title: "Garden Hose", Description: "Flexible 20m hose", Brand: "GreenCo",
			Category: "Garden > Watering", Platform: "p3", Price: 2999, InStock: true, Updated: h(5)},
		{ID: "a6", Title: "Running Shoes", Description: "Lightweight shoes for running", Brand: "Acme",
			Category: "Sports > Running", Platform: "p3", Price: 12000, Updated: h(6)},
		{ID: "a7", Title: "Espresso Machine", Description: "Makes coffee; not a pan", Brand: "Brewster",
			Category: " Home > Kitchen > Appliances ", Platform: "p1", Price: 45000, InStock: true, Updated: h(7)},
		{ID: "a8", Title: "Kids Bike", Description: "Bike for kids", Category: "Sports",
			Platform: "p2", Price: 800, InStock: true, Updated: h(0)},
	}
}

func ids(items []Doc) []string {
	out := make([]string, len(items))
	for i, d := range items {
		out[i] = d.ID
	}
	return out
}

func mustSearch(t *testing.T, ix *Index, q Query) Result {
	t.Helper()
	res, err := ix.Search(q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return res
}

func TestSearchMatchesAndOrders(t *testing.T) {
	ix := newIndexOf(shopDocs())
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"browse is newest first", Query{}, []string{"a7", "a6", "a5", "a4", "a3", "a2", "a1", "a8"}},
		// a2 matches twice, out of stock: a1, in stock, ranks first.
		{"plural finds singular, title before description", Query{Text: "pans"}, []string{"a1", "a2", "a7", "a3"}},
		{"cooking finds cook", Query{Text: "cooking"}, []string{"a4", "a2"}},
		{"all terms must match", Query{Text: "pan skillet"}, []string{"a1"}},
		{"no doc has both terms", Query{Text: "pan bike"}, nil},
		{"unknown term", Query{Text: "trampoline"}, nil},
		{"only stopwords browse", Query{Text: "the of", Limit: 2}, []string{"a7", "a6"}},
		{"brand is text", Query{Text: "acme", Sort: PriceAsc}, []string{"a1", "a3", "a6"}},
		{"category is text", Query{Text: "watering"}, []string{"a5"}},
		{"case and punctuation", Query{Text: "ESPRESSO, machine!"}, []string{"a7"}},
		{"price ascending", Query{Sort: PriceAsc}, []string{"a8", "a4", "a5", "a1", "a2", "a3", "a6", "a7"}},
		{"price descending", Query{Sort: PriceDesc}, []string{"a7", "a6", "a3", "a2", "a1", "a5", "a4", "a8"}},
		{"newest", Query{Text: "pan", Sort: Newest}, []string{"a7", "a3", "a2", "a1"}},
		{"price range inclusive", Query{MinPrice: 2999, MaxPrice: 8900, Sort: PriceAsc}, []string{"a5", "a1", "a2", "a3"}},
		{"min price only", Query{MinPrice: 12000, Sort: PriceAsc}, []string{"a6", "a7"}},
		{"max price only", Query{MaxPrice: 1500, Sort: PriceAsc}, []string{"a8", "a4"}},
		{"in stock", Query{InStock: true, Sort: PriceAsc}, []string{"a8", "a4", "a5", "a1", "a3", "a7"}},
		{"category prefix", Query{Category: "Home", Sort: PriceAsc}, []string{"a4", "a1", "a2", "a3", "a7"}},
		{"category path normalized", Query{Category: "Home>Kitchen >Cookware"}, []string{"a2", "a1"}},
		{"category matches whole segments", Query{Category: "Hom"}, nil},
		{"category unknown", Query{Category: "Toys"}, nil},
		{"brand OR", Query{Brand: []string{"Thermo", "GreenCo", "Nobody"}}, []string{"a5", "a4"}},
		{"brand and platform", Query{Brand: []string{"Acme"}, Platform: []string{"p1"}}, []string{"a3", "a1"}},
		{"everything", Query{Text: "pan", Category: "Home > Kitchen", Brand: []string{"Acme"}, InStock: true, MaxPrice: 5000}, []string{"a1"}},
		{"limit", Query{Sort: PriceAsc, Limit: 3}, []string{"a8", "a4", "a5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustSearch(t, ix, tt.q)
			if got := ids(res.Items); !slices.Equal(got, tt.want) {
				t.Errorf("items = %v, want %v", got, tt.want)
			}
			if tt.q.Limit == 0 && res.Total != len(tt.want) {
				t.Errorf("Total = %d, want %d", res.Total, len(tt.want))
			}
		})
	}
}

func TestSearchFacets(t *testing.T) {
	ix := newIndexOf(shopDocs())
	allBrands := map[string]int{"Acme": 3, "Chefly": 1, "Thermo": 1, "GreenCo": 1, "Brewster": 1}
	topCats := map[string]int{"Home": 5, "Garden": 1, "Sports": 2}
	tests := []struct {
		name                      string
		q                         Query
		total                     int
		category, brand, platform map[string]int
		price                     []int
		inStock                   int
	}{
		{
			name: "browse", q: Query{}, total: 8,
			category: topCats, brand: allBrands,
			platform: map[string]int{"p1": 3, "p2": 3, "p3": 2},
			price:    []int{1, 1, 2, 2, 1, 1}, inStock: 6,
		},
		{
			name: "brand selected keeps other brands", q: Query{Brand: []string{"Acme"}}, total: 3,
			category: map[string]int{"Home": 2, "Sports": 1}, brand: allBrands,
			platform: map[string]int{"p1": 2, "p3": 1},
			price:    []int{0, 0, 1, 1, 1, 0}, inStock: 2,
		},
		{
			name: "brand and platform each exclude only their own", q: Query{Brand: []string{"Acme"}, Platform: []string{"p1"}}, total: 2,
			category: map[string]int{"Home": 2}, brand: map[string]int{"Acme": 2, "Brewster": 1},
			platform: map[string]int{"p1": 2, "p3": 1},
			price:    []int{0, 0, 1, 1, 0, 0}, inStock: 2,
		},
		{
			name: "selected brand with no results still listed", q: Query{Brand: []string{"Chefly"}, InStock: true}, total: 0,
			category: map[string]int{}, brand: map[string]int{"Acme": 2, "Thermo": 1, "GreenCo": 1, "Brewster": 1, "Chefly": 0},
			platform: map[string]int{},
			price:    []int{0, 0, 0, 0, 0, 0}, inStock: 0,
		},
		{
			name: "category shows top level and the next level", q: Query{Category: "Home > Kitchen"}, total: 5,
			category: map[string]int{"Home": 5, "Garden": 1, "Sports": 2,
				"Home > Kitchen > Cookware": 2, "Home > Kitchen > Cutlery": 1,
				"Home > Kitchen > Gadgets": 1, "Home > Kitchen > Appliances": 1},
			brand:    map[string]int{"Acme": 2, "Chefly": 1, "Thermo": 1, "Brewster": 1},
			platform: map[string]int{"p1": 3, "p2": 2},
			price:    []int{0, 1, 1, 2, 0, 1}, inStock: 4,
		},
		{
			name: "price range is disjunctive", q: Query{MinPrice: 2500, MaxPrice: 4999}, total: 2,
			category: map[string]int{"Home": 1, "Garden": 1}, brand: map[string]int{"Acme": 1, "GreenCo": 1},
			platform: map[string]int{"p1": 1, "p3": 1},
			price:    []int{1, 1, 2, 2, 1, 1}, inStock: 2,
		},
		{
			name: "in stock is disjunctive", q: Query{InStock: true, Text: "pan"}, total: 3,
			category: map[string]int{"Home": 3}, brand: map[string]int{"Acme": 2, "Brewster": 1},
			platform: map[string]int{"p1": 3},
			price:    []int{0, 0, 1, 1, 0, 1}, inStock: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustSearch(t, ix, tt.q)
			f := res.Facets
			if res.Total != tt.total {
				t.Errorf("Total = %d, want %d", res.Total, tt.total)
			}
			for name, pair := range map[string][2]map[string]int{
				"category": {f.Category, tt.category}, "brand": {f.Brand, tt.brand}, "platform": {f.Platform, tt.platform},
			} {
				if !maps.Equal(pair[0], pair[1]) {
					t.Errorf("%s facet = %v, want %v", name, pair[0], pair[1])
				}
			}
			var price []int
			for _, b := range f.Price {
				price = append(price, b.Count)
			}
			if !slices.Equal(price, tt.price) {
				t.Errorf("price bands = %v, want %v", price, tt.price)
			}
			if f.InStock != tt.inStock {
				t.Errorf("in stock = %d, want %d", f.InStock, tt.inStock)
			}
		})
	}
}

func TestSearchItemFields(t *testing.T) {
	ix := New()
	long := "word " + strings.Repeat("lorem ipsum ", 60) + "needle"
	d := Doc{ID: "x", Title: "Lamp", Description: long, Brand: " Lumo ", Category: "Home>Decor",
		Platform: "p", Merchant: "m", Price: -5, Currency: "EUR", InStock: true, Image: "i.jpg",
		Updated: time.Date(2026, 1, 2, 3, 4, 5, 6789, time.FixedZone("X", 3600))}
	ix.Upsert(d)
	res := mustSearch(t, ix, Query{Text: "needle"})
	if len(res.Items) != 1 {
		t.Fatalf("needle beyond the snippet not found: %+v", res)
	}
	got := res.Items[0]
	want := Doc{ID: "x", Title: "Lamp", Description: snippet(long), Brand: "Lumo", Category: "Home > Decor",
		Platform: "p", Merchant: "m", Price: 0, Currency: "EUR", InStock: true, Image: "i.jpg",
		Updated: d.Updated.Truncate(time.Microsecond).UTC()}
	if got != want {
		t.Errorf("item = %+v\nwant %+v", got, want)
	}
	if len(got.Description) > SnippetBytes {
		t.Errorf("snippet is %d bytes", len(got.Description))
	}
	ix.Upsert(Doc{ID: "z", Title: "Zero time"})
	if res := mustSearch(t, ix, Query{Text: "zero"}); !res.Items[0].Updated.IsZero() {
		t.Errorf("zero Updated came back as %v", res.Items[0].Updated)
	}
	ix.Upsert(Doc{Title: "no id"})
	if ix.Len() != 2 {
		t.Errorf("Len = %d, want 2 (a Doc without ID is ignored)", ix.Len())
	}
}

func TestSearchTiesBreakByID(t *testing.T) {
	ix := New()
	for _, id := range []string{"c", "a", "d", "b"} {
		ix.Upsert(Doc{ID: id, Title: "Same mug", Price: 100, Updated: t0})
	}
	for _, s := range []Sort{Relevance, PriceAsc, PriceDesc, Newest} {
		q := Query{Text: "mug", Sort: s}
		if got := ids(mustSearch(t, ix, q).Items); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
			t.Errorf("%v: %v, want ties by id", s, got)
		}
	}
}

func TestSearchInvalid(t *testing.T) {
	ix := newIndexOf(shopDocs())
	page := mustSearch(t, ix, Query{Limit: 2})
	tests := []struct {
		name  string
		q     Query
		param string
	}{
		{"unknown sort", Query{Sort: Sort(9)}, "sort"},
		{"negative sort", Query{Sort: Sort(-1)}, "sort"},
		{"negative min", Query{MinPrice: -1}, "min_price"},
		{"negative max", Query{MaxPrice: -1}, "max_price"},
		{"inverted range", Query{MinPrice: 10, MaxPrice: 5}, "min_price"},
		{"negative limit", Query{Limit: -1}, "limit"},
		{"garbage cursor", Query{Cursor: "!!!"}, "cursor"},
		{"cursor of another query", Query{Limit: 2, Cursor: page.NextCursor, Sort: PriceAsc}, "cursor"},
		{"long text", Query{Text: strings.Repeat("x", MaxTextBytes+1)}, "text"},
		{"too many terms", Query{Text: manyTerms(MaxTerms + 1)}, "text"},
		{"too many brands", Query{Brand: make([]string, MaxFilterValues+1)}, "brand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ix.Search(tt.q)
			if !errors.Is(err, ErrInvalidQuery) {
				t.Fatalf("err = %v, want ErrInvalidQuery", err)
			}
			if want := "search: invalid query: " + tt.param + ":"; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("err = %q, want it to name %q", err, tt.param)
			}
		})
	}
	if res := mustSearch(t, ix, Query{Limit: 1000}); len(res.Items) != 8 {
		t.Errorf("a limit over MaxLimit is lowered, not refused")
	}
}

func manyTerms(n int) string {
	out := ""
	for i := range n {
		out += string(rune('a'+i%26)) + string(rune('a'+i/26)) + "x "
	}
	return out
}

func TestParseSort(t *testing.T) {
	for _, s := range []Sort{Relevance, PriceAsc, PriceDesc, Newest} {
		if got, err := ParseSort(s.String()); err != nil || got != s {
			t.Errorf("ParseSort(%q) = %v, %v", s.String(), got, err)
		}
	}
	if got, err := ParseSort(""); err != nil || got != Relevance {
		t.Errorf("ParseSort(\"\") = %v, %v", got, err)
	}
	if _, err := ParseSort("cheapest"); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("ParseSort(cheapest) err = %v", err)
	}
}

func TestPriceBandsAlignWithBuckets(t *testing.T) {
	for _, b := range priceBands {
		if priceBounds[bucketOf(b.Min)] != b.Min {
			t.Errorf("band %s starts inside a bucket", b.Label)
		}
		if bandOf(b.Min) != bandOf(bucketMax(bucketOf(b.Min))) {
			t.Errorf("band %s: its first bucket straddles a band edge", b.Label)
		}
	}
}

func TestRankingFieldBoosts(t *testing.T) {
	ix := newIndexOf([]Doc{
		{ID: "1-desc", Title: "alpha beta gamma", Brand: "Foo", Category: "Misc", Description: "zest delta epsilon"},
		{ID: "2-cat", Title: "alpha beta gamma", Brand: "Foo", Category: "Zest", Description: "delta epsilon omega"},
		{ID: "3-brand", Title: "alpha beta gamma", Brand: "Zest", Category: "Misc", Description: "delta epsilon omega"},
		{ID: "4-title", Title: "alpha zest gamma", Brand: "Foo", Category: "Misc", Description: "delta epsilon omega"},
	})
	got := ids(mustSearch(t, ix, Query{Text: "zest"}).Items)
	if want := []string{"4-title", "3-brand", "2-cat", "1-desc"}; !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func TestSearchEmptyIndex(t *testing.T) {
	ix := New()
	for _, q := range []Query{{}, {Text: "pan"}, {Text: "pan", Sort: PriceAsc}, {Sort: Newest, InStock: true},
		{Category: "Home", Brand: []string{"x"}, MinPrice: 1, MaxPrice: 2}} {
		res := mustSearch(t, ix, q)
		if res.Total != 0 || len(res.Items) != 0 || res.NextCursor != "" || len(res.Facets.Price) != len(priceBands) {
			t.Errorf("%+v on an empty index: %+v", q, res)
		}
	}
}
