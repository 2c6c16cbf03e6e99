package api

import (
	"context"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/gin-gonic/gin"
)

// Records are merchants' measured records as this storefront measured
// them from the homes' signed statuses of the parts it placed.
type Records interface {
	MerchantRecord(ctx context.Context, platform, merchant string) (order.MerchantRecord, error)
}

// recordRoutes serves GET /v1/merchants/{id}/record (public): any
// member's merchant, by its global id.
func (a *API) recordRoutes(v1 *gin.RouterGroup) {
	v1.GET("/merchants/:id/record", a.getMerchantRecord)
}

func (a *API) getMerchantRecord(c *gin.Context) {
	if a.deps.Records == nil {
		failStatus(c, http.StatusNotFound, "Not found", "this node keeps no merchant records")
		return
	}
	platform, merchant, err := catalog.ParseMerchantID(c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	rec, err := a.deps.Records.MerchantRecord(c.Request.Context(), platform, merchant)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"record": rec, "min_orders": order.RecordMinOrders})
}
