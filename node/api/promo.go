package api

import (
	"context"
	"net/http"
	"slices"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/gin-gonic/gin"
)

// Offers is what the API needs of merchants' offers: a merchant's own on
// its home node, and any member's as replicated.
type Offers interface {
	PutOffer(ctx context.Context, merchantID, id string, in catalog.OfferInput) (catalog.Offer, error)
	EndOffer(ctx context.Context, merchantID, id string) error
	AllOffers(ctx context.Context, platform, merchant string) ([]catalog.OfferState, error)
	Offers(ctx context.Context, platform, merchant string) ([]catalog.Offer, error)
}

// Coupons is what the API needs of the order service for the
// storefront's coupons and the uptake of its merchants' offers.
type Coupons interface {
	CreateCoupon(ctx context.Context, in order.CouponInput) (order.Coupon, error)
	EndCoupon(ctx context.Context, code string) (order.Coupon, error)
	Coupons(ctx context.Context) ([]order.Coupon, error)
	Coupon(ctx context.Context, code string) (order.Coupon, error)
	CouponUses(ctx context.Context, code string, limit int) ([]order.CouponUse, error)
	OfferUptake(ctx context.Context, merchant string) (map[string]order.OfferUptake, error)
}

// promoRoutes serves offers to their merchant under /v1/merchant/offers,
// any member's live offers under /v1/catalog/merchants/{id}/offers, and
// coupons to the operator under /v1/coupons.
func (a *API) promoRoutes(v1 *gin.RouterGroup) {
	v1.GET("/catalog/merchants/:id/offers", a.getCatalogOffers)
	me := v1.Group("/merchant/offers", a.merchantOnly)
	me.GET("", a.getOffers)
	me.POST("", a.postOffer)
	me.PUT("/:id", a.putOffer)
	me.DELETE("/:id", a.deleteOffer)
	op := v1.Group("/coupons", a.operatorOnly)
	op.GET("", a.getCoupons)
	op.POST("", a.postCoupon)
	op.GET("/:code", a.getCoupon)
	op.DELETE("/:code", a.deleteCoupon)
}

func (a *API) getCatalogOffers(c *gin.Context) {
	platform, merchant, err := catalog.ParseMerchantID(c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	os, err := a.deps.Profiles.Offers(c.Request.Context(), platform, merchant)
	respond(c, http.StatusOK, gin.H{"items": orEmpty(os)}, err)
}

// offerView is an offer as its merchant sees it: with what it gave.
type offerView struct {
	catalog.OfferState
	Uptake order.OfferUptake `json:"uptake"`
}

func (a *API) getOffers(c *gin.Context) {
	ctx := c.Request.Context()
	m := merchantOf(c)
	os, err := a.deps.Profiles.AllOffers(ctx, a.deps.Federation.Self().String(), m.ID)
	if err != nil {
		fail(c, err)
		return
	}
	up, err := a.deps.Orders.OfferUptake(ctx, m.ID)
	out := make([]offerView, len(os))
	for i, o := range os {
		u := up[o.ID]
		u.Offer = o.ID
		if u.Cost.Currency == "" {
			u.Cost.Currency = a.currency()
		}
		out[i] = offerView{OfferState: o, Uptake: u}
	}
	slices.SortStableFunc(out, func(x, y offerView) int { return boolCmp(x.Ended, y.Ended) })
	respond(c, http.StatusOK, gin.H{"items": out}, err)
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// currency is the federation's settlement currency, "" before the node
// has a charter.
func (a *API) currency() string {
	sc, err := a.deps.Federation.Charter()
	if err != nil || sc == nil {
		return ""
	}
	return sc.Charter.Currency
}

func (a *API) postOffer(c *gin.Context) {
	var in catalog.OfferInput
	if !bindJSON(c, &in) {
		return
	}
	o, err := a.deps.Profiles.PutOffer(c.Request.Context(), merchantOf(c).ID, "", in)
	if err == nil {
		c.Header("Location", "/v1/merchant/offers/"+o.ID)
	}
	respond(c, http.StatusCreated, o, err)
}

func (a *API) putOffer(c *gin.Context) {
	var in catalog.OfferInput
	if !bindJSON(c, &in) {
		return
	}
	o, err := a.deps.Profiles.PutOffer(c.Request.Context(), merchantOf(c).ID, c.Param("id"), in)
	respond(c, http.StatusOK, o, err)
}

func (a *API) deleteOffer(c *gin.Context) {
	if err := a.deps.Profiles.EndOffer(c.Request.Context(), merchantOf(c).ID, c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *API) getCoupons(c *gin.Context) {
	cs, err := a.deps.Orders.Coupons(c.Request.Context())
	respond(c, http.StatusOK, gin.H{"items": orEmpty(cs)}, err)
}

func (a *API) postCoupon(c *gin.Context) {
	var in order.CouponInput
	if !bindJSON(c, &in) {
		return
	}
	cp, err := a.deps.Orders.CreateCoupon(c.Request.Context(), in)
	if err == nil {
		c.Header("Location", "/v1/coupons/"+cp.Code)
	}
	respond(c, http.StatusCreated, cp, err)
}

// maxCouponUses is how many of a coupon's newest uses GET answers with.
const maxCouponUses = 100

func (a *API) getCoupon(c *gin.Context) {
	ctx := c.Request.Context()
	cp, err := a.deps.Orders.Coupon(ctx, c.Param("code"))
	if err != nil {
		fail(c, err)
		return
	}
	uses, err := a.deps.Orders.CouponUses(ctx, cp.Code, maxCouponUses)
	respond(c, http.StatusOK, gin.H{"coupon": cp, "uses": orEmpty(uses)}, err)
}

func (a *API) deleteCoupon(c *gin.Context) {
	cp, err := a.deps.Orders.EndCoupon(c.Request.Context(), c.Param("code"))
	respond(c, http.StatusOK, cp, err)
}
