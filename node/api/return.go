package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/gin-gonic/gin"
)

// Returns is what the API needs of the order service for returns: the
// shopper's requests on the storefront, the merchant's steps on the home
// node.
type Returns interface {
	RequestReturn(ctx context.Context, shopper, id, part string, in order.ReturnInput, key string) (order.Return, error)
	PartReturns(ctx context.Context, shopper, id, part string) ([]order.Return, error)
	MerchantReturns(ctx context.Context, merchant, state string, limit int) ([]order.MerchantReturn, error)
	ApproveReturn(ctx context.Context, merchant, part, rid string, in order.ReturnInstructions) (order.HomePart, error)
	RefuseReturn(ctx context.Context, merchant, part, rid, reason string) (order.HomePart, error)
	ReceiveReturn(ctx context.Context, merchant, part, rid string) (order.HomePart, error)
}

// postReturn asks the part's home node to take some units back. The
// answer is the return as the storefront holds it: requested (the home
// may not have it yet), or already answered.
func (a *API) postReturn(c *gin.Context) {
	var in order.ReturnInput
	if !bindJSON(c, &in) {
		return
	}
	r, err := a.deps.Orders.RequestReturn(c.Request.Context(), shopperOf(c), c.Param("id"), c.Param("part"), in,
		strings.TrimSpace(c.GetHeader("Idempotency-Key")))
	respond(c, http.StatusAccepted, r, err)
}

func (a *API) getReturns(c *gin.Context) {
	rs, err := a.deps.Orders.PartReturns(c.Request.Context(), shopperOf(c), c.Param("id"), c.Param("part"))
	if rs == nil {
		rs = []order.Return{}
	}
	respond(c, http.StatusOK, gin.H{"returns": rs}, err)
}

// getMerchantReturns lists the merchant's returns, open ones first.
func (a *API) getMerchantReturns(c *gin.Context) {
	limit, ok := intParam(c, "limit", 50, 1, 500)
	if !ok {
		return
	}
	state := c.Query("state")
	switch state {
	case "", order.ReturnRequested, order.ReturnApproved, order.ReturnRefused, order.ReturnReceived:
	default:
		failStatus(c, http.StatusBadRequest, "Invalid parameter", "state must be requested, approved, refused or received",
			FieldError{Field: "state", Message: "must be requested, approved, refused or received"})
		return
	}
	rs, err := a.deps.Orders.MerchantReturns(c.Request.Context(), merchantOf(c).ID, state, limit)
	if rs == nil {
		rs = []order.MerchantReturn{}
	}
	respond(c, http.StatusOK, gin.H{"returns": rs}, err)
}

func (a *API) postReturnApprove(c *gin.Context) {
	var in order.ReturnInstructions
	if !bindJSON(c, &in) {
		return
	}
	p, err := a.deps.Orders.ApproveReturn(c.Request.Context(), merchantOf(c).ID, c.Param("id"), c.Param("rid"), in)
	respond(c, http.StatusOK, p, err)
}

func (a *API) postReturnRefuse(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if !bindJSON(c, &in) {
		return
	}
	p, err := a.deps.Orders.RefuseReturn(c.Request.Context(), merchantOf(c).ID, c.Param("id"), c.Param("rid"), in.Reason)
	respond(c, http.StatusOK, p, err)
}

func (a *API) postReturnReceived(c *gin.Context) {
	p, err := a.deps.Orders.ReceiveReturn(c.Request.Context(), merchantOf(c).ID, c.Param("id"), c.Param("rid"))
	respond(c, http.StatusOK, p, err)
}
