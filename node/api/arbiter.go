package api

import (
	"context"
	"net/http"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/gin-gonic/gin"
)

// Arbiter is what the API needs of the order service for escalated
// issues: the cases this node holds as the charter's arbiter, the notes
// either side of an issue exchanges with its arbiter, and the members'
// service records.
type Arbiter interface {
	Cases(ctx context.Context) ([]order.Case, error)
	GetCase(ctx context.Context, id string) (order.Case, error)
	AskCase(ctx context.Context, id string, to []string, text string) (order.Case, error)
	DecideCase(ctx context.Context, id string, d order.IssueDecision) (order.Case, error)
	ArbiterMessages(ctx context.Context, part, iid string) ([]order.ArbiterMessage, error)
	AnswerArbiter(ctx context.Context, part, iid, text string) (order.ArbiterMessage, error)
	ServiceRecords(ctx context.Context) ([]order.ServiceRecord, error)
}

// arbiterRoutes serves the operator: the arbiter's cases under
// /v1/arbiter, a side's notes with the arbiter under /v1/issues, and the
// service records under /v1/federation.
func (a *API) arbiterRoutes(v1 *gin.RouterGroup) {
	op := v1.Group("", a.operatorOnly)
	op.GET("/arbiter/cases", a.getCases)
	op.GET("/arbiter/cases/:id", a.getCase)
	op.POST("/arbiter/cases/:id/notes", a.postCaseNote)
	op.POST("/arbiter/cases/:id/decision", a.postCaseDecision)
	op.GET("/issues/:part/:iid/arbiter", a.getArbiterMessages)
	op.POST("/issues/:part/:iid/arbiter", a.postArbiterAnswer)
	op.GET("/federation/service-records", a.getServiceRecords)
}

// caseView is a case with its thread read as steps; the signed thread
// itself rides along, raw, for anyone who wants to check it.
type caseView struct {
	order.Case
	Entries []order.CaseEntry `json:"entries"`
}

func viewCase(c order.Case) caseView {
	v := caseView{Case: c, Entries: c.Entries()}
	if v.Entries == nil {
		v.Entries = []order.CaseEntry{}
	}
	if v.Copies == nil {
		v.Copies = []string{}
	}
	if v.Thread == nil {
		v.Thread = [][]byte{}
	}
	return v
}

func (a *API) getCases(c *gin.Context) {
	cs, err := a.deps.Orders.Cases(c.Request.Context())
	out := make([]caseView, 0, len(cs))
	for _, x := range cs {
		v := viewCase(x)
		v.Entries = []order.CaseEntry{} // the list carries no thread
		out = append(out, v)
	}
	respond(c, http.StatusOK, gin.H{"cases": out}, err)
}

func (a *API) getCase(c *gin.Context) {
	x, err := a.deps.Orders.GetCase(c.Request.Context(), c.Param("id"))
	respond(c, http.StatusOK, viewCase(x), err)
}

func (a *API) postCaseNote(c *gin.Context) {
	var in struct {
		To   []string `json:"to"`
		Text string   `json:"text"`
	}
	if !bindJSON(c, &in) {
		return
	}
	x, err := a.deps.Orders.AskCase(c.Request.Context(), c.Param("id"), in.To, in.Text)
	respond(c, http.StatusAccepted, viewCase(x), err)
}

func (a *API) postCaseDecision(c *gin.Context) {
	var in order.IssueDecision
	if !bindJSON(c, &in) {
		return
	}
	x, err := a.deps.Orders.DecideCase(c.Request.Context(), c.Param("id"), in)
	respond(c, http.StatusAccepted, viewCase(x), err)
}

func (a *API) getArbiterMessages(c *gin.Context) {
	ms, err := a.deps.Orders.ArbiterMessages(c.Request.Context(), c.Param("part"), c.Param("iid"))
	if ms == nil {
		ms = []order.ArbiterMessage{}
	}
	respond(c, http.StatusOK, gin.H{"messages": ms}, err)
}

func (a *API) postArbiterAnswer(c *gin.Context) {
	var in struct {
		Text string `json:"text"`
	}
	if !bindJSON(c, &in) {
		return
	}
	m, err := a.deps.Orders.AnswerArbiter(c.Request.Context(), c.Param("part"), c.Param("iid"), in.Text)
	respond(c, http.StatusAccepted, m, err)
}

func (a *API) getServiceRecords(c *gin.Context) {
	rs, err := a.deps.Orders.ServiceRecords(c.Request.Context())
	if rs == nil {
		rs = []order.ServiceRecord{}
	}
	respond(c, http.StatusOK, gin.H{"records": rs}, err)
}
