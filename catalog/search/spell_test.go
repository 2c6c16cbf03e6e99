package search

import (
	"slices"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		k    int
		want int
	}{
		{"skilet", "skillet", 2, 1},
		{"pna", "pan", 1, 1}, // two neighbours swapped: one edit
		{"abc", "abc", 2, 0},
		{"", "ab", 2, 2},
		{"kettle", "kettel", 2, 1},
		{"ca", "abc", 3, 3}, // optimal string alignment edits no letter twice
		{"kitten", "sitting", 2, 3},
		{"pan", "skillet", 2, 3}, // lengths alone are too far apart
		{"hörer", "horer", 1, 1},
	}
	for _, tt := range tests {
		if got := editDistance([]rune(tt.a), []rune(tt.b), tt.k); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.k, got, tt.want)
		}
	}
}

func TestCorrect(t *testing.T) {
	docs := append(shopDocs(),
		Doc{ID: "s1", Title: "Carbon steel skillet", Description: "Seasoned, ready to cook.", Brand: "Ferro",
			Category: "Home > Kitchen > Cookware", Platform: "p1", Price: 4900, InStock: true, Updated: t0},
		Doc{ID: "s2", Title: "Cast iron skillet", Description: "Heavy and even.", Brand: "Ferro",
			Category: "Home > Kitchen > Cookware", Platform: "p2", Price: 3900, Updated: t0},
		Doc{ID: "s3", Title: "Skilled hands apron", Description: "Linen.", Brand: "Linho",
			Category: "Home > Textiles", Platform: "p2", Price: 2900, InStock: true, Updated: t0},
		Doc{ID: "s4", Title: "Saddle", Description: "Leather.", Brand: "Velocita",
			Category: "Sports > Cycling", Platform: "p3", Price: 5900, InStock: true, Updated: t0},
	)
	ix := newIndexOf(docs)
	tests := []struct {
		name, text string
		want       []string
	}{
		{"a missing letter", "skilet", []string{"skillet", "skilled"}},
		{"the rest as typed", "Cast iron  skilet!", []string{"Cast iron  skillet!"}}, // "skilled" is no cast iron
		{"capitals kept", "SKILET", []string{"SKILLET", "SKILLED"}},
		{"first capital kept", "Skilet", []string{"Skillet", "Skilled"}},
		{"two letters swapped", "pna", []string{"pan"}},
		{"a word as documents write it, not its stem", "cookwear", []string{"cookware"}},
		{"two words corrected", "carbn skilet", []string{"carbon skillet"}},
		{"a known word is not corrected", "skillet", nil},
		{"stopwords alone", "the of", nil},
		{"too short to guess", "zq", nil},
		{"nothing close", "trampoline", nil},
		{"no document holds the corrected words together", "saddle skilet", nil},
		{"model numbers are not guessed", "x200z", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ix.Correct(tt.text, 3); !slices.Equal(got, tt.want) {
				t.Errorf("Correct(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
	if got := ix.Correct("skilet", 1); !slices.Equal(got, []string{"skillet"}) {
		t.Errorf("Correct with limit 1 = %q, want the best only", got)
	}
	// Every correction finds what it promises.
	for _, c := range ix.Correct("Cast iron skilet", 3) {
		if res := mustSearch(t, ix, Query{Text: c}); res.Total == 0 {
			t.Errorf("correction %q finds nothing", c)
		}
	}
	// A word whose documents are all gone is no longer offered.
	ix.Delete("s3")
	if got := ix.Correct("skilet", 3); !slices.Equal(got, []string{"skillet"}) {
		t.Errorf("after the apron went, Correct(skilet) = %q, want skillet only", got)
	}
}
