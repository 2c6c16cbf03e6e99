package search

import (
	"strings"
	"time"
	"unicode/utf8"
)

// SnippetBytes is how much of a Description the index keeps for results:
// the whole description is indexed for matching, but a result item carries
// at most this many bytes of it, cut at a word boundary. Callers that show
// the full text read the listing from the catalog.
const SnippetBytes = 160

// categorySep joins the segments of a normalized category path.
const categorySep = " > "

// Doc is one listing as the index sees it: the text it matches on, the
// values it is filtered and faceted by, and what a result page shows.
type Doc struct {
	// ID is the global listing id; it identifies the document in Upsert and
	// Delete and breaks ranking ties.
	ID string
	// Title is the listing title; the most heavily weighted text field.
	Title string
	// Description is matched in full; results carry its first SnippetBytes.
	Description string
	// Brand is matched as text and faceted by exact value.
	Brand string
	// Category is a path such as "Home > Kitchen > Cookware"; it is
	// normalized (segments trimmed, empty segments dropped), matched as
	// text, filtered by path prefix and faceted by level.
	Category string
	// Platform is the listing's home platform (peer ID string).
	Platform string
	// Merchant is the merchant id on the home platform.
	Merchant string
	// Price is the lowest variant price in minor units of Currency; negative
	// prices are stored as zero.
	Price int64
	// Currency is the ISO 4217 code of Price.
	Currency string
	// InStock reports whether any variant is in stock.
	InStock bool
	// Image is the URL of the listing's main image.
	Image string
	// Updated is the listing's last change; it orders Newest. The index
	// keeps it to the microsecond, in UTC.
	Updated time.Time
	// Rating is the average of the shoppers' reviews in hundredths of a
	// star and Reviews their number, in results; Upsert ignores both
	// (ratings are set with SetRating).
	Rating  int64
	Reviews int64
}

// normalize trims the values of d that are matched exactly, and normalizes
// its category path.
func normalize(d Doc) Doc {
	d.Brand = strings.TrimSpace(d.Brand)
	d.Platform = strings.TrimSpace(d.Platform)
	d.Merchant = strings.TrimSpace(d.Merchant)
	d.Currency = strings.TrimSpace(d.Currency)
	d.Category = normalizeCategory(d.Category)
	return d
}

// normalizeCategory trims the segments of a category path and joins them
// with " > ", dropping empty segments: " Home>Kitchen > " is "Home > Kitchen".
func normalizeCategory(path string) string {
	if path == "" {
		return ""
	}
	parts := strings.Split(path, ">")
	kept := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, categorySep)
}

// snippet cuts s to at most SnippetBytes, at the last space before the
// limit when there is one, and always at a rune boundary.
func snippet(s string) string {
	if len(s) <= SnippetBytes {
		return s
	}
	cut := SnippetBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > SnippetBytes/2 {
		cut = sp
	}
	return strings.TrimSpace(s[:cut]) // newSlot copies it
}

// zeroMicros is time.Time{} in Unix microseconds.
var zeroMicros = time.Time{}.UnixMicro()

// toMicros encodes t for the updated column, clamped to ±maxMicros.
func toMicros(t time.Time) int64 {
	return min(max(t.UnixMicro(), -maxMicros), maxMicros)
}

// fromMicros decodes the updated column; the zero time comes back zero.
func fromMicros(m int64) time.Time {
	if m == zeroMicros {
		return time.Time{}
	}
	return time.UnixMicro(m).UTC()
}
