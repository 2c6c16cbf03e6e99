package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// A review is taken down only by the storefront that signed it, so a
// report made on another member's storefront travels to the signing one:
// ReportReview keeps the report where it was made and, in the same
// transaction, hands it to the forwarding function the node set
// (UseReportForwarding: a signed message through the order outbox). The
// signing storefront keeps what arrives with KeepForwardedReport, once
// per message, beside its own shoppers' reports, so its operator sees
// both on one list and decides.

// maxForwardedReports bounds the reports one review keeps from other
// members, so that no member can fill a storefront with them.
const maxForwardedReports = 200

// UseReportForwarding sets how a report of a review another storefront
// signed reaches it: fn runs in the transaction that keeps the report
// and must queue it there, or fail it.
func (c *Catalog) UseReportForwarding(fn func(txn *badger.Txn, storefront string, r Report) error) {
	c.reportForward = fn
}

// KeepForwardedReport keeps a report that member from forwarded, its
// message msgID, of a live review this storefront signed. A repeat of a
// message keeps nothing more; a review that is not this storefront's, or
// no longer live, is ErrNotFound; a bad reason or note ErrInvalid, named.
func (c *Catalog) KeepForwardedReport(ctx context.Context, from, msgID string, r Report) error {
	v := &validator{}
	if !slices.Contains(ReportReasons, r.Reason) {
		v.add("reason", "must be one of %q, not %q", ReportReasons, clip(r.Reason))
	}
	v.text("note", r.Note, false, 1000, true)
	if from == "" || from == c.self || strings.ContainsRune(from, '/') || msgID == "" || strings.ContainsRune(msgID, '/') {
		v.add("from", "must be another member and its message id")
	}
	if err := v.result(); err != nil {
		return err
	}
	if s, err := ParseReviewID(r.Review); err != nil || s != c.self {
		return fmt.Errorf("%w: review %s is not this storefront's", ErrNotFound, clip(r.Review))
	}
	if _, err := c.Review(ctx, r.Review); err != nil {
		return err
	}
	kept := Report{Review: r.Review, Reason: r.Reason, Note: r.Note, At: r.At.UTC(), From: from}
	if kept.At.IsZero() || kept.At.After(c.now().Add(time.Hour)) {
		kept.At = c.now().UTC()
	}
	raw, _ := json.Marshal(kept)
	// The key names the message, so a repeat overwrites the same report.
	key := fmt.Sprintf("%s%s/%020d/%s-%s", prefixReport, r.Review, kept.At.UnixNano(), from, msgID)
	return c.db.Update(func(txn *badger.Txn) error {
		if n := countForwarded(txn, r.Review); n >= maxForwardedReports {
			if ok, err := exists(txn, []byte(key)); err != nil || ok {
				return err
			}
			return nil // enough reports of it from elsewhere: the operator has seen the point
		}
		return txn.Set([]byte(key), raw)
	})
}

// countForwarded counts the reports of review id forwarded by other
// members (their keys name a sender).
func countForwarded(txn *badger.Txn, id string) int {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixReport + id + "/")})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid(); it.Next() {
		if strings.Contains(string(it.Item().Key()[len(prefixReport)+len(id)+1:]), "-") {
			n++
		}
	}
	return n
}
