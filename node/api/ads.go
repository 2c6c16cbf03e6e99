package api

import (
	"context"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/gin-gonic/gin"
)

// Campaigns is what the API needs of merchants' ad campaigns: a
// merchant's own on its home node (the catalog's published records), and
// what each spent (the order service, which charges them).
type Campaigns interface {
	PutCampaign(ctx context.Context, merchantID, id string, in catalog.CampaignInput) (catalog.Campaign, error)
	SetCampaignState(ctx context.Context, merchantID, id, state string) (catalog.Campaign, error)
	EndCampaign(ctx context.Context, merchantID, id string) error
	Campaigns(ctx context.Context, platform, merchant string) ([]catalog.Campaign, error)
}

// AdSales is what the API needs of the order service for sponsored
// sales: a home's spend per campaign, and a storefront's clicks.
type AdSales interface {
	CampaignSpend(ctx context.Context, id string) (order.AdSpend, error)
	RecordAdClick(ctx context.Context, shopper, listingID, campaign string) error
}

// adRoutes serves campaigns to their merchant under
// /v1/merchant/campaigns, and lets a shopper's client record a click on
// a sponsored slot (POST /v1/sponsored/clicks).
func (a *API) adRoutes(v1, sh *gin.RouterGroup) {
	sh.POST("/sponsored/clicks", a.adsServed, a.postAdClick)
	me := v1.Group("/merchant/campaigns", a.merchantOnly, a.adsServed)
	me.GET("", a.getCampaigns)
	me.POST("", a.postCampaign)
	me.PUT("/:id", a.putCampaign)
	me.POST("/:id/pause", a.campaignState(catalog.CampaignPaused))
	me.POST("/:id/resume", a.campaignState(catalog.CampaignLive))
	me.DELETE("/:id", a.deleteCampaign)
}

// adsServed answers 404 when the node serves no sponsored listings.
func (a *API) adsServed(c *gin.Context) {
	if a.deps.Campaigns == nil || a.deps.AdSales == nil {
		failStatus(c, http.StatusNotFound, "Not found", "this node serves no sponsored listings")
	}
}

// campaignView is a campaign as its merchant sees it: with what it spent
// and the sales it was charged for.
type campaignView struct {
	catalog.Campaign
	Spent       int64  `json:"spent"`
	Sales       int64  `json:"sales"`
	CostPerSale int64  `json:"cost_per_sale"`
	SpentToday  int64  `json:"spent_today"`
	BudgetLeft  int64  `json:"budget_left"`
	Currency    string `json:"currency"`
}

func (a *API) viewOf(ctx context.Context, c catalog.Campaign) (campaignView, error) {
	sp, err := a.deps.AdSales.CampaignSpend(ctx, c.ID)
	v := campaignView{Campaign: c, Spent: sp.Spent, Sales: sp.Sales, SpentToday: sp.DaySpent, BudgetLeft: max(c.TotalBudget-sp.Spent, 0), Currency: a.currency()}
	if sp.Sales > 0 {
		v.CostPerSale = sp.Spent / sp.Sales
	}
	return v, err
}

func (a *API) getCampaigns(c *gin.Context) {
	ctx := c.Request.Context()
	cs, err := a.deps.Campaigns.Campaigns(ctx, a.deps.Federation.Self().String(), merchantOf(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]campaignView, 0, len(cs))
	for _, cp := range cs {
		v, err := a.viewOf(ctx, cp)
		if err != nil {
			fail(c, err)
			return
		}
		out = append(out, v)
	}
	respond(c, http.StatusOK, gin.H{"items": out}, nil)
}

func (a *API) postCampaign(c *gin.Context) {
	var in catalog.CampaignInput
	if !bindJSON(c, &in) {
		return
	}
	cp, err := a.deps.Campaigns.PutCampaign(c.Request.Context(), merchantOf(c).ID, "", in)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/v1/merchant/campaigns/"+cp.ID)
	v, err := a.viewOf(c.Request.Context(), cp)
	respond(c, http.StatusCreated, v, err)
}

func (a *API) putCampaign(c *gin.Context) {
	var in catalog.CampaignInput
	if !bindJSON(c, &in) {
		return
	}
	cp, err := a.deps.Campaigns.PutCampaign(c.Request.Context(), merchantOf(c).ID, c.Param("id"), in)
	if err != nil {
		fail(c, err)
		return
	}
	v, err := a.viewOf(c.Request.Context(), cp)
	respond(c, http.StatusOK, v, err)
}

// campaignState pauses or resumes a campaign.
func (a *API) campaignState(state string) gin.HandlerFunc {
	return func(c *gin.Context) {
		cp, err := a.deps.Campaigns.SetCampaignState(c.Request.Context(), merchantOf(c).ID, c.Param("id"), state)
		if err != nil {
			fail(c, err)
			return
		}
		v, err := a.viewOf(c.Request.Context(), cp)
		respond(c, http.StatusOK, v, err)
	}
}

func (a *API) deleteCampaign(c *gin.Context) {
	if err := a.deps.Campaigns.EndCampaign(c.Request.Context(), merchantOf(c).ID, c.Param("id")); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// adClick is a click on a sponsored slot, as a shopper's client reports
// it.
type adClick struct {
	ListingID string `json:"listing_id"`
	Campaign  string `json:"campaign"`
}

func (a *API) postAdClick(c *gin.Context) {
	var in adClick
	if !bindJSON(c, &in) {
		return
	}
	if err := a.deps.AdSales.RecordAdClick(c.Request.Context(), shopperOf(c), in.ListingID, in.Campaign); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
