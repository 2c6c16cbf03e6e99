package console

import (
	"strconv"
	"strings"
)

// numberedPager is what the "numbered-pager" partial shows: previous and
// next, the page numbers around the current one with the first and the
// last, and which items the page holds ("26–50 of 431").
type numberedPager struct {
	Label     string // the nav's aria-label
	PrevURL   string // "" on the first page
	NextURL   string // "" on the last page
	Pages     []pagerLink
	Shown     string // "26–50 of 431 listings"
	Current   int
	PageCount int
	// PageBefore and PageAfter are the hidden words around a page's
	// number ("Page " and "" in English, "第" and "页" in Chinese).
	PageBefore, PageAfter string
	// PrevText and NextText are the step links' words, PrevHidden and
	// NextHidden the words only a screen reader says after them
	// ("Next" and " page" in English, "下一页" and "" in Chinese).
	PrevText, PrevHidden, NextText, NextHidden string
}

// cut is what splits a message at the point its placeholder marks.
const cut = "\x00"

// cutMessage is message id of l split where its {{.Cut}} stands.
func cutMessage(l words, id string, args ...any) (before, after string) {
	before, after, _ = strings.Cut(l.T(id, append(args, "Cut", cut)...), cut)
	return before, after
}

// pagerLink is one page number, or a gap ("…") when Gap is set.
type pagerLink struct {
	Number  int
	URL     string
	Current bool
	Gap     bool
}

// pagerWindow is how many page numbers the pager shows on each side of
// the current one.
const pagerWindow = 2

// pageCount is how many pages of size hold total items (at least one).
func pageCount(total, size int) int {
	return max(1, (total+size-1)/size)
}

// newNumberedPager builds the pager of page (from 1) of total items
// shown size a page; urlOf makes a page's link. shown is the message
// that says which items the page holds, in l's language, given First,
// Last and Total ("console.pager.listings": "26–50 of 431 listings").
func newNumberedPager(l words, label, shown string, page, size, total int, urlOf func(page int) string) numberedPager {
	n := pageCount(total, size)
	p := numberedPager{Label: label, Current: page, PageCount: n}
	p.PageBefore, p.PageAfter = cutMessage(l, "console.pager.page_n")
	p.PrevText, p.PrevHidden = cutMessage(l, "console.pager.previous")
	p.NextText, p.NextHidden = cutMessage(l, "console.pager.next")
	if total > 0 {
		first := (page-1)*size + 1
		p.Shown = l.T(shown, "First", thousands(first), "Last", thousands(min(page*size, total)), "Total", thousands(total))
	}
	if n == 1 {
		return p
	}
	if page > 1 {
		p.PrevURL = urlOf(page - 1)
	}
	if page < n {
		p.NextURL = urlOf(page + 1)
	}
	last := 0
	for i := 1; i <= n; i++ {
		if i != 1 && i != n && (i < page-pagerWindow || i > page+pagerWindow) {
			continue
		}
		if last != 0 && i > last+1 {
			p.Pages = append(p.Pages, pagerLink{Gap: true})
		}
		p.Pages = append(p.Pages, pagerLink{Number: i, URL: urlOf(i), Current: i == page})
		last = i
	}
	return p
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
