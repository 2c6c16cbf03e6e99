package search

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// TestUnionsStayExact searches the frequent words of a catalog, so that
// the index keeps their unions, then deletes, changes and adds documents
// holding them. Every kept union must still be the term's documents, and
// every search must answer as an index built afresh from the same
// documents does.
func TestUnionsStayExact(t *testing.T) {
	docs := genDocs(3*unionMin, 21)
	ix := newIndexOf(docs)
	ix.SetResultCache(0)
	frequent := frequentWords(t, ix)
	search := func(ix *Index, text string) Result {
		t.Helper()
		res, err := ix.Search(Query{Text: text, Limit: MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, w := range frequent {
		search(ix, w)
	}
	if len(ix.unions.entries) == 0 {
		t.Fatalf("searching %d frequent words kept no union", len(frequent))
	}

	// Delete every fifth document, rewrite the title and description of
	// every third (taking the frequent words out of them), and add
	// documents holding the first frequent word.
	w := frequent[0]
	for i := range docs {
		switch {
		case i%5 == 0:
			ix.Delete(docs[i].ID)
			docs[i].ID = ""
		case i%3 == 0:
			docs[i].Title = "renamed " + docs[i].Brand
			docs[i].Description = "nothing in common"
			ix.Upsert(docs[i])
		}
	}
	for i := range 500 {
		d := Doc{ID: fmt.Sprintf("new-%04d", i), Title: w + " extra", Description: "added later", Brand: "Late", Category: "Home"}
		docs = append(docs, d)
		ix.Upsert(d)
	}
	docs = slices.DeleteFunc(docs, func(d Doc) bool { return d.ID == "" })

	checkUnions(t, ix)
	fresh := newIndexOf(docs)
	fresh.SetResultCache(0)
	for _, w := range frequent {
		got, want := search(ix, w), search(fresh, w)
		if got.Total != want.Total || !slices.Equal(ids(got.Items), ids(want.Items)) {
			t.Fatalf("%q: %d results, the fresh index %d (or another page)", w, got.Total, want.Total)
		}
	}
	checkInvariants(t, ix)
}

// TestUnionsUnderConcurrentSearchAndUpdate searches frequent words from
// four goroutines while another changes documents holding them: the race
// detector checks the kept unions' locking, the end their exactness.
func TestUnionsUnderConcurrentSearchAndUpdate(t *testing.T) {
	docs := genDocs(2*unionMin, 22)
	ix := newIndexOf(docs)
	ix.SetResultCache(0)
	words := frequentWords(t, ix)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 400 {
			d := docs[i]
			ix.Delete(d.ID)
			d.Title = words[i%len(words)] + " " + d.Title
			ix.Upsert(d)
		}
	})
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				if _, err := ix.Search(Query{Text: words[(g+i)%len(words)]}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	checkUnions(t, ix)
}

// frequentWords returns, sorted, the words of ix whose unions the index
// keeps once searched.
func frequentWords(t *testing.T, ix *Index) []string {
	t.Helper()
	var words []string
	for text, id := range ix.vocab {
		if tm := &ix.terms[id]; tm.df >= unionMin && tm.level0() >= 2 {
			words = append(words, text)
		}
	}
	if len(words) == 0 {
		t.Fatal("no term is frequent enough to keep its union: the test checks nothing")
	}
	slices.Sort(words)
	return words
}

// checkUnions fails unless every kept union holds its term's documents.
func checkUnions(t *testing.T, ix *Index) {
	t.Helper()
	for id, e := range ix.unions.entries {
		if got, want := e.Value.(*union).docs, ix.terms[id].matches(); !got.Equals(want) {
			t.Fatalf("kept union of %q holds %d documents, its postings %d", ix.terms[id].text, got.GetCardinality(), want.GetCardinality())
		}
	}
}
