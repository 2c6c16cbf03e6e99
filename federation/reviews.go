package federation

import (
	"fmt"
	"time"
)

// Review terms: a storefront may edit a review it signed (a new version
// of the same review record) within the edit window after it first
// signed it; after that, only a takedown.
const (
	// DefaultReviewEditWindow is the edit window when a charter leaves
	// it zero.
	DefaultReviewEditWindow = 30 * 24 * time.Hour
	// MaxReviewEditWindow bounds it.
	MaxReviewEditWindow = 366 * 24 * time.Hour
)

// ReviewTerms are the alliance's rules for shoppers' reviews.
type ReviewTerms struct {
	// EditWindow is how long after a review was first signed its
	// storefront may sign a new version; zero means
	// DefaultReviewEditWindow.
	EditWindow Duration `json:"edit_window,omitempty"`
}

// Window returns the edit window, the default filled in.
func (t ReviewTerms) Window() time.Duration {
	if t.EditWindow == 0 {
		return DefaultReviewEditWindow
	}
	return time.Duration(t.EditWindow)
}

func (t ReviewTerms) validate() error {
	if t.EditWindow < 0 || time.Duration(t.EditWindow) > MaxReviewEditWindow {
		return invalid("charter.reviews.edit_window", fmt.Sprintf("must be positive and at most %s (0: the default, %s)", MaxReviewEditWindow, DefaultReviewEditWindow))
	}
	return nil
}
