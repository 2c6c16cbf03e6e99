package order

import (
	"context"
	"errors"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"

	"github.com/fedmart/fedmart/catalog"
)

// A shopper's report of a review is kept by the storefront it was made
// on; when another storefront signed the review, only that one can take
// it down, so the report travels to it: a review_report message, signed
// by the storefront where it was made and queued in the outbox in the
// transaction that keeps the report (ReportToSigner). The signing
// storefront checks the review is its own and keeps the report once per
// (sender, message id) beside its own shoppers' (Reports), for its
// operator to judge. A report of a review it has taken down since is
// acknowledged and kept nowhere; one of a review it never signed is
// refused as invalid, so the sender parks it at once.

// KindReviewReport carries a report of a review to the storefront that
// signed it (Message.ReviewReport).
const KindReviewReport = "review_report"

// ReviewReport is a report of a review as forwarded.
type ReviewReport struct {
	Review string    `json:"review"`
	Reason string    `json:"reason"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

func (rr *ReviewReport) check(errs *FieldErrors) {
	switch {
	case rr.Review == "" || len(rr.Review) > 128:
		errs.add("review", "must be 1..128 bytes")
	case rr.Reason == "" || len(rr.Reason) > 32:
		errs.add("reason", "must be 1..32 bytes")
	case len(rr.Note) > 4000:
		errs.add("note", "longer than 4000 bytes")
	case rr.At.IsZero():
		errs.add("at", "missing")
	}
}

// Reports keeps the reports other storefronts forward of the reviews
// this one signed; *catalog.Catalog satisfies it.
type Reports interface {
	KeepForwardedReport(ctx context.Context, from, msgID string, r catalog.Report) error
}

// ReportToSigner queues, in txn, report r of a review signed by
// storefront to that storefront.
func (s *Service) ReportToSigner(txn *badger.Txn, storefront string, r catalog.Report) error {
	_, raw, err := s.newSigned(KindReviewReport, storefront, r.Review, func(m *Message) {
		m.ReviewReport = &ReviewReport{Review: r.Review, Reason: r.Reason, Note: r.Note, At: r.At.UTC()}
	})
	if err != nil {
		return err
	}
	if err := s.out.put(txn, storefront, raw); err != nil {
		return err
	}
	s.out.wake()
	return nil
}

// receiveReviewReport keeps a report another storefront forwarded of a
// review this one signed, once.
func (s *Service) receiveReviewReport(ctx context.Context, m *Message) ([]byte, error) {
	rr := m.ReviewReport
	unlock := s.lockKey("review-report/" + m.From + "/" + m.ID)
	defer unlock()
	if answer, err := s.answered(m); answer != nil || err != nil {
		return answer, err
	}
	if s.reports == nil {
		return nil, fmt.Errorf("%w: this member keeps no reviews", ErrNotFound)
	}
	if err := s.budget.admitNote(m.From, s.now()); err != nil {
		return nil, err
	}
	if m.At.After(s.now().Add(maxClockSkew)) {
		return nil, fmt.Errorf("%w: message.at: %s is later than the receiver's clock", ErrInvalid, m.At.UTC().Format(time.RFC3339))
	}
	if st, err := catalog.ParseReviewID(rr.Review); err != nil || st != s.self {
		return nil, fmt.Errorf("%w: review_report.review: %s was not signed by this storefront", ErrInvalid, rr.Review)
	}
	err := s.reports.KeepForwardedReport(ctx, m.From, m.ID, catalog.Report{Review: rr.Review, Reason: rr.Reason, Note: rr.Note, At: rr.At})
	switch {
	case errors.Is(err, catalog.ErrNotFound): // taken down since: nothing left to judge
	case errors.Is(err, catalog.ErrInvalid):
		return nil, fmt.Errorf("%w: review_report: %v", ErrInvalid, err)
	case err != nil:
		return nil, err
	}
	reply := mustJSON(Reply{Ack: true})
	if err := s.update(func(txn *badger.Txn) error { return txn.Set([]byte(prefixInbox+m.From+"/"+m.ID), reply) }); err != nil {
		return nil, err
	}
	return reply, nil
}
