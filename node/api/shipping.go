package api

import (
	"context"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/gin-gonic/gin"
)

// Profiles is what the API needs of merchants' published profiles: a
// merchant's own profile and shipping profiles on its home node, and any
// member's merchants as replicated.
type Profiles interface {
	SetMerchantProfile(ctx context.Context, merchantID string, in catalog.MerchantProfileInput) (catalog.MerchantProfile, error)
	MerchantProfile(ctx context.Context, platform, merchant string) (catalog.MerchantProfile, error)
	PutShippingProfile(ctx context.Context, merchantID, id string, in catalog.ShippingProfileInput) (catalog.ShippingProfile, error)
	TakeDownShippingProfile(ctx context.Context, merchantID, id string) error
	ShippingProfile(ctx context.Context, id string) (catalog.ShippingProfile, error)
	ShippingProfiles(ctx context.Context, platform, merchant string) ([]catalog.ShippingProfile, error)
	Carriers() shipping.Table
	Offers
}

// Shipping is what the API needs of the order service to quote and
// choose shipping.
type Shipping interface {
	SetShipTo(ctx context.Context, shopper, cartID string, to shipping.Destination) (order.Cart, error)
	ChooseShipping(ctx context.Context, shopper, cartID, platform, merchant, rate string) (order.Cart, error)
	QuoteItems(ctx context.Context, dest shipping.Destination, items []order.ItemInput) (order.CartShipping, error)
}

func (a *API) shippingRoutes(v1 *gin.RouterGroup) {
	v1.GET("/catalog/carriers", a.getCarriers)
	v1.GET("/catalog/merchants/:id", a.getCatalogMerchant)
	v1.POST("/shipping/quote", a.postShippingQuote)
	me := v1.Group("/merchant", a.merchantOnly)
	me.GET("/profile", a.getOwnProfile)
	me.PUT("/profile", a.putOwnProfile)
	me.GET("/shipping-profiles", a.getShippingProfiles)
	me.POST("/shipping-profiles", a.postShippingProfile)
	me.GET("/shipping-profiles/:id", a.getShippingProfile)
	me.PUT("/shipping-profiles/:id", a.putShippingProfile)
	me.DELETE("/shipping-profiles/:id", a.deleteShippingProfile)
	sh := v1.Group("/carts", a.shopperOnly)
	sh.PUT("/:id/ship-to", a.putShipTo)
	sh.PUT("/:id/shipping", a.putCartShipping)
}

func (a *API) getCarriers(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"carriers": a.deps.Profiles.Carriers()})
}

// getCatalogMerchant answers a merchant of any member with its policies
// and shipping profiles, as this node holds them.
func (a *API) getCatalogMerchant(c *gin.Context) {
	platform, merchant, err := catalog.ParseMerchantID(c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, err := a.deps.Profiles.MerchantProfile(ctx, platform, merchant)
	if err != nil {
		fail(c, err)
		return
	}
	sps, err := a.deps.Profiles.ShippingProfiles(ctx, platform, merchant)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"profile": p, "shipping_profiles": orEmpty(sps)})
}

func (a *API) postShippingQuote(c *gin.Context) {
	var in struct {
		Country string            `json:"country"`
		Region  string            `json:"region"`
		Items   []order.ItemInput `json:"items"`
	}
	if !bindJSON(c, &in) {
		return
	}
	q, err := a.deps.Shipping.QuoteItems(c.Request.Context(), shipping.Destination{Country: in.Country, Region: in.Region}, in.Items)
	respond(c, http.StatusOK, q, err)
}

func (a *API) getOwnProfile(c *gin.Context) {
	m := merchantOf(c)
	p, err := a.deps.Profiles.MerchantProfile(c.Request.Context(), a.deps.Federation.Self().String(), m.ID)
	respond(c, http.StatusOK, p, err)
}

func (a *API) putOwnProfile(c *gin.Context) {
	var in catalog.MerchantProfileInput
	if !bindJSON(c, &in) {
		return
	}
	p, err := a.deps.Profiles.SetMerchantProfile(c.Request.Context(), merchantOf(c).ID, in)
	respond(c, http.StatusOK, p, err)
}

func (a *API) getShippingProfiles(c *gin.Context) {
	ps, err := a.deps.Profiles.ShippingProfiles(c.Request.Context(), a.deps.Federation.Self().String(), merchantOf(c).ID)
	respond(c, http.StatusOK, gin.H{"items": orEmpty(ps)}, err)
}

func (a *API) postShippingProfile(c *gin.Context) {
	var in catalog.ShippingProfileInput
	if !bindJSON(c, &in) {
		return
	}
	p, err := a.deps.Profiles.PutShippingProfile(c.Request.Context(), merchantOf(c).ID, "", in)
	if err == nil {
		c.Header("Location", "/v1/merchant/shipping-profiles/"+p.ID)
	}
	respond(c, http.StatusCreated, p, err)
}

func (a *API) getShippingProfile(c *gin.Context) {
	id := c.Param("id")
	p, err := a.deps.Profiles.ShippingProfile(c.Request.Context(), id)
	if err == nil && (p.Platform != a.deps.Federation.Self().String() || p.Merchant != merchantOf(c).ID) {
		err = catalog.ErrNotFound // another merchant's: not revealed
	}
	respond(c, http.StatusOK, p, err)
}

func (a *API) putShippingProfile(c *gin.Context) {
	var in catalog.ShippingProfileInput
	if !bindJSON(c, &in) {
		return
	}
	p, err := a.deps.Profiles.PutShippingProfile(c.Request.Context(), merchantOf(c).ID, c.Param("id"), in)
	respond(c, http.StatusOK, p, err)
}

func (a *API) deleteShippingProfile(c *gin.Context) {
	if err := a.deps.Profiles.TakeDownShippingProfile(c.Request.Context(), merchantOf(c).ID, c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *API) putShipTo(c *gin.Context) {
	var in shipping.Destination
	if !bindJSON(c, &in) {
		return
	}
	cart, err := a.deps.Shipping.SetShipTo(c.Request.Context(), shopperOf(c), c.Param("id"), in)
	respond(c, http.StatusOK, cart, err)
}

func (a *API) putCartShipping(c *gin.Context) {
	var in struct {
		Platform string `json:"platform"`
		Merchant string `json:"merchant"`
		Rate     string `json:"rate"`
	}
	if !bindJSON(c, &in) {
		return
	}
	cart, err := a.deps.Shipping.ChooseShipping(c.Request.Context(), shopperOf(c), c.Param("id"), in.Platform, in.Merchant, in.Rate)
	respond(c, http.StatusOK, cart, err)
}

// orEmpty makes a nil slice encode as [].
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
