package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// TestKeepForwardedReportRefuses: a forwarded report with a reason off
// the list, or from no member, is invalid and names the field; one of a
// review another storefront signed, or of one this storefront does not
// hold, is not found. Nothing is kept.
func TestKeepForwardedReportRefuses(t *testing.T) {
	members := &memberSet{}
	n := newNode(t, testConfig(), members)
	other := peerOf(t, newKey(t))
	ctx := context.Background()
	own := n.self + "." + strings.Repeat("a", 32)
	for _, tc := range []struct {
		name, from, msg string
		r               Report
		want            error
		field           string
	}{
		{"reason off the list", other, "m1", Report{Review: own, Reason: "boring"}, ErrInvalid, "reason"},
		{"no sender", "", "m1", Report{Review: own, Reason: "fake"}, ErrInvalid, "from"},
		{"from itself", n.self, "m1", Report{Review: own, Reason: "fake"}, ErrInvalid, "from"},
		{"note too long", other, "m1", Report{Review: own, Reason: "other", Note: strings.Repeat("x", 1001)}, ErrInvalid, "note"},
		{"another storefront's review", other, "m1", Report{Review: other + "." + strings.Repeat("b", 32), Reason: "fake"}, ErrNotFound, ""},
		{"a review not held", other, "m1", Report{Review: own, Reason: "fake"}, ErrNotFound, ""},
	} {
		err := n.KeepForwardedReport(ctx, tc.from, tc.msg, tc.r)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %v, want %v naming %q", tc.name, err, tc.want, tc.field)
		}
	}
	err := n.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixReport)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			t.Errorf("a report was kept: %s", it.Item().Key())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
