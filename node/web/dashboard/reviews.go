package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// The operator sees the reviews reported on this storefront (a report
// stays where it was made) and hides a review here, or shows it again;
// hiding affects no other member. Taking a review down everywhere is its
// signing storefront's, by the API.

// Reviews are the reviews this storefront's shoppers reported and the
// ones its operator hid; *catalog.Catalog satisfies it.
type Reviews interface {
	ReportedReviews(ctx context.Context) ([]catalog.ReportedReview, error)
	HiddenReviews(ctx context.Context) ([]catalog.ReviewView, error)
	HideReview(ctx context.Context, id string, hide bool) error
	// TakeDownReview takes a review this storefront signed down on every
	// member (a tombstone record).
	TakeDownReview(ctx context.Context, id string) error
}

// reviewsPage is what the reviews page shows.
type reviewsPage struct {
	Reported, Hidden []reviewRow
	// Names is how this storefront names reviewers (a
	// web.ReviewerNamings choice), Namings the choices, CSRF the form's.
	Names   string
	Namings []namingOption
	CSRF    string
}

// namingOption is one way to name reviewers, as the form offers it.
type namingOption struct{ Value, Label, Example string }

// namingOptions are web.ReviewerNamings in words.
var namingOptions = []namingOption{
	{web.ReviewerFirstInitial, "First name and initial", "Ada L."},
	{web.ReviewerFirstName, "First name only", "Ada"},
	{web.ReviewerVerifiedBuyer, "No name", "Verified buyer"},
}

// reviewRow is one review; every text is plain text.
type reviewRow struct {
	ID, Title, Text, Reviewer, Stars, Store, ListingURL, Action string
	// TakeDown is the form's action that takes the review down on every
	// member, "" for a review another storefront signed.
	TakeDown string
	// CSRF is the session's token, for the row's form.
	CSRF   string
	Hidden bool
	Date   time.Time
	// Reports are "reason: note" lines, oldest first.
	Reports []string
}

var reviewNotices = map[string]string{
	"hidden":     "The review is hidden on this storefront. Other members still show it.",
	"taken-down": "The review is taken down: every member removes it as the tombstone reaches it.",
	"names":      "Reviewer names saved: reviews signed from now on name their reviewers this way.",
	"shown":      "The review shows on this storefront again.",
}

// operatorReviews lists the reported and the hidden reviews: GET
// /operator/reviews.
func (d *Dashboard) operatorReviews(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	ctx := r.Context()
	reported, err := d.deps.Reviews.ReportedReviews(ctx)
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	hidden, err := d.deps.Reviews.HiddenReviews(ctx)
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	names := d.site.PlatformNames()
	csrf := d.sessions.CSRFToken(sess)
	self := d.deps.Merchants.Platform()
	row := func(rv catalog.ReviewView) reviewRow {
		x := reviewRow{CSRF: csrf, ID: rv.ID, Title: rv.Title, Text: rv.Text, Reviewer: rv.Reviewer, Hidden: rv.Hidden, Date: rv.Created,
			Stars: strings.Repeat("★", rv.Rating) + strings.Repeat("☆", 5-rv.Rating), Store: web.PlatformName(names, rv.Storefront),
			ListingURL: web.ListingURL(rv.ListingID), Action: "/operator/reviews/" + rv.ID + "/hide"}
		if rv.Storefront == self {
			x.TakeDown = "/operator/reviews/" + rv.ID + "/takedown"
		}
		return x
	}
	naming, err := d.site.ReviewerNames()
	if err != nil {
		d.site.Fail(w, r, err)
		return
	}
	v := reviewsPage{Names: naming, Namings: namingOptions, CSRF: csrf}
	for _, rr := range reported {
		x := row(rr.ReviewView)
		for _, rep := range rr.Reports {
			line := strings.ReplaceAll(rep.Reason, "_", " ")
			if rep.Note != "" {
				line += ": " + rep.Note
			}
			if rep.From != "" {
				line += " (reported on " + web.PlatformName(names, rep.From) + ")"
			}
			x.Reports = append(x.Reports, line)
		}
		v.Reported = append(v.Reported, x)
	}
	for _, rv := range hidden {
		v.Hidden = append(v.Hidden, row(rv))
	}
	p := d.dashboardPage(sess, "Reviews", "/operator/reviews", v)
	p.Styles, p.Notice = []string{"dashboard.css"}, web.NoticeIn(r, reviewNotices)
	d.pages.Render(w, r, http.StatusOK, "operator_reviews", p)
}

// hideReview hides a review here, or shows it again: POST
// /operator/reviews/{id}/hide with hide=1 or hide=0.
func (d *Dashboard) hideReview(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	hide := r.PostFormValue("hide") == "1"
	if err := d.deps.Reviews.HideReview(r.Context(), r.PathValue("id"), hide); err != nil {
		d.site.Fail(w, r, err)
		return
	}
	done := "shown"
	if hide {
		done = "hidden"
	}
	web.SeeOther(w, r, "/operator/reviews?done="+done)
}

// takeDownReview takes a review this storefront signed down on every
// member: POST /operator/reviews/{id}/takedown.
func (d *Dashboard) takeDownReview(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	if err := d.deps.Reviews.TakeDownReview(r.Context(), r.PathValue("id")); err != nil {
		d.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/operator/reviews?done=taken-down")
}

// saveReviewerNames keeps how the storefront names reviewers: POST
// /operator/reviews/names with names=<choice>.
func (d *Dashboard) saveReviewerNames(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	if err := d.site.SetReviewerNames(r.PostFormValue("names")); err != nil {
		if errors.Is(err, web.ErrReviewerNames) {
			err = fmt.Errorf("%w: %v", catalog.ErrInvalid, err)
		}
		d.site.Fail(w, r, err)
		return
	}
	web.SeeOther(w, r, "/operator/reviews?done=names")
}
