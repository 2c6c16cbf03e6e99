package storefront

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// Reviews is what the storefront needs of shoppers' reviews: writing one
// of a delivered line (signed by this node), and any listing's reviews
// and rating as this node holds them.
type Reviews interface {
	WriteReview(ctx context.Context, shopperID, orderID string, in catalog.ReviewInput) (catalog.Review, error)
	ListingReviews(ctx context.Context, listing string, q catalog.ReviewQuery) (catalog.ReviewPage, error)
	ListingRating(listing string) catalog.Rating
}

// reviewsPerPage is how many reviews a listing page shows at a time.
const reviewsPerPage = 5

// reviewsView is a listing's reviews as its page shows them.
type reviewsView struct {
	Rating  catalog.Rating
	Average string // "4.25"
	Stars   string // "★★★★☆"
	Bars    []starBar
	Reviews []reviewView
	Sort    string
	// NextURL shows the next page of reviews, "" on the last.
	NextURL string
	// SortURLs switch the order.
	NewestURL, HelpfulURL string
}

// starBar is one row of the histogram.
type starBar struct {
	Stars   int
	Count   int64
	Percent int64
}

// reviewView is one review on a listing page. Every text is plain text,
// escaped by the template.
type reviewView struct {
	ID, Title, Text, Reviewer, Variant, Stars, Store string
	Rating                                           int
	Date                                             time.Time
	Photos                                           []string
	Reply                                            string
	Helpful                                          int64
}

// starsText draws a rating of hundredths of a star as five stars,
// rounded to the nearest whole.
func starsText(x100 int64) string {
	n := int((x100 + 50) / 100)
	return strings.Repeat("★", n) + strings.Repeat("☆", 5-n)
}

// reviewsOf builds the reviews section of l's page from the query's
// reviews_sort and reviews_page; nil without reviews.
func (sf *Storefront) reviewsOf(r *http.Request, l catalog.Listing) *reviewsView {
	if sf.deps.Reviews == nil {
		return nil
	}
	rating := sf.deps.Reviews.ListingRating(l.ID)
	if rating.Count == 0 {
		return nil
	}
	sort := r.URL.Query().Get("reviews_sort")
	if sort != catalog.ReviewsHelpful {
		sort = catalog.ReviewsNewest
	}
	cursor := r.URL.Query().Get("reviews_page")
	page, err := sf.deps.Reviews.ListingReviews(r.Context(), l.ID, catalog.ReviewQuery{Sort: sort, Cursor: cursor, Limit: reviewsPerPage})
	if err != nil { // a bad cursor: the first page
		page, err = sf.deps.Reviews.ListingReviews(r.Context(), l.ID, catalog.ReviewQuery{Sort: sort, Limit: reviewsPerPage})
	}
	if err != nil {
		sf.site.Log().Warn("web: reading reviews", "listing", l.ID, "err", err)
		return nil
	}
	names := sf.site.PlatformNames()
	base := web.ListingURL(l.ID)
	v := &reviewsView{Rating: rating, Average: rating.Average(), Stars: starsText(rating.AverageX100), Sort: sort,
		NewestURL: base + "?reviews_sort=newest#reviews", HelpfulURL: base + "?reviews_sort=helpful#reviews"}
	for i := 5; i >= 1; i-- {
		n := rating.Histogram[i-1]
		v.Bars = append(v.Bars, starBar{Stars: i, Count: n, Percent: n * 100 / rating.Count})
	}
	for _, rv := range page.Reviews {
		item := reviewView{ID: rv.ID, Title: rv.Title, Text: rv.Text, Reviewer: rv.Reviewer, Variant: rv.Variant,
			Rating: rv.Rating, Stars: starsText(int64(rv.Rating) * 100), Date: rv.Created, Helpful: rv.Helpful,
			Store: web.PlatformName(names, rv.Storefront)}
		for _, p := range rv.Photos {
			if u := imageURL(p, web.ImageThumb); u != "" {
				item.Photos = append(item.Photos, u)
			}
		}
		if rv.Reply != nil {
			item.Reply = rv.Reply.Text
		}
		v.Reviews = append(v.Reviews, item)
	}
	if page.NextCursor != "" {
		v.NextURL = base + "?reviews_sort=" + sort + "&reviews_page=" + url.QueryEscape(page.NextCursor) + "#reviews"
	}
	return v
}

// reviewURL is the form that reviews a line of a delivered part.
func reviewURL(orderID, part, listing, sku string) string {
	return orderURL(orderID) + "/parts/" + url.PathEscape(part) + "/review?" + url.Values{"listing": {listing}, "sku": {sku}}.Encode()
}

// reviewForm is what the review form shows.
type reviewForm struct {
	Form                 *web.Form
	OrderURL, OrderID    string
	Action, Title, Thumb string
	Listing, SKU         string
	Ratings              []int
}

// reviewLine finds the line the form reviews in a delivered part.
func (sf *Storefront) reviewLine(w http.ResponseWriter, r *http.Request, sv shopperVisit) (order.Order, order.Part, order.Line, bool) {
	o, p, ok := sf.shopperPart(w, r, sv)
	if !ok {
		return o, p, order.Line{}, false
	}
	listing, sku := r.FormValue("listing"), r.FormValue("sku")
	for _, l := range p.Items {
		if l.ListingID == listing && l.SKU == sku && p.Status == order.StatusDelivered && sf.deps.Reviews != nil {
			return o, p, l, true
		}
	}
	sf.site.FailOrder(w, r, fmt.Errorf("%w: part %s has no delivered line %s to review", order.ErrNotFound, p.ID, web.ClipText(sku, 40)))
	return o, p, order.Line{}, false
}

func (sf *Storefront) reviewFormOf(o order.Order, p order.Part, l order.Line, f *web.Form) reviewForm {
	return reviewForm{Form: f, OrderURL: orderURL(o.ID), OrderID: o.ID, Title: l.Title, Listing: l.ListingID, SKU: l.SKU,
		Action: reviewURL(o.ID, p.ID, l.ListingID, l.SKU), Ratings: []int{5, 4, 3, 2, 1}}
}

// reviewPage shows the review form: GET /orders/{id}/parts/{part}/review.
func (sf *Storefront) reviewPage(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, l, ok := sf.reviewLine(w, r, sv)
	if !ok {
		return
	}
	sf.render(w, r, http.StatusOK, "review", sf.shopperPage(sv, sf.site.T(r, "review_form.title", "Title", l.Title), sf.reviewFormOf(o, p, l, web.NewForm())))
}

// writeReview reads the form and signs the review: POST
// /orders/{id}/parts/{part}/review. A problem shows the form again.
func (sf *Storefront) writeReview(w http.ResponseWriter, r *http.Request, sv shopperVisit) {
	o, p, l, ok := sf.reviewLine(w, r, sv)
	if !ok {
		return
	}
	f := web.NewForm()
	text := func(name string) string {
		v := strings.TrimSpace(r.PostForm.Get(name))
		f.Set(name, v)
		return v
	}
	in := catalog.ReviewInput{Part: p.ID, ListingID: l.ListingID, SKU: l.SKU, Title: text("title"), Text: text("text")}
	in.Rating, _ = strconv.Atoi(text("rating"))
	for _, line := range strings.Split(text("photos"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Photos = append(in.Photos, line)
		}
	}
	_, err := sf.deps.Reviews.WriteReview(r.Context(), sv.shopper.ID, o.ID, in)
	var ve *catalog.ValidationError
	switch {
	case err == nil:
		web.SeeOther(w, r, web.ListingURL(l.ListingID)+"#reviews")
		return
	case errors.As(err, &ve):
		for _, e := range ve.Errors {
			input, _, _ := strings.Cut(e.Field, "[")
			switch {
			case input == "rating" && in.Rating == 0:
				f.Add(input, sf.site.T(r, "review_form.choose_stars"))
			case input == "title" && in.Title == "":
				f.Add(input, sf.site.T(r, "review_form.give_title"))
			default:
				f.Add(input, sf.speechOf(r).reviewFieldText(input, e.Message))
			}
		}
	case errors.Is(err, catalog.ErrConflict):
		f.Add("", sf.site.T(r, "review_form.too_late"))
	default:
		sf.site.FailOrder(w, r, err)
		return
	}
	sf.render(w, r, http.StatusUnprocessableEntity, "review", sf.shopperPage(sv, sf.site.T(r, "review_form.title", "Title", l.Title), sf.reviewFormOf(o, p, l, f)))
}

// reviewFieldText names an input at the start of a problem.
func (sp speech) reviewFieldText(input, msg string) string {
	switch input {
	case "rating", "photos":
		return sp.t("review_form.field_"+input, "Problem", msg)
	case "":
		return msg + "."
	}
	return sp.t("review_form.field_other", "Input", input, "Problem", msg)
}
