package content

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"slices"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog/search"
)

// helpIndex is the help search: for each term, the articles that hold it
// and how strongly (title words count thrice, category words twice).
type helpIndex struct {
	an       *search.Analyzer
	postings map[string]map[int]int // term -> article -> weighted term frequency
	articles []*Listed
}

func newHelpIndex(an *search.Analyzer, articles []*Listed) *helpIndex {
	ix := &helpIndex{an: an, postings: map[string]map[int]int{}, articles: articles}
	for i, a := range articles {
		for _, f := range []struct {
			text   string
			weight int
		}{{a.Title, 3}, {a.Category, 2}, {a.Body, 1}} {
			an.Terms(f.text, func(t string) {
				p := ix.postings[t]
				if p == nil {
					p = map[int]int{}
					ix.postings[t] = p
				}
				p[i] += f.weight
			})
		}
	}
	return ix
}

// Hit is one article a help search found.
type Hit struct {
	Listed
	// Matched counts the query's terms the article holds.
	Matched int
	score   float64
}

// search ranks the articles by how many of the query's terms they hold,
// then by tf-idf.
func (ix *helpIndex) search(q string, section string, limit int) []Hit {
	terms := ix.an.QueryTerms(q)
	hits := map[int]*Hit{}
	n := float64(len(ix.articles))
	for _, t := range terms {
		p := ix.postings[t]
		idf := math.Log(1 + n/float64(len(p)+1))
		for i, tf := range p {
			a := ix.articles[i]
			if section != "" && a.Section != section {
				continue
			}
			h := hits[i]
			if h == nil {
				h = &Hit{Listed: *a}
				hits[i] = h
			}
			h.Matched++
			h.score += float64(tf) * idf
		}
	}
	out := make([]Hit, 0, len(hits))
	for _, h := range hits {
		out = append(out, *h)
	}
	slices.SortFunc(out, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(b.Matched, a.Matched), cmp.Compare(b.score, a.score), cmp.Compare(a.Title, b.Title), cmp.Compare(a.Key, b.Key))
	})
	return out[:min(len(out), limit)]
}

// Search finds published help articles (of section, or all when empty)
// that hold the words of q, best first, at most limit.
func (s *Store) Search(ctx context.Context, q, section string, limit int) ([]Hit, error) {
	v, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return v.index.search(q, section, limit), nil
}

// SearchIn is Search over the articles' versions in lang (those without
// one as written); a language without versions is Search.
func (s *Store) SearchIn(ctx context.Context, lang, q, section string, limit int) ([]Hit, error) {
	v, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	ix, ok := v.indexIn[lang]
	if !ok {
		ix = v.index
	}
	return ix.search(q, section, limit), nil
}

// Votes are the answers to "was this helpful?" on this storefront.
type Votes struct {
	Yes int64 `json:"yes"`
	No  int64 `json:"no"`
}

// Vote counts one shopper's answer for the article with key.
func (s *Store) Vote(ctx context.Context, key string, helpful bool) (Votes, error) {
	if err := ctx.Err(); err != nil {
		return Votes{}, err
	}
	if _, err := s.Find(ctx, KindArticle, key); err != nil {
		return Votes{}, err
	}
	var v Votes
	err := s.db.Update(func(txn *badger.Txn) error {
		var err error
		if v, err = getVotes(txn, key); err != nil {
			return err
		}
		if helpful {
			v.Yes++
		} else {
			v.No++
		}
		return putJSON(txn, []byte(prefixVotes+KindArticle+"/"+key), v)
	})
	return v, err
}

// VotesOf returns the answers counted for the article with key.
func (s *Store) VotesOf(ctx context.Context, key string) (Votes, error) {
	if err := ctx.Err(); err != nil {
		return Votes{}, err
	}
	var v Votes
	err := s.db.View(func(txn *badger.Txn) (err error) {
		v, err = getVotes(txn, key)
		return err
	})
	return v, err
}

func getVotes(txn *badger.Txn, key string) (Votes, error) {
	var v Votes
	item, err := txn.Get([]byte(prefixVotes + KindArticle + "/" + key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return v, nil
	}
	if err != nil {
		return v, err
	}
	return v, item.Value(func(b []byte) error { return json.Unmarshal(b, &v) })
}

// Viewed counts one view of the article with key (for "most viewed").
func (s *Store) Viewed(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k := []byte(prefixViews + KindArticle + "/" + key)
	return s.db.Update(func(txn *badger.Txn) error {
		var n uint64
		item, err := txn.Get(k)
		switch {
		case err == nil:
			err = item.Value(func(b []byte) error {
				if len(b) == 8 {
					n = binary.BigEndian.Uint64(b)
				}
				return nil
			})
		case errors.Is(err, badger.ErrKeyNotFound):
			err = nil
		}
		if err != nil {
			return err
		}
		return txn.Set(k, binary.BigEndian.AppendUint64(nil, n+1))
	})
}

// MostViewed returns up to n published articles, most viewed first.
func (s *Store) MostViewed(ctx context.Context, n int) ([]Listed, error) {
	v, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	views := map[string]uint64{}
	err = s.db.View(func(txn *badger.Txn) error {
		prefix := []byte(prefixViews + KindArticle + "/")
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			key := string(it.Item().Key()[len(prefix):])
			_ = it.Item().Value(func(b []byte) error {
				if len(b) == 8 {
					views[key] = binary.BigEndian.Uint64(b)
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Listed, 0, len(v.articles))
	for _, a := range v.articles {
		if views[a.Key] > 0 {
			out = append(out, *a)
		}
	}
	slices.SortStableFunc(out, func(a, b Listed) int { return cmp.Compare(views[b.Key], views[a.Key]) })
	return out[:min(len(out), n)], nil
}
