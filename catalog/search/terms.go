package search

// Analyzer turns text into the index terms the catalog search uses, for
// other small indexes (the help centre's) that should match words as the
// catalog does. It is safe for concurrent use.
type Analyzer struct{ a *analyzer }

// NewAnalyzer returns an Analyzer with its own stem cache.
func NewAnalyzer() *Analyzer { return &Analyzer{a: newAnalyzer()} }

// Terms calls emit with the terms of text, in order, repeats included.
func (x *Analyzer) Terms(text string, emit func(term string)) { x.a.analyze(text, emit) }

// QueryTerms returns the distinct terms of a query, in first-seen order.
func (x *Analyzer) QueryTerms(text string) []string { return x.a.queryTerms(text) }
