package api

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/gin-gonic/gin"
)

// Issues is what the API needs of the order service for complaints: the
// shopper's (or the storefront operator's) side on the storefront, the
// merchant's answers on the home node.
type Issues interface {
	OpenIssue(ctx context.Context, shopper, id, part string, in order.IssueInput, key string) (order.Issue, error)
	PartIssues(ctx context.Context, shopper, id, part string) ([]order.Issue, error)
	ReplyIssue(ctx context.Context, shopper, id, part, iid string, in order.IssueReplyInput) (order.Issue, error)
	EscalateIssue(ctx context.Context, shopper, id, part, iid, text string) (order.Issue, error)
	MerchantIssues(ctx context.Context, merchant, state string, limit int) ([]order.MerchantIssue, error)
	AnswerMerchantIssue(ctx context.Context, merchant, iid string, a order.IssueAnswer) (order.MerchantIssue, error)
}

// issueRoutes serves issues: the shopper's under its orders, the
// operator's under /v1/storefront/orders (any order of this storefront),
// the merchant's under /v1/merchant/issues.
func (a *API) issueRoutes(v1, sh, me *gin.RouterGroup) {
	sh.POST("/orders/:id/parts/:part/issues", a.postIssue(shopperOf))
	sh.GET("/orders/:id/parts/:part/issues", a.getIssues(shopperOf))
	sh.POST("/orders/:id/parts/:part/issues/:iid/reply", a.postIssueReply)
	sh.POST("/orders/:id/parts/:part/issues/:iid/escalate", a.postIssueEscalate(shopperOf))
	op := v1.Group("/storefront/orders", a.operatorOnly)
	operator := func(*gin.Context) string { return "" } // any order of this storefront
	op.POST("/:id/parts/:part/issues", a.postIssue(operator))
	op.GET("/:id/parts/:part/issues", a.getIssues(operator))
	op.POST("/:id/parts/:part/issues/:iid/escalate", a.postIssueEscalate(operator))
	me.GET("/issues", a.getMerchantIssues)
	me.POST("/issues/:iid/answer", a.postIssueAnswer)
}

// postIssue opens an issue on a part. The answer is the issue as the
// storefront holds it: open (the home may not have it yet), or already
// answered.
func (a *API) postIssue(who func(*gin.Context) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in order.IssueInput
		if !bindJSON(c, &in) {
			return
		}
		i, err := a.deps.Orders.OpenIssue(c.Request.Context(), who(c), c.Param("id"), c.Param("part"), in,
			strings.TrimSpace(c.GetHeader("Idempotency-Key")))
		respond(c, http.StatusAccepted, i, err)
	}
}

func (a *API) getIssues(who func(*gin.Context) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		is, err := a.deps.Orders.PartIssues(c.Request.Context(), who(c), c.Param("id"), c.Param("part"))
		if is == nil {
			is = []order.Issue{}
		}
		respond(c, http.StatusOK, gin.H{"issues": is}, err)
	}
}

func (a *API) postIssueReply(c *gin.Context) {
	var in order.IssueReplyInput
	if !bindJSON(c, &in) {
		return
	}
	i, err := a.deps.Orders.ReplyIssue(c.Request.Context(), shopperOf(c), c.Param("id"), c.Param("part"), c.Param("iid"), in)
	respond(c, http.StatusAccepted, i, err)
}

func (a *API) postIssueEscalate(who func(*gin.Context) string) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in struct {
			Text string `json:"text"`
		}
		if c.Request.ContentLength != 0 && !bindJSON(c, &in) {
			return
		}
		i, err := a.deps.Orders.EscalateIssue(c.Request.Context(), who(c), c.Param("id"), c.Param("part"), c.Param("iid"), in.Text)
		respond(c, http.StatusAccepted, i, err)
	}
}

var issueStates = []string{order.IssueOpen, order.IssueAwaitingShopper, order.IssueResolved, order.IssueRefused, order.IssueEscalated, order.IssueDecided}

// getMerchantIssues lists the merchant's issues: the live ones first, the
// nearest deadline first.
func (a *API) getMerchantIssues(c *gin.Context) {
	limit, ok := intParam(c, "limit", 50, 1, 500)
	if !ok {
		return
	}
	state := c.Query("state")
	if state != "" && !slices.Contains(issueStates, state) {
		msg := "must be one of " + strings.Join(issueStates, ", ")
		failStatus(c, http.StatusBadRequest, "Invalid parameter", "state "+msg, FieldError{Field: "state", Message: msg})
		return
	}
	is, err := a.deps.Orders.MerchantIssues(c.Request.Context(), merchantOf(c).ID, state, limit)
	if is == nil {
		is = []order.MerchantIssue{}
	}
	respond(c, http.StatusOK, gin.H{"issues": is}, err)
}

func (a *API) postIssueAnswer(c *gin.Context) {
	var in order.IssueAnswer
	if !bindJSON(c, &in) {
		return
	}
	i, err := a.deps.Orders.AnswerMerchantIssue(c.Request.Context(), merchantOf(c).ID, c.Param("iid"), in)
	respond(c, http.StatusOK, i, err)
}
