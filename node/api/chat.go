package api

import (
	"context"
	"net/http"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/gin-gonic/gin"
)

// Conversations is what the API needs of the order service for the
// conversation of a part between its shopper and its merchant.
type Conversations interface {
	WriteNote(ctx context.Context, shopper, id, part string, in order.NoteInput) (order.ChatMessage, error)
	ShopperThread(ctx context.Context, shopper, id, part string, read bool) (order.Thread, error)
	WriteMerchantNote(ctx context.Context, merchant, part string, in order.NoteInput) (order.ChatMessage, error)
	MerchantThread(ctx context.Context, merchant, part string, read bool) (order.Thread, error)
	Conversations(ctx context.Context, merchant string, limit int) ([]order.Conversation, error)
}

// markRead reads the mark_read query parameter: true marks the thread
// read by whoever asks.
func markRead(c *gin.Context) (bool, bool) {
	switch c.Query("mark_read") {
	case "", "false":
		return false, true
	case "true":
		return true, true
	}
	failStatus(c, http.StatusBadRequest, "Invalid parameter", "mark_read must be true or false",
		FieldError{Field: "mark_read", Message: "must be true or false"})
	return false, false
}

// postMessage writes the shopper's message to the merchant of a part; it
// reaches the merchant's node through the outbox.
func (a *API) postMessage(c *gin.Context) {
	var in order.NoteInput
	if !bindJSON(c, &in) {
		return
	}
	m, err := a.deps.Orders.WriteNote(c.Request.Context(), shopperOf(c), c.Param("id"), c.Param("part"), in)
	respond(c, http.StatusAccepted, m, err)
}

func (a *API) getMessages(c *gin.Context) {
	read, ok := markRead(c)
	if !ok {
		return
	}
	t, err := a.deps.Orders.ShopperThread(c.Request.Context(), shopperOf(c), c.Param("id"), c.Param("part"), read)
	respond(c, http.StatusOK, t, err)
}

// postMerchantMessage writes the merchant's message to the shopper of
// its part, through the part's storefront.
func (a *API) postMerchantMessage(c *gin.Context) {
	var in order.NoteInput
	if !bindJSON(c, &in) {
		return
	}
	m, err := a.deps.Orders.WriteMerchantNote(c.Request.Context(), merchantOf(c).ID, c.Param("id"), in)
	respond(c, http.StatusAccepted, m, err)
}

func (a *API) getMerchantMessages(c *gin.Context) {
	read, ok := markRead(c)
	if !ok {
		return
	}
	t, err := a.deps.Orders.MerchantThread(c.Request.Context(), merchantOf(c).ID, c.Param("id"), read)
	respond(c, http.StatusOK, t, err)
}

// getConversations lists the merchant's threads, unread ones first.
func (a *API) getConversations(c *gin.Context) {
	limit, ok := intParam(c, "limit", 50, 1, 500)
	if !ok {
		return
	}
	cs, err := a.deps.Orders.Conversations(c.Request.Context(), merchantOf(c).ID, limit)
	if cs == nil {
		cs = []order.Conversation{}
	}
	respond(c, http.StatusOK, gin.H{"conversations": cs}, err)
}
