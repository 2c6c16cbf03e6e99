package api

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/fedmart/fedmart/catalog"
	"github.com/gin-gonic/gin"
	"github.com/go-json-experiment/json/jsontext"
)

// MaxBatchListings caps one batch request; the CLI importer sends smaller batches.
const MaxBatchListings = 5000

func (a *API) postListing(c *gin.Context) {
	var in catalog.ListingInput
	if !bindJSON(c, &in) {
		return
	}
	l, err := a.deps.Catalog.CreateListing(c.Request.Context(), merchantOf(c).ID, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/v1/listings/"+l.ID)
	c.JSON(http.StatusCreated, l)
}

func (a *API) getListing(c *gin.Context) {
	l, err := a.deps.Catalog.Listing(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if l.Merchant != merchantOf(c).ID || l.Platform != a.deps.Federation.Self().String() {
		fail(c, fmt.Errorf("listing %s: %w", c.Param("id"), catalog.ErrNotFound))
		return
	}
	c.JSON(http.StatusOK, l)
}

func (a *API) putListing(c *gin.Context) {
	var in catalog.ListingInput
	if !bindJSON(c, &in) {
		return
	}
	l, err := a.deps.Catalog.ReplaceListing(c.Request.Context(), merchantOf(c).ID, c.Param("id"), in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, l)
}

func (a *API) deleteListing(c *gin.Context) {
	if err := a.deps.Catalog.TakeDown(c.Request.Context(), merchantOf(c).ID, c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *API) putStock(c *gin.Context) {
	var in struct {
		SKU   string `json:"sku"`
		Stock *int64 `json:"stock"`
	}
	if !bindJSON(c, &in) {
		return
	}
	var fields []FieldError
	if in.SKU == "" {
		fields = append(fields, FieldError{Field: "sku", Message: "is required"})
	}
	if in.Stock == nil {
		fields = append(fields, FieldError{Field: "stock", Message: "is required"})
	}
	if len(fields) > 0 {
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", "sku and stock are required", fields...)
		return
	}
	if err := a.deps.Catalog.SetStock(c.Request.Context(), merchantOf(c).ID, c.Param("id"), in.SKU, *in.Stock); err != nil {
		fail(c, err)
		return
	}
	l, err := a.deps.Catalog.Listing(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, l)
}

// getMerchantListings pages through the merchant's own listings by
// cursor, filtered by title or SKU words (q), SKU (sku) and stock state
// (stock, with low_stock as the low mark), with the count of all that
// match.
func (a *API) getMerchantListings(c *gin.Context) {
	limit, ok := intParam(c, "limit", 50, 1, 500)
	if !ok {
		return
	}
	low, ok := intParam(c, "low_stock", catalog.DefaultLowStock, 1, 1_000_000_000)
	if !ok {
		return
	}
	stock, err := catalog.ParseStockState(c.Query("stock"))
	if err != nil {
		failStatus(c, http.StatusBadRequest, "Invalid query parameter", "stock must be in, low or out",
			FieldError{Field: "stock", Message: "must be in, low or out"})
		return
	}
	q := catalog.ListingQuery{Text: c.Query("q"), SKU: c.Query("sku"), Stock: stock, LowStock: int64(low), After: c.Query("cursor"), Limit: limit}
	m, err := a.deps.Catalog.QueryListings(c.Request.Context(), merchantOf(c).ID, q)
	var ve *catalog.ValidationError
	if errors.As(err, &ve) {
		fields := make([]FieldError, len(ve.Errors))
		for i, fe := range ve.Errors {
			fields[i] = FieldError{Field: fe.Field, Message: fe.Message}
		}
		failStatus(c, http.StatusBadRequest, "Invalid query parameter", ve.Error(), fields...)
		return
	}
	if err != nil {
		fail(c, err)
		return
	}
	if m.Listings == nil {
		m.Listings = []catalog.Listing{}
	}
	c.JSON(http.StatusOK, gin.H{"items": m.Listings, "next_cursor": m.Next, "total": m.Total})
}

// postBatch upserts a feed: a JSON array of listings, or JSON lines.
func (a *API) postBatch(c *gin.Context) {
	body, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		failStatus(c, http.StatusRequestEntityTooLarge, "Request too large", fmt.Sprintf("send at most %d bytes per batch; split the feed", a.cfg.MaxBodyBytes))
		return
	}
	in, lines, rejected, ok := decodeFeed(c, body)
	if !ok {
		return
	}
	res, err := a.deps.Catalog.UpsertBatch(c.Request.Context(), merchantOf(c).ID, in)
	if err != nil {
		fail(c, err)
		return
	}
	for i := range res.Rejected {
		res.Rejected[i].Index = lines[res.Rejected[i].Index]
	}
	res.Rejected = append(res.Rejected, rejected...)
	slices.SortFunc(res.Rejected, func(x, y catalog.Rejection) int { return x.Index - y.Index })
	if res.Rejected == nil {
		res.Rejected = []catalog.Rejection{}
	}
	c.JSON(http.StatusOK, res)
}

// decodeFeed reads a JSON array or JSON lines. A listing that does not
// decode (an element of the array, or a line) is rejected on its own,
// named by its index in the feed (counting from 0, blank lines skipped)
// and by the field at fault; the others go on. A feed that is not an
// array or lines at all is refused whole. lines maps each decoded listing
// to its index in the feed.
func decodeFeed(c *gin.Context, body []byte) (in []catalog.ListingInput, lines []int, rejected []catalog.Rejection, ok bool) {
	trimmed := bytes.TrimSpace(body)
	take := func(n int, doc []byte) {
		var l catalog.ListingInput
		if err := decodeStrict(doc, &l); err != nil {
			_, fields := decodeProblem(err)
			rejected = append(rejected, catalog.Rejection{Index: n, Errors: feedErrors(fields)})
			return
		}
		in, lines = append(in, l), append(lines, n)
	}
	n := 0
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var err error
		if n, err = eachElement(trimmed, MaxBatchListings+1, take); err != nil {
			writeDecodeError(c, err)
			return nil, nil, nil, false
		}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(trimmed))
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		for ; sc.Scan() && n <= MaxBatchListings; n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				n--
				continue
			}
			take(n, line)
		}
		if err := sc.Err(); err != nil {
			failStatus(c, http.StatusUnprocessableEntity, "Invalid input", "line "+strconv.Itoa(n)+" of the feed: "+err.Error(),
				FieldError{Field: "(body)", Message: "a line holds at most 4 MiB"})
			return nil, nil, nil, false
		}
	}
	if n == 0 || n > MaxBatchListings {
		got := strconv.Itoa(n)
		if n > MaxBatchListings {
			got = "more than " + strconv.Itoa(MaxBatchListings)
		}
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", fmt.Sprintf("a batch holds 1 to %d listings", MaxBatchListings),
			FieldError{Field: "(body)", Message: "got " + got + " listings"})
		return nil, nil, nil, false
	}
	return in, lines, rejected, true
}

// eachElement calls take with each element of the JSON array body, at
// most limit of them, and returns how many it took. Each element is
// checked against the listing's shape by take: here a field given twice
// or text that is not UTF-8 is left for it to refuse, so that it refuses
// that element alone. An error is the array's: it is not valid JSON.
func eachElement(body []byte, limit int, take func(n int, elem []byte)) (int, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if _, err := dec.ReadToken(); err != nil { // the '[' the caller saw
		return 0, err
	}
	n := 0
	for ; n < limit && dec.PeekKind() != ']'; n++ {
		elem, err := dec.ReadValue()
		if err != nil {
			return n, err
		}
		take(n, elem)
	}
	if n == limit {
		return n, nil
	}
	if _, err := dec.ReadToken(); err != nil { // ']'
		return n, err
	}
	if _, err := dec.ReadToken(); err != io.EOF {
		return n, errors.Join(errors.New("unexpected data after the array"), err)
	}
	return n, nil
}

// feedErrors are a listing's decoding errors as a rejection names them:
// a fault of the whole listing is its line's ("(line)").
func feedErrors(fields []FieldError) []catalog.FieldError {
	out := make([]catalog.FieldError, len(fields))
	for i, f := range fields {
		if f.Field == "(body)" {
			f.Field = "(line)"
		}
		out[i] = catalog.FieldError{Field: f.Field, Message: f.Message}
	}
	return out
}

// intParam reads an integer query parameter within [lo, hi].
func intParam(c *gin.Context, name string, def, lo, hi int) (int, bool) {
	s := c.Query(name)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		failStatus(c, http.StatusBadRequest, "Invalid query parameter", name+" is out of range",
			FieldError{Field: name, Message: fmt.Sprintf("must be an integer from %d to %d", lo, hi)})
		return 0, false
	}
	return n, true
}
