package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/fedmart/fedmart/catalog"
	"github.com/gin-gonic/gin"
)

// Reviews is what the API needs of shoppers' reviews: the storefront
// signs its shoppers' reviews of delivered lines, every member serves
// every review and rating it holds, a listing's home node signs its
// merchant's replies, and what this node's operator and shoppers do to a
// review here (reports, hiding, helpful votes) stays here.
type Reviews interface {
	WriteReview(ctx context.Context, shopperID, orderID string, in catalog.ReviewInput) (catalog.Review, error)
	Review(ctx context.Context, id string) (catalog.ReviewView, error)
	ListingReviews(ctx context.Context, listing string, q catalog.ReviewQuery) (catalog.ReviewPage, error)
	ListingRating(listing string) catalog.Rating
	VariantRatings(listing string) map[string]catalog.Rating
	MerchantRating(platform, merchant string) catalog.Rating
	PutReply(ctx context.Context, merchantID, reviewID, text string) (catalog.ReviewReply, error)
	TakeDownReview(ctx context.Context, id string) error
	ReportReview(ctx context.Context, id, reason, note string) (catalog.Report, error)
	ReportedReviews(ctx context.Context) ([]catalog.ReportedReview, error)
	HideReview(ctx context.Context, id string, hide bool) error
	HiddenReviews(ctx context.Context) ([]catalog.ReviewView, error)
	VoteHelpful(ctx context.Context, id, voter string) error
}

// reviewRoutes serves reviews: writing one from a shopper's order, every
// listing's reviews and ratings (public), replies to the merchant, and
// reports and hiding to the operator.
func (a *API) reviewRoutes(v1, sh, me *gin.RouterGroup) {
	v1 = v1.Group("", a.reviewsOn)
	sh = sh.Group("", a.reviewsOn)
	me = me.Group("", a.reviewsOn)
	sh.POST("/orders/:id/reviews", a.postReview)
	sh.POST("/reviews/:id/helpful", a.postHelpful)
	v1.GET("/catalog/listings/:id/reviews", a.getListingReviews)
	v1.GET("/catalog/merchants/:id/rating", a.getMerchantRating)
	v1.GET("/reviews/:id", a.getReview)
	v1.POST("/reviews/:id/reports", a.postReport)
	me.POST("/reviews/:id/reply", a.postReply)
	op := v1.Group("", a.operatorOnly)
	op.GET("/operator/reviews/reported", a.getReported)
	op.GET("/operator/reviews/hidden", a.getHidden)
	op.PUT("/operator/reviews/:id/hidden", a.putHidden)
	op.DELETE("/operator/reviews/:id", a.deleteReview)
}

// reviewsOn answers 404 on a node that serves no reviews.
func (a *API) reviewsOn(c *gin.Context) {
	if a.deps.Reviews == nil {
		failStatus(c, http.StatusNotFound, "Not found", "this node serves no reviews")
	}
}

func (a *API) postReview(c *gin.Context) {
	var in catalog.ReviewInput
	if !bindJSON(c, &in) {
		return
	}
	rv, err := a.deps.Reviews.WriteReview(c.Request.Context(), shopperOf(c), c.Param("id"), in)
	if err == nil {
		c.Header("Location", "/v1/reviews/"+rv.ID)
	}
	respond(c, http.StatusCreated, rv, err)
}

func (a *API) postHelpful(c *gin.Context) {
	if err := a.deps.Reviews.VoteHelpful(c.Request.Context(), c.Param("id"), shopperOf(c)); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listingReviews is a page of a listing's reviews with its ratings.
type listingReviews struct {
	catalog.ReviewPage
	Rating   catalog.Rating            `json:"rating"`
	Variants map[string]catalog.Rating `json:"variants"`
}

func (a *API) getListingReviews(c *gin.Context) {
	id := c.Param("id")
	if _, _, _, err := catalog.ParseID(id); err != nil {
		fail(c, err)
		return
	}
	q := catalog.ReviewQuery{Sort: c.Query("sort"), SKU: c.Query("sku"), Cursor: c.Query("cursor")}
	var errs []catalog.FieldError
	for _, f := range []struct {
		name string
		dst  *int
	}{{"stars", &q.Stars}, {"limit", &q.Limit}} {
		if s := c.Query(f.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs = append(errs, catalog.FieldError{Field: f.name, Message: "must be a whole number"})
			}
			*f.dst = n
		}
	}
	if len(errs) > 0 {
		fail(c, &catalog.ValidationError{Errors: errs})
		return
	}
	page, err := a.deps.Reviews.ListingReviews(c.Request.Context(), id, q)
	page.Reviews = orEmpty(page.Reviews)
	respond(c, http.StatusOK, listingReviews{ReviewPage: page, Rating: a.deps.Reviews.ListingRating(id), Variants: a.deps.Reviews.VariantRatings(id)}, err)
}

func (a *API) getMerchantRating(c *gin.Context) {
	platform, merchant, err := catalog.ParseMerchantID(c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"rating": a.deps.Reviews.MerchantRating(platform, merchant)})
}

func (a *API) getReview(c *gin.Context) {
	rv, err := a.deps.Reviews.Review(c.Request.Context(), c.Param("id"))
	respond(c, http.StatusOK, rv, err)
}

// reportInput is a report of a review.
type reportInput struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

func (a *API) postReport(c *gin.Context) {
	var in reportInput
	if !bindJSON(c, &in) {
		return
	}
	r, err := a.deps.Reviews.ReportReview(c.Request.Context(), c.Param("id"), in.Reason, in.Note)
	respond(c, http.StatusCreated, r, err)
}

// replyInput is a merchant's reply to a review.
type replyInput struct {
	Text string `json:"text"`
}

func (a *API) postReply(c *gin.Context) {
	var in replyInput
	if !bindJSON(c, &in) {
		return
	}
	r, err := a.deps.Reviews.PutReply(c.Request.Context(), merchantOf(c).ID, c.Param("id"), in.Text)
	respond(c, http.StatusCreated, r, err)
}

func (a *API) getReported(c *gin.Context) {
	rs, err := a.deps.Reviews.ReportedReviews(c.Request.Context())
	respond(c, http.StatusOK, gin.H{"items": orEmpty(rs)}, err)
}

func (a *API) getHidden(c *gin.Context) {
	rs, err := a.deps.Reviews.HiddenReviews(c.Request.Context())
	respond(c, http.StatusOK, gin.H{"items": orEmpty(rs)}, err)
}

// hiddenInput hides a review on this storefront, or shows it again.
type hiddenInput struct {
	Hidden bool `json:"hidden"`
}

func (a *API) putHidden(c *gin.Context) {
	var in hiddenInput
	if !bindJSON(c, &in) {
		return
	}
	ctx := c.Request.Context()
	if err := a.deps.Reviews.HideReview(ctx, c.Param("id"), in.Hidden); err != nil {
		fail(c, err)
		return
	}
	rv, err := a.deps.Reviews.Review(ctx, c.Param("id"))
	respond(c, http.StatusOK, rv, err)
}

func (a *API) deleteReview(c *gin.Context) {
	if err := a.deps.Reviews.TakeDownReview(c.Request.Context(), c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
