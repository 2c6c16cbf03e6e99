package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/node/web"
)

// Shoppers review what was delivered to them on any member's storefront;
// the reviews of a merchant's listings reach its home node, where the
// merchant reads them and replies once to each (a record this node signs
// and publishes).

// Reviews are the reviews of a merchant's listings and its replies;
// *catalog.Catalog satisfies it.
type Reviews interface {
	MerchantReviews(ctx context.Context, platform, merchant string, limit int) ([]catalog.ReviewView, error)
	MerchantRating(platform, merchant string) catalog.Rating
	PutReply(ctx context.Context, merchantID, reviewID, text string) (catalog.ReviewReply, error)
}

// reviewsShown bounds the reviews the page lists.
const reviewsShown = 200

// reviewsView is what the reviews page shows.
type reviewsView struct {
	Rating  catalog.Rating
	Average string
	Rows    []reviewRow
	Form    *web.Form
	// Failed is the review whose reply Form's errors are about.
	Failed string
}

// reviewRow is one review in the list; every text is plain text.
type reviewRow struct {
	ID, Listing, ListingURL, Title, Text, Reviewer, Variant, Stars, Store, Reply, Action string
	Rating                                                                               int
	Date                                                                                 time.Time
}

// reviewNotices confirm an action, by "done": the messages' ids.
var reviewNotices = map[string]string{
	"replied": "console.reviews.notice_replied",
}

// reviewsPage lists the reviews of the merchant's listings: GET
// /merchant/reviews.
func (c *Console) reviewsPage(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	c.renderReviews(w, r, mv, http.StatusOK, web.NewForm(), "")
}

func (c *Console) renderReviews(w http.ResponseWriter, r *http.Request, mv merchantVisit, status int, f *web.Form, failed string) {
	platform := c.deps.Merchants.Platform()
	all, err := c.deps.Reviews.MerchantReviews(r.Context(), platform, mv.merchant.ID, reviewsShown)
	if err != nil {
		c.site.Fail(w, r, err)
		return
	}
	rating := c.deps.Reviews.MerchantRating(platform, mv.merchant.ID)
	v := reviewsView{Rating: rating, Average: rating.Average(), Form: f, Failed: failed}
	names := c.site.PlatformNames()
	for _, rv := range all {
		row := reviewRow{ID: rv.ID, Listing: rv.ListingID, ListingURL: web.ListingURL(rv.ListingID), Title: rv.Title, Text: rv.Text,
			Reviewer: rv.Reviewer, Variant: rv.Variant, Rating: rv.Rating, Stars: strings.Repeat("★", rv.Rating) + strings.Repeat("☆", 5-rv.Rating),
			Store: web.PlatformName(names, rv.Storefront), Date: rv.Created, Action: "/merchant/reviews/" + rv.ID + "/reply"}
		if rv.Reply != nil {
			row.Reply = rv.Reply.Text
		}
		v.Rows = append(v.Rows, row)
	}
	p := c.consolePage(mv, c.site.T(r, "console.nav.reviews"), "/merchant/reviews", v)
	p.Notice = c.notice(r, reviewNotices)
	c.pages.Render(w, r, status, "merchant_reviews", p)
}

// reply publishes the merchant's reply: POST /merchant/reviews/{id}/reply.
func (c *Console) reply(w http.ResponseWriter, r *http.Request, mv merchantVisit) {
	id := r.PathValue("id")
	text := strings.TrimSpace(r.PostFormValue("text"))
	_, err := c.deps.Reviews.PutReply(r.Context(), mv.merchant.ID, id, text)
	var ve *catalog.ValidationError
	f := web.NewForm()
	f.Set("text", text)
	switch {
	case err == nil:
		web.SeeOther(w, r, "/merchant/reviews?done=replied")
		return
	case errors.As(err, &ve):
		for _, e := range ve.Errors {
			f.Add("text", c.fieldProblem(r, c.site.T(r, "console.reviews.the_reply"), e.Message))
		}
	case errors.Is(err, catalog.ErrConflict):
		f.Add("text", c.site.T(r, "console.reviews.replied_already"))
	default:
		c.site.Fail(w, r, err)
		return
	}
	c.renderReviews(w, r, mv, http.StatusUnprocessableEntity, f, id)
}
