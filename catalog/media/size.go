package media

import "fmt"

// Size names a rendition of a picture that the pages show. Each is the
// canonical picture scaled down, never up, to fit a square box, keeping
// its proportions.
type Size string

// The sizes every node derives from a picture's canonical bytes.
const (
	// Thumb is for gallery thumbnails and cart lines (160 px box).
	Thumb Size = "thumb"
	// Card is for search results and listing cards (480 px box).
	Card Size = "card"
	// Full is for a listing's main picture (1200 px box).
	Full Size = "full"
)

// Sizes are the renditions derived from every picture, largest first.
var Sizes = []Size{Full, Card, Thumb}

// Box is the side of the square a size fits in, in pixels.
func (s Size) Box() int {
	switch s {
	case Thumb:
		return 160
	case Card:
		return 480
	case Full:
		return 1200
	}
	return 0
}

// ParseSize reads a size name.
func ParseSize(name string) (Size, error) {
	s := Size(name)
	if s.Box() == 0 {
		return "", fmt.Errorf("%w: size %q: want thumb, card or full", ErrInvalid, clip(name))
	}
	return s, nil
}

// fit scales w×h down to fit a box×box square, keeping proportions
// (rounded) and at least one pixel a side; a picture that fits already keeps its size.
func fit(w, h, box int) (int, int) {
	if w <= box && h <= box {
		return w, h
	}
	if w >= h {
		return box, max(1, (h*box+w/2)/w)
	}
	return max(1, (w*box+h/2)/h), box
}

// clip cuts s for an error message.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
