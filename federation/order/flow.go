package order

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// FlowPoint is the order flow of one time step.
type FlowPoint struct {
	// Start begins the step.
	Start time.Time `json:"start"`
	// Placed counts the orders shoppers placed on this storefront.
	Placed int `json:"placed"`
	// Received counts the parts this node's merchants were asked to hold,
	// from any storefront.
	Received int `json:"received"`
}

// maxFlowSteps bounds one Flow answer.
const maxFlowSteps = 1000

// Flow counts orders placed here and parts received here in steps of step
// from since to now. It reads keys only (their time is in the key), so it
// costs a scan of the order indexes, not of the orders; the indexes lead
// with the shopper or merchant, so the scan is not bounded by since.
func (s *Service) Flow(_ context.Context, since time.Time, step time.Duration) ([]FlowPoint, error) {
	now := s.now()
	if step <= 0 || !since.Before(now) {
		return nil, fmt.Errorf("%w: flow: step must be positive and since before now", ErrInvalid)
	}
	n := int(now.Sub(since)/step) + 1
	if n > maxFlowSteps {
		return nil, fmt.Errorf("%w: flow: %d steps, more than %d", ErrInvalid, n, maxFlowSteps)
	}
	out := make([]FlowPoint, n)
	for i := range out {
		out[i].Start = since.Add(time.Duration(i) * step).UTC()
	}
	bucket := func(key string) int {
		// .../<time>/<id>: the time is the second-to-last element.
		parts := strings.Split(key, "/")
		if len(parts) < 2 {
			return -1
		}
		ns, err := strconv.ParseInt(parts[len(parts)-2], 10, 64)
		t := time.Unix(0, ns)
		if err != nil || t.Before(since) {
			return -1
		}
		if i := int(t.Sub(since) / step); i < n {
			return i
		}
		return -1
	}
	err := s.db.View(func(txn *badger.Txn) error {
		eachKey(txn, prefixShopOrder, func(k string) {
			if i := bucket(k); i >= 0 {
				out[i].Placed++
			}
		})
		eachKey(txn, prefixMerchant, func(k string) {
			if i := bucket(k); i >= 0 {
				out[i].Received++
			}
		})
		return nil
	})
	return out, err
}

// eachKey calls fn with every key under prefix, reading keys only.
func eachKey(txn *badger.Txn, prefix string, fn func(string)) {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues, opts.Prefix = false, []byte(prefix)
	it := txn.NewIterator(opts)
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		fn(string(it.Item().Key()))
	}
}
