package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// post sends body to path as the merchant and returns the status and the
// problem or result it answered.
func post(t *testing.T, h http.Handler, token, path, body string) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: %d %s: %v", path, w.Code, w.Body, err)
	}
	return w.Code, out
}

// fieldsOf returns the field errors of a problem as field: message.
func fieldsOf(errs any) map[string]string {
	out := map[string]string{}
	list, _ := errs.([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		field, _ := m["field"].(string)
		msg, _ := m["message"].(string)
		out[field] = msg
	}
	return out
}

const goodListing = `{"title":"Kettle","category":"Home","brand":"B","shipping_regions":["DE"],"variants":[{"sku":"K-%s","price":{"amount":1999,"currency":"EUR"},"stock":3}]}`

// A body that does not decode is answered 422 with the field at fault
// named by its full path, as validation names fields, and with what it
// must be.
func TestDecodeErrorsNameTheFieldByItsPath(t *testing.T) {
	h, _, _, token := listingsAPI(t)
	for _, tc := range []struct {
		name, body, field, message string
	}{
		{"unknown nested field", `{"title":"X","variants":[{"sku":"A","colour":"red"}]}`, "variants[0].colour", "unknown field"},
		{"name in another case", `{"Title":"X"}`, "Title", `unknown field (did you mean "title"?)`},
		{"wrong type, nested", `{"variants":[{"sku":"A"},{"sku":"B","price":{"amount":"cheap","currency":"EUR"}}]}`, "variants[1].price.amount", "must be an integer, not a string"},
		{"fraction for an integer", `{"variants":[{"price":{"amount":19.5}}]}`, "variants[0].price.amount", "must be an integer, not 19.5"},
		{"out of range", `{"variants":[{"price":{"amount":99999999999999999999}}]}`, "variants[0].price.amount", "is out of range for an integer: 99999999999999999999"},
		{"object for an array", `{"variants":{}}`, "variants", "must be an array, not an object"},
		{"field given twice", `{"title":"X","title":"Y"}`, "title", "is given more than once"},
		{"not UTF-8", "{\"title\":\"caf\xe9\"}", "title", "is not valid UTF-8"},
		{"syntax", `{"title":"X",}`, "(body)", "JSON syntax error at byte 12"},
		{"trailing data", `{"title":"X"} {}`, "(body)", "JSON syntax error at byte 14"},
		{"empty", ``, "(body)", "a JSON document is required"},
		{"only spaces", "  \n", "(body)", "a JSON document is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, p := post(t, h, token, "/v1/listings", tc.body)
			if got := fieldsOf(p["errors"]); status != http.StatusUnprocessableEntity || got[tc.field] != tc.message {
				t.Fatalf("%d %v, want 422 with %s: %q", status, p, tc.field, tc.message)
			}
		})
	}
}

// In a feed sent as a JSON array, an element that does not decode is
// refused on its own, named by its index and field, as a line of JSON
// lines is; the other listings are stored.
func TestFeedArrayRefusesABadElementAlone(t *testing.T) {
	h, _, _, token := listingsAPI(t)
	feed := "[" + strings.Join([]string{
		strings.Replace(goodListing, "%s", "1", 1),
		`{"title":"Bad","variants":[{"sku":"K-2","colour":"red"}]}`,
		strings.Replace(goodListing, "%s", "3", 1),
		`{"title":"Twice","title":"Again"}`,
		`"not a listing"`,
	}, ",") + "]"
	status, res := post(t, h, token, "/v1/listings/batch", feed)
	rejected, _ := res["rejected"].([]any)
	if status != http.StatusOK || res["created"] != float64(2) || len(rejected) != 3 {
		t.Fatalf("%d %v, want 2 created and 3 rejected", status, res)
	}
	want := []struct {
		index          float64
		field, message string
	}{{1, "variants[0].colour", "unknown field"}, {3, "title", "is given more than once"}, {4, "(line)", "must be an object, not a string"}}
	for i, w := range want {
		r, _ := rejected[i].(map[string]any)
		if got := fieldsOf(r["errors"]); r["index"] != w.index || got[w.field] != w.message {
			t.Errorf("rejection %d: %v, want index %v with %s: %q", i, r, w.index, w.field, w.message)
		}
	}

	// An array that is not valid JSON is refused whole.
	status, p := post(t, h, token, "/v1/listings/batch", `[`+strings.Replace(goodListing, "%s", "5", 1)+`,{"title":]`)
	if status != http.StatusUnprocessableEntity || fieldsOf(p["errors"])["(body)"] == "" {
		t.Fatalf("broken array: %d %v, want 422 naming the body", status, p)
	}
}
