package api

import (
	"context"
	"net/http"

	"github.com/fedmart/fedmart/settlement"
	"github.com/gin-gonic/gin"
)

// SettlementPeriod is one settlement period and where its statements stand.
type SettlementPeriod = settlement.PeriodStatus

// Settlement is what the API needs of settlement.
type Settlement interface {
	Periods(ctx context.Context) ([]SettlementPeriod, error)
	ClosePeriod(ctx context.Context, period string) error
	Statements(ctx context.Context, period string) ([]settlement.Statement, error)
	Earnings(ctx context.Context, merchant, period string) (settlement.Earnings, error)
	NettingReport(ctx context.Context, period string) (Netting, error)
}

// Netting is the net position of every member in a period and the
// transfers that settle them.
type Netting = settlement.Netting

// NetPosition is one member's net: positive when it is owed money.
type NetPosition = settlement.NamedPosition

// NetTransfer is one payment instruction.
type NetTransfer = settlement.Transfer

func (a *API) settlementRoutes(v1 *gin.RouterGroup) {
	op := v1.Group("/settlement", a.operatorOnly)
	op.GET("/periods", a.getPeriods)
	op.POST("/periods/:period/close", a.postClose)
	op.GET("/periods/:period/statements", a.getStatements)
	op.GET("/periods/:period/netting", a.getNetting)
	v1.GET("/merchant/earnings", a.merchantOnly, a.getEarnings)
}

func (a *API) getPeriods(c *gin.Context) {
	list, err := a.deps.Settlement.Periods(c.Request.Context())
	respond(c, http.StatusOK, gin.H{"periods": list}, err)
}

func (a *API) postClose(c *gin.Context) {
	err := a.deps.Settlement.ClosePeriod(c.Request.Context(), c.Param("period"))
	respond(c, http.StatusAccepted, gin.H{"period": c.Param("period"), "status": settlement.StatusReconciling}, err)
}

func (a *API) getStatements(c *gin.Context) {
	list, err := a.deps.Settlement.Statements(c.Request.Context(), c.Param("period"))
	respond(c, http.StatusOK, gin.H{"period": c.Param("period"), "statements": list}, err)
}

func (a *API) getEarnings(c *gin.Context) {
	period := c.Query("period")
	if period == "" {
		failStatus(c, http.StatusBadRequest, "Invalid parameter", "name the period, e.g. ?period=2026-11-24T14:00:00Z",
			FieldError{Field: "period", Message: "is required"})
		return
	}
	e, err := a.deps.Settlement.Earnings(c.Request.Context(), merchantOf(c).ID, period)
	respond(c, http.StatusOK, e, err)
}

func (a *API) getNetting(c *gin.Context) {
	n, err := a.deps.Settlement.NettingReport(c.Request.Context(), c.Param("period"))
	respond(c, http.StatusOK, n, err)
}
