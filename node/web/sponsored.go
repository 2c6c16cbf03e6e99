package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	badger "github.com/dgraph-io/badger/v4"
)

// Sponsored slot settings: this member's operator may switch its
// storefront's sponsored slots off, or keep some categories (and their
// sub-categories) free of them. They are this member's own, never
// replicated: the charter sets how many slots a page may have, the
// operator only ever shows fewer. The dashboard writes them, the
// storefront reads them before it fills a slot and before it remembers
// a click on one. Kept in Badger under the pages' prefix, as JSON:
//
//	p/sponsored   {"off":true,"excluded":["Home > Kitchen"]}
const keySponsored = "p/sponsored"

// MaxExcludedCategories is the most categories the operator may keep
// free of sponsored slots.
const MaxExcludedCategories = 100

// ErrSponsored is what SetSponsoredSettings says of bad settings; the
// message names the field.
var ErrSponsored = errors.New("invalid sponsored slot settings")

// SponsoredSettings are the operator's sponsored slot settings. The zero
// value, what a node starts with, shows slots in every category.
type SponsoredSettings struct {
	// Off hides every sponsored slot of this storefront.
	Off bool `json:"off,omitempty"`
	// Excluded are category paths ("Home > Kitchen") whose listings,
	// those of their sub-categories too, are never sponsored here.
	Excluded []string `json:"excluded,omitempty"`
}

// Shows reports whether a listing of category may fill a sponsored slot
// under s.
func (s SponsoredSettings) Shows(category string) bool {
	if s.Off {
		return false
	}
	for _, c := range s.Excluded {
		if category == c || strings.HasPrefix(category, c+" > ") {
			return false
		}
	}
	return true
}

// validate checks s, naming the field of the first problem.
func (s SponsoredSettings) validate() error {
	if len(s.Excluded) > MaxExcludedCategories {
		return fmt.Errorf("%w: excluded: %d categories, at most %d", ErrSponsored, len(s.Excluded), MaxExcludedCategories)
	}
	for i, c := range s.Excluded {
		if c == "" || strings.TrimSpace(c) != c || len(c) > maxCategoryPath || !utf8.ValidString(c) {
			return fmt.Errorf("%w: excluded[%d]: must be a category path such as \"Home > Kitchen\", not %q", ErrSponsored, i, c)
		}
	}
	return nil
}

// SponsoredSettings returns the operator's sponsored slot settings, the
// zero value until any are kept.
func (s *Site) SponsoredSettings() (SponsoredSettings, error) {
	var out SponsoredSettings
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keySponsored))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return item.Value(func(b []byte) error { return json.Unmarshal(b, &out) })
	})
	if err != nil {
		return SponsoredSettings{}, fmt.Errorf("web: reading the sponsored slot settings: %w", err)
	}
	return out, nil
}

// SetSponsoredSettings keeps the operator's sponsored slot settings,
// the excluded categories sorted and without repeats; bad ones are
// ErrSponsored naming the field.
func (s *Site) SetSponsoredSettings(in SponsoredSettings) error {
	in.Excluded = slices.Compact(slices.Sorted(slices.Values(in.Excluded)))
	if err := in.validate(); err != nil {
		return err
	}
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(keySponsored), b) }); err != nil {
		return fmt.Errorf("web: keeping the sponsored slot settings: %w", err)
	}
	return nil
}
