package web

import (
	"errors"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// How this storefront names its shoppers in the reviews it signs: the
// operator's choice, this member's own and never replicated, applied
// when a review is signed (a review signed before keeps its name). Kept
// in Badger under the pages' prefix:
//
//	p/reviewer-names   "first_initial" | "first_name" | "verified_buyer"
const keyReviewerNames = "p/reviewer-names"

// The ways a storefront may name a reviewer.
const (
	// ReviewerFirstInitial is the first name and the initial of the
	// last ("Ada L."), the default.
	ReviewerFirstInitial = "first_initial"
	// ReviewerFirstName is the first name alone ("Ada").
	ReviewerFirstName = "first_name"
	// ReviewerVerifiedBuyer names no one: "Verified buyer".
	ReviewerVerifiedBuyer = "verified_buyer"
)

// ReviewerNamings are the choices, in the order a form offers them.
var ReviewerNamings = []string{ReviewerFirstInitial, ReviewerFirstName, ReviewerVerifiedBuyer}

// ErrReviewerNames is what SetReviewerNames says of an unknown choice.
var ErrReviewerNames = errors.New("invalid reviewer names setting")

// ReviewerNames returns how the storefront names reviewers,
// ReviewerFirstInitial until the operator chooses.
func (s *Site) ReviewerNames() (string, error) {
	out := ReviewerFirstInitial
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keyReviewerNames))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error {
			if v := string(b); isReviewerNaming(v) {
				out = v
			}
			return nil
		})
	})
	if err != nil {
		return "", fmt.Errorf("web: reading the reviewer names setting: %w", err)
	}
	return out, nil
}

// SetReviewerNames keeps how the storefront names reviewers; an unknown
// choice is ErrReviewerNames naming the field.
func (s *Site) SetReviewerNames(v string) error {
	if !isReviewerNaming(v) {
		return fmt.Errorf("%w: reviewer_names: must be one of %q, not %q", ErrReviewerNames, ReviewerNamings, v)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(keyReviewerNames), []byte(v)) }); err != nil {
		return fmt.Errorf("web: keeping the reviewer names setting: %w", err)
	}
	return nil
}

func isReviewerNaming(v string) bool {
	for _, n := range ReviewerNamings {
		if v == n {
			return true
		}
	}
	return false
}
