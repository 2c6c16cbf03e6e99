package sample

import (
	"reflect"
	"testing"

	"github.com/fedmart/fedmart/catalog"
)

// Every generated listing passes the catalog's own validation, and a seed
// always gives the same catalog.
func TestListingsAreValidAndDeterministic(t *testing.T) {
	cfg := catalog.DefaultConfig()
	cfg.Currency = "EUR"
	a := New(7).Listings(500, "EUR", "M1")
	for i, l := range a {
		if err := catalog.ValidateListing(cfg, l); err != nil {
			t.Fatalf("listing %d (%s): %v", i, l.Title, err)
		}
	}
	if b := New(7).Listings(500, "EUR", "M1"); !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different listings")
	}
}
