package search

import (
	"math"
	"slices"
	"testing"
)

// referenceScores computes BM25F from the documents' text (nine tenths of
// it for a document out of stock), independently of the index's postings,
// for the documents holding every term.
func referenceScores(docs []Doc, terms []string) map[string]float64 {
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
	scores := make(map[string]float64)
docs:
	for i, d := range docs {
		var total float64
		for _, t := range terms {
			var pseudo float64
			for f := range numFields {
				norm := 1 - fieldB[f] + fieldB[f]*all[i].lens[f]/avg[f]
				pseudo += fieldWeight[f] * float64(all[i].tf[f][t]) / norm
			}
			if pseudo == 0 {
				continue docs
			}
			idf := math.Log(1 + (n-float64(df[t])+0.5)/(float64(df[t])+0.5))
			total += idf * pseudo * (k1 + 1) / (pseudo + k1)
		}
		if !d.InStock {
			total *= outOfStockFactor
		}
		scores[d.ID] = total
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
			if cur > prev*(1+1e-5) {
				t.Errorf("%q: %s (%.6f) ranked after %s (%.6f)", text, got[i].ID, cur, got[i-1].ID, prev)
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

func TestRelevanceRanksInStockFirstAtEqualScore(t *testing.T) {
	// b0 and b1 read alike, so they score alike; b0 comes first by id
	// unless stock decides. b2 matches the word twice in its title and
	// scores far higher: being out of stock does not bury it.
	docs := []Doc{
		{ID: "b0", Title: "Carbon steel skillet", Description: "Seasoned.", Brand: "Ferro", Category: "Kitchen", Price: 4900},
		{ID: "b1", Title: "Carbon steel skillet", Description: "Seasoned.", Brand: "Ferro", Category: "Kitchen", Price: 4900, InStock: true},
		{ID: "b2", Title: "Skillet skillet", Description: "A skillet.", Brand: "Ferro", Category: "Kitchen", Price: 4900},
		{ID: "b3", Title: "Bread knife", Description: "Serrated.", Brand: "Edge", Category: "Kitchen", Price: 1900, InStock: true},
	}
	ix := newIndexOf(docs)
	res := mustSearch(t, ix, Query{Text: "skillet"})
	if got := ids(res.Items); !slices.Equal(got, []string{"b2", "b1", "b0"}) {
		t.Errorf("skillet ranks %v, want b2 (far more relevant), then b1 (in stock) before b0 (its twin, out of stock)", got)
	}
	// Stock does not change any other order.
	res = mustSearch(t, ix, Query{Text: "skillet", Sort: PriceAsc})
	if got := ids(res.Items); !slices.Equal(got, []string{"b0", "b1", "b2"}) {
		t.Errorf("by price, skillet gives %v, want the id order of equal prices", got)
	}
}
