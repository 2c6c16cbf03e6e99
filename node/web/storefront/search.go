package storefront

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/node/web"
)

// searchPageSize is how many results a search page shows.
const searchPageSize = 24

// searchState is a search as its URL carries it: the parameters the page
// was asked for, kept as typed, so that every facet and paging link
// repeats the rest of the search.
type searchState struct {
	Q, Category        string
	Brands, Platforms  []string
	MinPrice, MaxPrice string // major units, as typed
	InStock            bool
	// MinRating is the least average of stars, "1" to "4" ("": any).
	MinRating    string
	Sort, Cursor string
	// Exact asks for the text as typed, without a correction of its
	// spelling ("Search instead for ...").
	Exact bool
}

// readSearch reads the search parameters of r. It returns the query to
// run, the state, and the form with what was typed and what is wrong; an
// invalid parameter is left out of the query.
func readSearch(r *http.Request, currency string) (search.Query, searchState, *web.Form) {
	v := r.URL.Query()
	st := searchState{Q: strings.TrimSpace(v.Get("q")), Category: strings.TrimSpace(v.Get("category")),
		Brands: nonBlank(v["brand"]), Platforms: nonBlank(v["platform"]),
		MinPrice: strings.TrimSpace(v.Get("min_price")), MaxPrice: strings.TrimSpace(v.Get("max_price")),
		InStock: isOn(v.Get("in_stock")), Sort: v.Get("sort"), Cursor: v.Get("cursor"), Exact: isOn(v.Get("exact")),
		MinRating: v.Get("min_rating")}
	f := web.NewForm()
	f.Set("q", st.Q)
	f.Set("min_price", st.MinPrice)
	f.Set("max_price", st.MaxPrice)
	q := search.Query{Text: st.Q, Category: st.Category, Brand: st.Brands, Platform: st.Platforms,
		InStock: st.InStock, Limit: searchPageSize, Cursor: st.Cursor}
	q.MinPrice = priceParam(f, "min_price", &st.MinPrice, currency)
	q.MaxPrice = priceParam(f, "max_price", &st.MaxPrice, currency)
	if q.MaxPrice != 0 && q.MinPrice > q.MaxPrice {
		f.Add("max_price", "must not be less than the lowest price")
		q.MaxPrice, st.MaxPrice = 0, ""
	}
	if n, err := strconv.Atoi(st.MinRating); err == nil && n >= 1 && n <= 4 {
		q.MinRating = n
	} else {
		st.MinRating = ""
	}
	var err error
	if q.Sort, err = search.ParseSort(st.Sort); err != nil {
		f.Add("sort", "is not one of the orders offered")
		st.Sort = ""
	}
	return q, st, f
}

// priceParam reads one price bound; a bad one is a web.Field error and drops
// out of the state.
func priceParam(f *web.Form, name string, typed *string, currency string) int64 {
	if *typed == "" {
		return 0
	}
	n, err := web.ParseAmount(*typed, currency)
	if err != nil {
		f.Add(name, err.Error())
		*typed = ""
		return 0
	}
	return n
}

// search is the results page: GET /search.
func (sf *Storefront) search(w http.ResponseWriter, r *http.Request) {
	cur := sf.site.Currency()
	q, st, f := readSearch(r, cur)
	res, err := sf.deps.Search.Search(q)
	if errors.Is(err, search.ErrInvalidQuery) {
		param, msg := queryParam(err)
		if param == "cursor" {
			f.Add("", sf.site.T(r, "refusal.page_gone"))
		} else {
			f.Add(inputOfParam(param), msg)
		}
		q.Cursor, st.Cursor = "", ""
		q.Text, q.Brand, q.Platform = queryFallback(param, q)
		res, err = sf.deps.Search.Search(q)
	}
	if err != nil {
		sf.site.Fail(w, r, err)
		return
	}
	status := http.StatusOK
	if !f.OK() {
		status = http.StatusBadRequest
	}
	view := sf.searchView(st, f, res, cur)
	if st.Cursor == "" {
		view.Sponsored = sf.slotsFor(r, st.Q, false, res, view.Items)
	}
	for i, c := range view.Sorts {
		view.Sorts[i].Label = sf.site.T(r, "search.sort_"+c.Value)
	}
	if res.Total == 0 && st.Q != "" && st.Cursor == "" && f.OK() {
		if err := sf.suggest(&view, q, st); err != nil {
			sf.site.Fail(w, r, err)
			return
		}
	}
	sf.render(w, r, status, "search", &web.Page{Title: sf.searchTitle(r, view.State), Query: view.State.Q, Data: view, NoIndex: true})
}

// maxSuggestions is how many other searches a page that found nothing
// suggests.
const maxSuggestions = 4

// suggest fills the page of a search that found nothing. When the
// index offers a spelling of the text that finds something with the same
// filters, the page shows its results instead, saying so ("Showing
// results for skillet") with a link to the text as typed; unless the
// shopper asked for that (Exact). Otherwise it lists the other searches
// that would find something: the spellings, and the text without one of
// its words.
func (sf *Storefront) suggest(v *searchPage, q search.Query, st searchState) error {
	try := func(text string) (search.Result, error) {
		q.Text = text
		return sf.deps.Search.Search(q)
	}
	for i, text := range sf.deps.Search.Correct(st.Q, maxSuggestions) {
		res, err := try(text)
		if err != nil {
			return err
		}
		if res.Total == 0 {
			continue
		}
		if i == 0 && !st.Exact {
			corrected := st
			corrected.Q = text
			*v = sf.searchView(corrected, v.Form, res, v.Currency)
			v.Original, v.OriginalURL = st.Q, st.url(func(s *searchState) { s.Exact = true })
			continue
		}
		v.Suggestions = append(v.Suggestions, facetLink{Label: text, Count: res.Total, URL: st.url(func(s *searchState) { s.Q, s.Exact = text, false })})
	}
	if v.Original != "" || len(v.Suggestions) > 0 {
		return nil
	}
	words := strings.Fields(st.Q)
	for i := 0; len(words) > 1 && len(words) <= maxDroppedWords && i < len(words); i++ {
		text := strings.Join(slices.Delete(slices.Clone(words), i, i+1), " ")
		res, err := try(text)
		if err != nil {
			return err
		}
		if res.Total > 0 && len(v.Suggestions) < maxSuggestions {
			v.Suggestions = append(v.Suggestions, facetLink{Label: text, Count: res.Total, URL: st.url(func(s *searchState) { s.Q, s.Exact = text, false })})
		}
	}
	return nil
}

// maxDroppedWords is the longest text whose words suggest() tries to
// leave out one by one.
const maxDroppedWords = 5

// queryFallback drops the parameter the index refused (text or a filter
// over its limits), so that the page can still show results.
func queryFallback(param string, q search.Query) (string, []string, []string) {
	switch param {
	case "text":
		return "", q.Brand, q.Platform
	case "brand":
		return q.Text, nil, q.Platform
	case "platform":
		return q.Text, q.Brand, nil
	}
	return q.Text, q.Brand, q.Platform
}

// queryParam splits an ErrInvalidQuery into the parameter it names and
// what is wrong ("search: invalid query: text: longer than 1024 bytes").
func queryParam(err error) (param, msg string) {
	rest := strings.TrimPrefix(err.Error(), search.ErrInvalidQuery.Error()+": ")
	param, msg, ok := strings.Cut(rest, ": ")
	if !ok {
		return "", rest
	}
	return param, msg
}

// inputOfParam maps an index parameter to the page's input.
func inputOfParam(param string) string {
	switch param {
	case "text":
		return "q"
	case "min_price", "max_price", "sort":
		return param
	}
	return ""
}

func (sf *Storefront) searchTitle(r *http.Request, st searchState) string {
	if st.Q != "" {
		return sf.site.T(r, "search.title_for", "Q", st.Q)
	}
	return sf.site.T(r, "search.title")
}

// url is the page URL of the search st with change applied; paging
// starts again unless change sets the cursor.
func (st searchState) url(change func(*searchState)) string {
	next := st
	next.Cursor = ""
	next.Brands = append([]string(nil), st.Brands...)
	next.Platforms = append([]string(nil), st.Platforms...)
	if change != nil {
		change(&next)
	}
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", next.Q)
	set("category", next.Category)
	v["brand"], v["platform"] = next.Brands, next.Platforms
	set("min_price", next.MinPrice)
	set("max_price", next.MaxPrice)
	if next.InStock {
		v.Set("in_stock", "1")
	}
	set("min_rating", next.MinRating)
	set("sort", next.Sort)
	set("cursor", next.Cursor)
	if next.Exact {
		v.Set("exact", "1")
	}
	if len(next.Brands) == 0 {
		delete(v, "brand")
	}
	if len(next.Platforms) == 0 {
		delete(v, "platform")
	}
	if len(v) == 0 {
		return "/search"
	}
	return "/search?" + v.Encode()
}

// isOn reads a checkbox or boolean parameter.
func isOn(s string) bool {
	switch strings.ToLower(s) {
	case "1", "on", "true", "yes":
		return true
	}
	return false
}

// nonBlank trims values and drops the blank ones.
func nonBlank(vals []string) []string {
	var out []string
	for _, s := range vals {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
