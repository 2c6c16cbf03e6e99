package api

import (
	"context"
	"net/http"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/gin-gonic/gin"
)

// Points is what the API needs of the loyalty points this node issues.
type Points interface {
	// ShopperPoints is a shopper's balance, lots and history.
	ShopperPoints(ctx context.Context, shopper string) (order.PointsView, error)
	// PointsReport is the points the node's shoppers hold, and what they
	// earned, spent and lost to expiry per settlement period.
	PointsReport(ctx context.Context, period time.Duration) (order.PointsReport, error)
}

func (a *API) pointsRoutes(v1 *gin.RouterGroup) {
	v1.GET("/points", a.shopperOnly, a.getPoints)
	v1.GET("/loyalty", a.operatorOnly, a.getLoyalty)
}

// getPoints is the shopper's points: GET /v1/points.
func (a *API) getPoints(c *gin.Context) {
	if a.deps.Points == nil {
		failStatus(c, http.StatusNotFound, "Not found", "this node keeps no points")
		return
	}
	v, err := a.deps.Points.ShopperPoints(c.Request.Context(), shopperOf(c))
	respond(c, http.StatusOK, v, err)
}

// loyaltyPolicy is the charter's loyalty policy with every field.
type loyaltyPolicy struct {
	Enabled       bool   `json:"enabled"`
	EarnBPS       int64  `json:"earn_bps"`
	PointValue    int64  `json:"point_value"`
	Currency      string `json:"currency"`
	Funder        string `json:"funder"`
	FunderHomeBPS int64  `json:"funder_home_bps"`
	SpendableOn   string `json:"spendable_on"`
	Expiry        string `json:"expiry"`
	MinShareBPS   int64  `json:"min_share_bps"`
	MaxShareBPS   int64  `json:"max_share_bps"`
}

// getLoyalty is the alliance's loyalty policy and this node's points
// books as issuer: GET /v1/loyalty.
func (a *API) getLoyalty(c *gin.Context) {
	sc, err := a.deps.Federation.Charter()
	if err != nil {
		fail(c, err)
		return
	}
	l := sc.Charter.Loyalty
	pol := loyaltyPolicy{Enabled: l.Enabled(), EarnBPS: l.EarnBPS, PointValue: l.PointValue, Currency: sc.Charter.Currency,
		Funder: l.Funder, FunderHomeBPS: l.FunderHomeBPS, SpendableOn: l.SpendableOn, Expiry: time.Duration(l.Expiry).String(),
		MinShareBPS: l.MinShareBPS, MaxShareBPS: l.MaxShare()}
	report := order.PointsReport{Periods: []order.PointsPeriod{}}
	if a.deps.Points != nil {
		if report, err = a.deps.Points.PointsReport(c.Request.Context(), time.Duration(sc.Charter.Period)); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"policy": pol, "issuer": report})
}
