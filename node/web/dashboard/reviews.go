package dashboard

import (
	"context"
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
}

// reviewsPage is what the reviews page shows.
type reviewsPage struct {
	Reported, Hidden []reviewRow
}

// reviewRow is one review; every text is plain text.
type reviewRow struct {
	ID, Title, Text, Reviewer, Stars, Store, ListingURL, Action string
	// CSRF is the session's token, for the row's form.
	CSRF   string
	Hidden bool
	Date   time.Time
	// Reports are "reason: note" lines, oldest first.
	Reports []string
}

var reviewNotices = map[string]string{
	"hidden": "The review is hidden on this storefront. Other members still show it.",
	"shown":  "The review shows on this storefront again.",
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
	row := func(rv catalog.ReviewView) reviewRow {
		return reviewRow{CSRF: csrf, ID: rv.ID, Title: rv.Title, Text: rv.Text, Reviewer: rv.Reviewer, Hidden: rv.Hidden, Date: rv.Created,
			Stars: strings.Repeat("★", rv.Rating) + strings.Repeat("☆", 5-rv.Rating), Store: web.PlatformName(names, rv.Storefront),
			ListingURL: web.ListingURL(rv.ListingID), Action: "/operator/reviews/" + rv.ID + "/hide"}
	}
	var v reviewsPage
	for _, rr := range reported {
		x := row(rr.ReviewView)
		for _, rep := range rr.Reports {
			line := strings.ReplaceAll(rep.Reason, "_", " ")
			if rep.Note != "" {
				line += ": " + rep.Note
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
