package web

import (
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	badger "github.com/dgraph-io/badger/v4"
)

// Category descriptions: the words the operator writes about a category
// of the catalog, which its storefront page (/c/<path>) shows above the
// listings and gives search engines as its description. They are this
// member's own, never replicated, kept in Badger under the pages'
// prefix, one key per category path:
//
//	p/category/Home > Kitchen   "Pans, pots and knives for ..."
//
// Plain text: paragraphs separated by blank lines, no markup.
const keyCategoryPrefix = "p/category/"

// Category description limits.
const (
	// MaxCategoryDescription is the longest description, in characters.
	MaxCategoryDescription = 2000
	// maxCategoryPath is the longest category path one may be written
	// for, in bytes (the catalog's own limit is below it).
	maxCategoryPath = 1024
)

// ErrCategory is what SetCategoryDescription says of a bad category path
// or description; the message names the field.
var ErrCategory = errors.New("invalid category description")

// CategoryDescription is the operator's description of the category
// path, "" when none is written.
func (s *Site) CategoryDescription(path string) (string, error) {
	var text string
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keyCategoryPrefix + path))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		b, err := item.ValueCopy(nil)
		text = string(b)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("web: reading the description of category %q: %w", path, err)
	}
	return text, nil
}

// CategoryDescriptions are every description written, by category path.
func (s *Site) CategoryDescriptions() (map[string]string, error) {
	out := map[string]string{}
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte(keyCategoryPrefix)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			b, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[strings.TrimPrefix(string(it.Item().Key()), keyCategoryPrefix)] = string(b)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: reading the category descriptions: %w", err)
	}
	return out, nil
}

// SetCategoryDescription keeps the description of the category path
// ("Home > Kitchen"); an empty text removes it. A path that is not a
// category path, or a text too long or holding control characters, is
// ErrCategory naming "category" or "description".
func (s *Site) SetCategoryDescription(path, text string) error {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if err := checkCategoryPath(path); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(text); n > MaxCategoryDescription {
		return fmt.Errorf("%w: description: must be at most %d characters, not %d", ErrCategory, MaxCategoryDescription, n)
	}
	if !utf8.ValidString(text) || strings.ContainsFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		return fmt.Errorf("%w: description: must be plain text, without control characters", ErrCategory)
	}
	err := s.db.Update(func(txn *badger.Txn) error {
		if text == "" {
			return txn.Delete([]byte(keyCategoryPrefix + path))
		}
		return txn.Set([]byte(keyCategoryPrefix+path), []byte(text))
	})
	if err != nil {
		return fmt.Errorf("web: keeping the description of category %q: %w", path, err)
	}
	return nil
}

// checkCategoryPath checks a category path as the catalog writes them:
// segments without surrounding spaces joined by " > ".
func checkCategoryPath(path string) error {
	if path == "" || len(path) > maxCategoryPath || !utf8.ValidString(path) {
		return fmt.Errorf("%w: category: must be a category path such as \"Home > Kitchen\", at most %d bytes", ErrCategory, maxCategoryPath)
	}
	for i, seg := range strings.Split(path, " > ") {
		if seg == "" || strings.TrimSpace(seg) != seg || strings.Contains(seg, ">") || strings.ContainsFunc(seg, unicode.IsControl) {
			return fmt.Errorf("%w: category: segment %d must be non-empty, without surrounding spaces, \">\" or control characters", ErrCategory, i+1)
		}
	}
	return nil
}

// CategoryURL is the storefront page of a category path ("Home > Kitchen" is
// /c/home/kitchen).
func CategoryURL(path string) string {
	segs := strings.Split(path, " > ")
	for i, s := range segs {
		segs[i] = url.PathEscape(CategorySlug(s))
	}
	return "/c/" + strings.Join(segs, "/")
}

// CategorySlug is a segment's name in URLs: lower-case letters, marks
// and digits of any script, runs of anything else as one "-"; a name
// with none of those is named by its hash.
func CategorySlug(seg string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(seg) {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte('-')
		}
		gap = false
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		h := fnv.New32a()
		h.Write([]byte(seg))
		return fmt.Sprintf("c%08x", h.Sum32())
	}
	return b.String()
}
