package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/gin-gonic/gin"
)

type moneyJSON struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type searchItem struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Brand    string    `json:"brand"`
	Category string    `json:"category"`
	Price    moneyJSON `json:"price"`
	Platform string    `json:"platform"`
	Merchant string    `json:"merchant"`
	InStock  bool      `json:"in_stock"`
	Image    string    `json:"image"`
	Rating   int64     `json:"rating,omitempty"`
	Reviews  int64     `json:"reviews,omitempty"`
}

// getSearch is the federation-wide catalog search; public, for storefronts.
func (a *API) getSearch(c *gin.Context) {
	q, ok := parseQuery(c)
	if !ok {
		return
	}
	res, err := a.deps.Search.Search(q)
	if err != nil {
		failStatus(c, http.StatusBadRequest, "Invalid query parameter", err.Error(), queryField(err))
		return
	}
	items := make([]searchItem, 0, len(res.Items))
	for _, d := range res.Items {
		items = append(items, searchItem{ID: d.ID, Title: d.Title, Brand: d.Brand, Category: d.Category,
			Price: moneyJSON{d.Price, d.Currency}, Platform: d.Platform, Merchant: d.Merchant, InStock: d.InStock, Image: d.Image, Rating: d.Rating, Reviews: d.Reviews})
	}
	price := make(map[string]int, len(res.Facets.Price))
	for _, b := range res.Facets.Price {
		price[b.Label] = b.Count
	}
	c.JSON(http.StatusOK, gin.H{
		"items": items,
		"facets": gin.H{
			"category": nonNil(res.Facets.Category), "brand": nonNil(res.Facets.Brand),
			"platform": nonNil(res.Facets.Platform), "price": price, "in_stock": res.Facets.InStock,
			"rating": res.Facets.Rating,
		},
		"total": res.Total, "next_cursor": res.NextCursor,
	})
}

func parseQuery(c *gin.Context) (search.Query, bool) {
	q := search.Query{Text: c.Query("q"), Category: c.Query("category"), Cursor: c.Query("cursor"),
		Brand: splitMulti(c.QueryArray("brand")), Platform: splitMulti(c.QueryArray("platform"))}
	var err error
	bad := func(field, msg string) (search.Query, bool) {
		failStatus(c, http.StatusBadRequest, "Invalid query parameter", field+": "+msg, FieldError{Field: field, Message: msg})
		return search.Query{}, false
	}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"min_price", &q.MinPrice}, {"max_price", &q.MaxPrice}} {
		if s := c.Query(p.name); s != "" {
			if *p.dst, err = strconv.ParseInt(s, 10, 64); err != nil || *p.dst < 0 {
				return bad(p.name, "must be a non-negative integer amount in minor units")
			}
		}
	}
	if s := c.Query("in_stock"); s != "" {
		if q.InStock, err = strconv.ParseBool(s); err != nil {
			return bad("in_stock", "must be true or false")
		}
	}
	if s := c.Query("min_rating"); s != "" {
		if q.MinRating, err = strconv.Atoi(s); err != nil || q.MinRating < 1 || q.MinRating > 5 {
			return bad("min_rating", "must be 1 to 5 stars")
		}
	}
	if q.Sort, err = search.ParseSort(c.Query("sort")); err != nil {
		return bad("sort", "must be relevance, price_asc, price_desc, newest or rating")
	}
	if s := c.Query("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil || q.Limit < 1 || q.Limit > search.MaxLimit {
			return bad("limit", fmt.Sprintf("must be an integer from 1 to %d", search.MaxLimit))
		}
	}
	return q, true
}

// splitMulti accepts both brand=a&brand=b and brand=a,b.
func splitMulti(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func queryField(err error) FieldError {
	msg := err.Error()
	for _, f := range []string{"cursor", "min_price", "max_price", "sort", "limit"} {
		if strings.Contains(msg, f) {
			return FieldError{Field: f, Message: msg}
		}
	}
	return FieldError{Field: "(query)", Message: msg}
}

func nonNil(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// getCatalogListing is the full listing as replicated, with its home platform's name.
func (a *API) getCatalogListing(c *gin.Context) {
	l, err := a.deps.Catalog.Listing(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	name := ""
	if sc, err := a.deps.Federation.Charter(); err == nil {
		for _, m := range sc.Charter.Members {
			if m.PeerID == l.Platform {
				name = m.Name
			}
		}
	}
	c.JSON(http.StatusOK, struct {
		catalog.Listing
		PlatformName string `json:"platform_name"`
	}{l, name})
}
