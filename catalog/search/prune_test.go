package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// fieldCorpus returns n documents whose every text field draws from one
// small vocabulary, so that a query term is found in titles, brands,
// categories and descriptions alike, and many documents tie on tier, on
// stock and on score.
func fieldCorpus(n int, seed uint64) []Doc {
	r := rand.New(rand.NewPCG(seed, 7))
	vocab := strings.Fields("steel pan pot knife lamp oak chair red blue green wool silk kettle grill tent boot bag cup mug desk")
	zipf := rand.NewZipf(r, 1.3, 2, uint64(len(vocab)-1))
	words := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = vocab[zipf.Uint64()]
		}
		return strings.Join(w, " ")
	}
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = Doc{
			ID:          fmt.Sprintf("p%05d", r.IntN(10*n)), // ids do not follow slots
			Title:       words(1 + r.IntN(6)),
			Brand:       words(r.IntN(2)),
			Category:    "Home > " + words(1),
			Description: words(r.IntN(30)),
			Platform:    fmt.Sprintf("plat%d", r.IntN(3)),
			Price:       int64(r.IntN(50)) * 100,
			Currency:    "EUR",
			InStock:     r.IntN(3) > 0,
		}
	}
	return docs
}

// TestPrunedRankingMatchesFullScoring checks that ranking by tier
// classes, which skips the classes that cannot enter the page, returns
// exactly what scoring every document of the result returns, page after
// page, for many random queries on a corpus where terms are in every
// field.
func TestPrunedRankingMatchesFullScoring(t *testing.T) {
	docs := fieldCorpus(8000, 3)
	ix := newIndexOf(docs)
	for _, d := range docs[:500] {
		ix.Delete(d.ID)
	}
	r := rand.New(rand.NewPCG(11, 5))
	vocab := strings.Fields("steel pan pot knife lamp oak chair red blue green wool kettle tent mug")
	sc := ix.getScratch()
	defer ix.putScratch(sc)
	pruned := 0
	for qi := range 300 {
		var text []string
		for range 1 + r.IntN(3) {
			text = append(text, vocab[r.IntN(len(vocab))])
		}
		q := Query{Text: strings.Join(text, " "), Limit: []int{1, 5, 20, 100}[r.IntN(4)]}
		switch r.IntN(4) {
		case 0:
			q.InStock = true
		case 1:
			q.Platform = []string{"plat1"}
		}
		p, err := newPlan(q, ix.text)
		if err != nil {
			t.Fatal(err)
		}
		sel := ix.selectDocs(&p)
		if sel.result.GetCardinality() >= pruneMin {
			pruned++
		}
		for page := 0; page < 4; page++ {
			got := slices.Clone(ix.rank(&p, sel.result, sc))
			full := ix.newTopK(p.limit+1, p.after)
			ix.score(p.terms, sel.result, sc, full)
			want := full.sorted()
			if !slices.Equal(got, want) {
				t.Fatalf("query %d %+v, page %d: pruned ranking\n%v\nwant (every document scored)\n%v", qi, q, page, got, want)
			}
			if len(got) <= p.limit {
				break
			}
			last := got[p.limit-1]
			p.after = &cursor{p.sort, p.fingerprint, last.key, ix.slots.id(last.doc)}
		}
	}
	if pruned < 100 {
		t.Fatalf("only %d of 300 queries had results large enough to be split into classes", pruned)
	}
}
