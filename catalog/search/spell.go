package search

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Spelling correction works on the index's own vocabulary: the terms of
// its live documents. A word of a query that no live document holds is
// compared with every term of about its length by edit distance (inserts,
// deletes, substitutions and swaps of two neighbours, each one edit); the
// closest terms, the most common first, replace it. A correction is only
// offered when some live document holds every word of it, so following
// one always finds something (until the catalog changes).

// Correction limits.
const (
	// maxUnknownWords is the most unknown words a query may have and
	// still be corrected: past it, the text is not a misspelled query.
	maxUnknownWords = 3
	// candidatesPerWord is how many close terms each unknown word tries.
	candidatesPerWord = 3
	// surfaceDocs is how many documents of a term are read to find the
	// word it was made from.
	surfaceDocs = 8
)

// maxEdits is how many edits a word of n letters may be from a term: none
// under three letters, one up to five, two from six, as in Lucene's
// automatic fuzziness.
func maxEdits(n int) int {
	switch {
	case n < 3:
		return 0
	case n < 6:
		return 1
	}
	return 2
}

// Correct returns up to limit spellings of text that the index can
// answer, best first, or nil when there is nothing to correct: when text
// has no word the vocabulary lacks, has more than a few of them, or one
// without a close term. Each word no live document holds is replaced by a
// close term, written as a document writes it ("skilet" becomes
// "skillet"), with the capitals of the word typed; the rest of text is
// kept as it was. Every spelling returned matches at least one live
// document.
func (ix *Index) Correct(text string, limit int) []string {
	if limit <= 0 || len(text) > MaxTextBytes {
		return nil
	}
	words := ix.text.words(text)
	if len(words) == 0 || len(words) > MaxTerms {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	cands := make([][]uint32, len(words)) // term ids, for the unknown words
	var unknown []int
	for i, w := range words {
		if id, ok := ix.vocab[w.term]; ok && ix.terms[id].df > 0 {
			continue
		}
		unknown = append(unknown, i)
		if len(unknown) > maxUnknownWords || strings.ContainsFunc(w.term, unicode.IsDigit) {
			return nil // model numbers are typed as they are meant
		}
		if cands[i] = ix.closest(w.term, candidatesPerWord); len(cands[i]) == 0 {
			return nil
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	// The best spelling takes every word's closest term; the others change
	// one word to its next candidate each.
	picks := [][]int{make([]int, len(words))}
	for _, i := range unknown {
		for c := 1; c < len(cands[i]); c++ {
			p := make([]int, len(words))
			p[i] = c
			picks = append(picks, p)
		}
	}
	var out []string
	for _, p := range picks {
		terms := make([]string, len(words))
		for i, w := range words {
			terms[i] = w.term
			if cands[i] != nil {
				terms[i] = ix.terms[cands[i][p[i]]].text
			}
		}
		if ix.matchText(terms).IsEmpty() {
			continue
		}
		if s := ix.respell(text, words, cands, p); !slices.Contains(out, s) {
			out = append(out, s)
		}
		if len(out) == limit {
			break
		}
	}
	return out
}

// closest returns up to n live terms within maxEdits of term: fewest
// edits first, then those starting with the same letter (typos seldom
// touch the first), then the most common, then in text order. The caller
// holds mu.
func (ix *Index) closest(term string, n int) []uint32 {
	q := []rune(term)
	k := maxEdits(len(q))
	if k == 0 {
		return nil
	}
	type cand struct {
		id, dist uint32
		same     bool
	}
	var found []cand
	var buf []rune
	var rows distanceRows
	for id := range ix.terms {
		t := &ix.terms[id]
		if t.df == 0 || len(t.text) < len(q)-k { // a rune is at least a byte
			continue
		}
		if l := utf8.RuneCountInString(t.text); l < len(q)-k || l > len(q)+k {
			continue
		}
		buf = buf[:0]
		for _, r := range t.text {
			buf = append(buf, r)
		}
		if d := rows.distance(q, buf, k); d <= k {
			found = append(found, cand{uint32(id), uint32(d), buf[0] == q[0]})
		}
	}
	slices.SortFunc(found, func(a, b cand) int {
		if a.same != b.same && a.dist == b.dist {
			if a.same {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(ix.terms[b.id].df, ix.terms[a.id].df),
			strings.Compare(ix.terms[a.id].text, ix.terms[b.id].text))
	})
	out := make([]uint32, 0, min(n, len(found)))
	for _, c := range found[:min(n, len(found))] {
		out = append(out, c.id)
	}
	return out
}

// editDistance is the optimal string alignment distance of a and b
// (Levenshtein's edits plus the swap of two neighbouring letters), or
// k+1 as soon as it must exceed k.
func editDistance(a, b []rune, k int) int {
	var rows distanceRows
	return rows.distance(a, b, k)
}

// distanceRows are three rows of editDistance's dynamic programme, kept
// between the comparisons of one word with a whole vocabulary.
type distanceRows struct{ prev2, prev, cur []int }

// distance is editDistance, in rs's rows.
func (rs *distanceRows) distance(a, b []rune, k int) int {
	if abs(len(a)-len(b)) > k {
		return k + 1
	}
	n := len(b) + 1
	if cap(rs.prev) < n {
		rs.prev2, rs.prev, rs.cur = make([]int, n), make([]int, n), make([]int, n)
	}
	prev2, prev, cur := rs.prev2[:n], rs.prev[:n], rs.cur[:n]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > k {
			return k + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// respell writes text with each corrected word replaced by the surface of
// its chosen term, in the word's capitals. The caller holds mu.
func (ix *Index) respell(text string, words []word, cands [][]uint32, pick []int) string {
	var b strings.Builder
	last := 0
	for i, w := range words {
		if cands[i] == nil {
			continue
		}
		b.WriteString(text[last:w.start])
		b.WriteString(matchCase(text[w.start:w.end], ix.surface(cands[i][pick[i]])))
		last = w.end
	}
	b.WriteString(text[last:])
	return b.String()
}

// surface returns a word that documents holding term id write for it,
// lower-cased: terms are stems ("cookwar"), which a shopper should not
// read. The term itself when none of the first documents shows it in
// its title, snippet, brand or category. The caller holds mu.
func (ix *Index) surface(id uint32) string {
	t := &ix.terms[id]
	n := 0
	var found string
	t.matches().Iterate(func(d uint32) bool {
		for _, field := range []string{ix.slots.title(d), ix.brands.name(ix.brandOf[d]), ix.categories.path(ix.categoryOf[d]), ix.slots.snippet(d)} {
			for _, w := range ix.text.words(field) {
				if w.term == t.text {
					found = strings.Clone(strings.ToLower(field[w.start:w.end])) // not a view into a slot's block
					return false
				}
			}
		}
		n++
		return n < surfaceDocs
	})
	if found == "" {
		return t.text
	}
	return found
}

// matchCase gives repl the capitals of typed: all upper case ("SKILET"),
// a capital first letter ("Skilet"), or none.
func matchCase(typed, repl string) string {
	first, _ := utf8.DecodeRuneInString(typed)
	switch {
	case utf8.RuneCountInString(typed) > 1 && strings.ToUpper(typed) == typed && strings.ToLower(typed) != typed:
		return strings.ToUpper(repl)
	case unicode.IsUpper(first):
		r, size := utf8.DecodeRuneInString(repl)
		return string(unicode.ToUpper(r)) + repl[size:]
	}
	return repl
}
