package api

import (
	"context"
	"net/http"

	"github.com/fedmart/fedmart/node/mail"
	"github.com/gin-gonic/gin"
)

// Mailbox is the node's outgoing mail as the operator reads it: sent,
// pending, failed, or kept in the local mailbox when no SMTP server is
// configured.
type Mailbox interface {
	Messages(ctx context.Context, cursor string, limit int) ([]mail.Summary, string, error)
	Message(ctx context.Context, id string) (mail.Message, error)
}

func (a *API) getMailMessages(c *gin.Context) {
	limit, ok := intParam(c, "limit", 50, 1, 500)
	if !ok {
		return
	}
	list, next, err := a.deps.Mail.Messages(c.Request.Context(), c.Query("cursor"), limit)
	if list == nil {
		list = []mail.Summary{}
	}
	respond(c, http.StatusOK, gin.H{"messages": list, "next_cursor": next}, err)
}

func (a *API) getMailMessage(c *gin.Context) {
	m, err := a.deps.Mail.Message(c.Request.Context(), c.Param("id"))
	respond(c, http.StatusOK, m, err)
}
