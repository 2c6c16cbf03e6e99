// Package search is the node's local index of the whole federation's
// catalog: full-text search ranked by relevance, disjunctive facets,
// filters, sorting and cursor pagination, all in memory.
//
// # Model
//
// Each document (Doc, one listing) lives in a slot: a dense uint32 that is
// its position in every column and its member id in every roaring bitmap.
// Slots of deleted documents are reused, and a new document takes the next
// free slot, so a live index holds its documents in the order they arrived.
// Compact, and Refile while searches and updates go on, file them by
// category path instead (index sorting, file.go): a word's documents then
// fill a few bitmap containers densely, which makes the intersections,
// ranking and facet counts over them cheaper. The index keeps:
//
//   - per slot, what a result shows (id, title, a description snippet and
//     image; interned category, merchant and currency) and the document's
//     forward list: its term ids with their frequency per field, which is
//     what it takes to unindex it. The strings are written one after the
//     other in large shared blocks (slotTable), so that the slots hold no
//     pointer for the garbage collector to follow;
//   - columns by slot for price, price band, update time, brand, platform
//     and field lengths, read when sorting, scoring, and counting facets
//     over few results;
//   - bitmaps: the live slots, the in-stock slots, one per brand, platform,
//     category path prefix, price bucket and update-time bucket, and per term
//     one per field (title, brand, category, description) and frequency
//     level. Every bitmap holds live slots only.
//
// Text is analyzed by one function for documents and queries: split on
// anything but Unicode letters and digits, lowercased, English stopwords
// dropped, Snowball-stemmed unless the token holds digits; so "pans" finds
// "pan" and "x200s" stays itself. Every query term must match, in any
// field.
//
// Chinese, Japanese and Korean are written without spaces between words
// (Korean between phrases), so a run of their characters is split from
// the Latin around it and made into overlapping bigrams, as Lucene's
// CJKAnalyzer does: "手机壳" is 手机 and 机壳. Documents also index each
// character, queries do not: a query of two characters or more requires
// its bigrams, which are selective (手机壳 does not find 手机支架), and a
// query of one character (锅) still finds the words it is in. Full-width
// Latin letters and digits fold to ASCII.
//
// A dictionary segmenter (go-ego/gse) was measured and not chosen: its
// simplified-Chinese dictionary alone holds 150 MiB of heap and takes 9 s
// to load, more than all the growth the goal (memory within 1.25x
// of English-only) allows at a million listings, where the English-only
// index holds 584 MiB; and it splits a compound the way its dictionary
// does, so that a query for 燃气 misses 燃气灶. With bigrams a Chinese
// listing costs the index about 420 B more than an English one, half of
// it for the single characters: with a fifth of a million listings in
// Chinese the index holds 666 MiB, 1.14x (BenchmarkBuildChinese; 1.09x
// without single characters, but then a one-character query would find
// only one-character words).
//
// Results are ranked by BM25F: field weights title > brand > category >
// description, per-field length normalization, term frequency capped at
// three per field. Documents that match the query's terms in the same best
// fields are equally relevant: among them, those in stock come
// first, then the higher BM25F score (see relevanceKey). A query
// that matches nothing may be corrected (Correct): each word the
// vocabulary lacks is replaced by the closest word it holds, by edit
// distance, when one is close enough. CJK terms, of two characters at
// most, are too short to be corrected.
//
// # Search
//
// A search intersects the postings of its terms, rarest first, into the
// base set, then intersects the base with each filter's bitmap. The result
// is the intersection of all of them; the facet of each set filter is
// counted over the intersection of all the others, so it is disjunctive.
// A facet is counted by intersecting each value's bitmap or by reading the
// column of each document, whichever is estimated cheaper (see scope), so
// broad queries do not visit every hit to count and narrow ones do not
// touch every value.
//
// Relevance visits the result by tier class, best first: a document's
// tier depends only on the best field of each query term, so the classes
// (in stock first within each) are bitmap operations on the level-0
// postings, and once the page is full the classes that cannot enter it
// are skipped without scoring them (prune.go). Within a class every
// document is scored and the page kept in a bounded heap. The
// price and newest orders visit the price or time buckets in key order and
// stop once the page is full, unless the result is small enough to scan.
// Every order is total: ties break by ascending document id. A cursor holds
// the sort key and id of the last item of a page and a fingerprint of the
// query; the next page starts strictly after it, so pages neither skip nor
// repeat while the index is unchanged. Under concurrent updates a document
// that moves across the cursor may be missed or seen twice, as in any
// keyset pagination.
//
// The results of the last DefaultCacheEntries queries are kept, each for
// the index generation it was computed at; every Upsert, Delete and
// SetRating starts a new generation (cache.go).
//
// # Lifecycle and concurrency
//
// New returns an empty index; the owner fills it with Upsert (and may call
// Compact after a bulk load), keeps it current with Upsert and Delete,
// may Refile it once many documents arrived out of order (Unfiled says
// how many), and may Save it to disk and Load it at the next start. The
// snapshot is derived data: it holds the term postings as roaring bitmaps
// and each slot's document with its forward list, under the caller's
// stamp; Load rebuilds the facet bitmaps from the documents, and the
// caller rebuilds from its database when the stamp is stale or Load
// fails.
// One sync.RWMutex guards the index: searches run in parallel under the
// read lock; an update analyzes its text before taking the write lock and
// then costs one bitmap update per term and value. Refile reads the
// documents a few thousand at a time under the read lock and builds the
// filed index with no lock; it takes the write lock only to index again
// what updates changed at the last moment and swap the filed index in.
package search
