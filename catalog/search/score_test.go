package search

import (
	"math"
	"slices"
	"testing"
)

// relevance is a document's place in the Relevance order, computed by
// referenceScores.
type relevance struct {
	tier, score float64
	inStock     bool
}

// before reports whether r ranks strictly before o, floating point noise
// aside.
func (r relevance) before(o relevance) bool {
	differ := func(a, b float64) bool { return math.Abs(a-b) > 1e-5*math.Max(a, b) }
	switch {
	case differ(r.tier, o.tier):
		return r.tier > o.tier
	case r.inStock != o.inStock:
		return r.inStock
	}
	return differ(r.score, o.score) && r.score > o.score
}

// referenceScores computes each document's tier (idf × the weight of the
// best field, per term), stock and BM25F from the documents' text,
// independently of the index's postings, for the documents holding every
// term.
func referenceScores(docs []Doc, terms []string) map[string]relevance {
	a := newAnalyzer()
	type analyzed struct {
		tf   [numFields]map[string]int
		lens [numFields]float64
	}
	all := make([]analyzed, len(docs))
	var avg [numFields]float64
	df := make(map[string]int)
	for i, d := range docs {
		d = normalize(d)
		for f, text := range [numFields]string{d.Title, d.Brand, d.Category, d.Description} {
			all[i].tf[f] = make(map[string]int)
			a.analyze(text, func(t string) {
				all[i].tf[f][t] = min(all[i].tf[f][t]+1, maxTF)
				all[i].lens[f]++
			})
			avg[f] += all[i].lens[f] / float64(len(docs))
		}
		seen := make(map[string]bool)
		for f := range numFields {
			for t := range all[i].tf[f] {
				if !seen[t] {
					seen[t] = true
					df[t]++
				}
			}
		}
	}
	n := float64(len(docs))
	scores := make(map[string]relevance)
docs:
	for i, d := range docs {
		r := relevance{inStock: d.InStock}
		for _, t := range terms {
			var pseudo, best float64
			for f := range numFields {
				norm := 1 - fieldB[f] + fieldB[f]*all[i].lens[f]/avg[f]
				pseudo += fieldWeight[f] * float64(all[i].tf[f][t]) / norm
				if all[i].tf[f][t] > 0 {
					best = max(best, fieldWeight[f])
				}
			}
			if pseudo == 0 {
				continue docs
			}
			idf := math.Log(1 + (n-float64(df[t])+0.5)/(float64(df[t])+0.5))
			r.score += idf * pseudo * (k1 + 1) / (pseudo + k1)
			r.tier += idf * best
		}
		scores[d.ID] = r
	}
	return scores
}

func TestRelevanceMatchesReference(t *testing.T) {
	docs := genDocs(500, 11)
	ix := newIndexOf(docs)
	for _, text := range []string{"steel", "black set", "kitchen pan", "white cotton shirt"} {
		terms := termsOf(t, ix, text)
		want := referenceScores(docs, terms)
		got, total := walk(t, ix, Query{Text: text, Limit: 50})
		if total != len(want) || len(got) != len(want) {
			t.Fatalf("%q: %d results (Total %d), reference has %d", text, len(got), total, len(want))
		}
		for i := 1; i < len(got); i++ {
			prev, cur := want[got[i-1].ID], want[got[i].ID]
			if cur.before(prev) {
				t.Errorf("%q: %s %+v ranked after %s %+v", text, got[i].ID, cur, got[i-1].ID, prev)
			}
		}
	}
}

func termsOf(t *testing.T, ix *Index, text string) []string {
	terms, err := parseText(ix.text, text)
	if err != nil {
		t.Fatal(err)
	}
	return terms
}

func TestRelevanceRanksInStockFirstAtEqualRelevance(t *testing.T) {
	// Every document but the bread knife has "skillet" in its title:
	// equally relevant, so those in stock come first, however their
	// lengths and repeats move their BM25F scores (b2 says it twice, b3
	// has a long title). b4 holds the word in its description only.
	docs := []Doc{
		{ID: "b0", Title: "Carbon steel skillet", Description: "Seasoned.", Brand: "Ferro", Category: "Kitchen", Price: 4900},
		{ID: "b1", Title: "Carbon steel skillet", Description: "Seasoned.", Brand: "Ferro", Category: "Kitchen", Price: 4900, InStock: true},
		{ID: "b2", Title: "Skillet skillet", Description: "A skillet.", Brand: "Ferro", Category: "Kitchen", Price: 4900},
		{ID: "b3", Title: "Carbon steel skillet with a long descriptive title for the kitchen", Description: "Seasoned.",
			Brand: "Ferro", Category: "Kitchen", Price: 4900, InStock: true},
		{ID: "b4", Title: "Pan lid", Description: "Fits the skillet.", Brand: "Ferro", Category: "Kitchen", Price: 900, InStock: true},
		{ID: "b5", Title: "Bread knife", Description: "Serrated.", Brand: "Edge", Category: "Kitchen", Price: 1900, InStock: true},
	}
	ix := newIndexOf(docs)
	res := mustSearch(t, ix, Query{Text: "skillet"})
	if got := ids(res.Items); !slices.Equal(got, []string{"b1", "b3", "b2", "b0", "b4"}) {
		t.Errorf("skillet ranks %v, want the titles in stock (b1, then the longer b3), then out of stock (b2 says it twice, b0), "+
			"then the description (b4)", got)
	}
	// Stock does not change any other order.
	res = mustSearch(t, ix, Query{Text: "skillet", Sort: PriceAsc})
	if got := ids(res.Items); !slices.Equal(got, []string{"b4", "b0", "b1", "b2", "b3"}) {
		t.Errorf("by price, skillet gives %v, want the id order of equal prices", got)
	}
}
