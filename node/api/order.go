package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/webhook"
	"github.com/gin-gonic/gin"
)

// Orders is what the API needs of the order service.
type Orders interface {
	CreateShopper(ctx context.Context, in order.ShopperInput) (order.Shopper, string, error)
	ShopperByToken(ctx context.Context, token string) (order.Shopper, error)
	CreateCart(ctx context.Context, shopper string) (order.Cart, error)
	GetCart(ctx context.Context, shopper, id string) (order.Cart, error)
	AddItem(ctx context.Context, shopper, cartID string, in order.ItemInput) (order.Cart, error)
	SetQuantity(ctx context.Context, shopper, cartID string, in order.ItemInput) (order.Cart, error)
	RemoveItem(ctx context.Context, shopper, cartID, sku, listingID string) (order.Cart, error)
	Checkout(ctx context.Context, shopper, cartID, key string, req order.CheckoutRequest) (order.Order, bool, error)
	GetOrder(ctx context.Context, shopper, id string) (order.Order, error)
	Orders(ctx context.Context, shopper, cursor string, limit int) ([]order.Order, string, error)
	CancelOrder(ctx context.Context, shopper, id string) (order.Order, error)
	CancelUnits(ctx context.Context, shopper, id, part string, lines []order.Units, key string) (order.Order, error)
	MarkPaid(ctx context.Context, id string) (order.Order, error)
	MerchantParts(ctx context.Context, merchant, status, cursor string, limit int) ([]order.HomePart, string, error)
	ShipWith(ctx context.Context, merchant, id string, sh order.Shipment) (order.HomePart, error)
	RefundItems(ctx context.Context, merchant, id string) (order.HomePart, error)
	Deliver(ctx context.Context, merchant, id string) (order.HomePart, error)
	Refund(ctx context.Context, merchant, id string) (order.HomePart, error)
	RefundPart(ctx context.Context, merchant, id string, req order.RefundRequest) (order.HomePart, error)
	Outbox(ctx context.Context) ([]order.OutboxDepth, error)
	Parked(ctx context.Context, limit int) ([]order.ParkedMessage, error)
	RetryParked(ctx context.Context, key string) error
	DropParked(ctx context.Context, key string) error
	Returns
	Issues
	Conversations
	Arbiter
	Coupons
}

const shopperKey = "fedmart.shopper"

// shopperOnly admits requests carrying a shopper token of this storefront.
func (a *API) shopperOnly(c *gin.Context) {
	bearerAs("shopper", shopperKey, func(c *gin.Context, t string) (string, error) {
		sh, err := a.deps.Orders.ShopperByToken(c.Request.Context(), t)
		return sh.ID, err
	})(c)
}

func shopperOf(c *gin.Context) string { return c.MustGet(shopperKey).(string) }

func (a *API) orderRoutes(v1 *gin.RouterGroup) {
	v1.POST("/shoppers", a.spend(budget.Accounts), a.postShopper)
	sh := v1.Group("", a.shopperOnly)
	a.shopperRoutes(sh)
	sh.POST("/carts", a.postCart)
	sh.GET("/carts/:id", a.getCart)
	sh.POST("/carts/:id/items", a.postCartItem)
	sh.PUT("/carts/:id/items/:sku", a.putCartItem)
	sh.DELETE("/carts/:id/items/:sku", a.deleteCartItem)
	sh.POST("/carts/:id/checkout", a.spend(budget.Checkouts), a.postCheckout)
	sh.GET("/orders", a.getOrders)
	sh.GET("/orders/:id", a.getOrder)
	sh.POST("/orders/:id/cancel", a.postCancel)
	sh.POST("/orders/:id/parts/:part/cancel", a.postCancelUnits)
	sh.POST("/orders/:id/parts/:part/returns", a.postReturn)
	sh.GET("/orders/:id/parts/:part/returns", a.getReturns)
	sh.POST("/orders/:id/parts/:part/messages", a.postMessage)
	sh.GET("/orders/:id/parts/:part/messages", a.getMessages)
	v1.POST("/orders/:id/paid", a.operatorOnly, a.postPaid)
	op := v1.Group("/orders/outbox", a.operatorOnly)
	op.GET("", a.getOutbox)
	op.POST("/parked/:peer/:seq/retry", a.postParkedRetry)
	op.DELETE("/parked/:peer/:seq", a.deleteParked)
	me := v1.Group("/merchant", a.merchantOnly)
	me.GET("/orders", a.getMerchantOrders)
	me.POST("/orders/:id/ship", a.postShip)
	me.POST("/orders/:id/deliver", a.postDeliver)
	me.POST("/orders/:id/refund", a.postRefund)
	me.POST("/orders/:id/refunds", a.postRefunds)
	me.GET("/returns", a.getMerchantReturns)
	me.POST("/orders/:id/returns/:rid/approve", a.postReturnApprove)
	me.POST("/orders/:id/returns/:rid/refuse", a.postReturnRefuse)
	me.POST("/orders/:id/returns/:rid/received", a.postReturnReceived)
	a.issueRoutes(v1, sh, me)
	a.arbiterRoutes(v1)
	a.promoRoutes(v1)
	a.adRoutes(v1, sh)
	a.reviewRoutes(v1, sh, me)
	a.recordRoutes(v1)
	me.GET("/conversations", a.getConversations)
	me.POST("/orders/:id/messages", a.postMerchantMessage)
	me.GET("/orders/:id/messages", a.getMerchantMessages)
}

// postShopper opens an account that lives on its bearer token. It takes
// no password: its e-mail address is a contact, not a sign-in name, so
// the answer is the same whether or not the address is registered, and
// the address stays free for its owner to sign up with on the pages.
func (a *API) postShopper(c *gin.Context) {
	var in struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		// Lang is the language the shopper's e-mails are written in.
		Lang string `json:"lang"`
	}
	if !bindJSON(c, &in) {
		return
	}
	sh, token, err := a.deps.Orders.CreateShopper(c.Request.Context(), order.ShopperInput{Name: in.Name, Email: in.Email, Lang: in.Lang})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": sh.ID, "name": sh.Name, "email": sh.Email, "token": token, "created_at": sh.CreatedAt})
}

func (a *API) postCart(c *gin.Context) {
	cart, err := a.deps.Orders.CreateCart(c.Request.Context(), shopperOf(c))
	respond(c, http.StatusCreated, cart, err)
}

func (a *API) getCart(c *gin.Context) {
	cart, err := a.deps.Orders.GetCart(c.Request.Context(), shopperOf(c), c.Param("id"))
	respond(c, http.StatusOK, cart, err)
}

func (a *API) postCartItem(c *gin.Context) {
	var in order.ItemInput
	if !bindJSON(c, &in) {
		return
	}
	cart, err := a.deps.Orders.AddItem(c.Request.Context(), shopperOf(c), c.Param("id"), in)
	respond(c, http.StatusOK, cart, err)
}

func (a *API) putCartItem(c *gin.Context) {
	var in struct {
		ListingID string `json:"listing_id"`
		Quantity  int64  `json:"quantity"`
	}
	if !bindJSON(c, &in) {
		return
	}
	cart, err := a.deps.Orders.SetQuantity(c.Request.Context(), shopperOf(c), c.Param("id"),
		order.ItemInput{ListingID: in.ListingID, SKU: c.Param("sku"), Quantity: in.Quantity})
	respond(c, http.StatusOK, cart, err)
}

func (a *API) deleteCartItem(c *gin.Context) {
	cart, err := a.deps.Orders.RemoveItem(c.Request.Context(), shopperOf(c), c.Param("id"), c.Param("sku"), c.Query("listing_id"))
	respond(c, http.StatusOK, cart, err)
}

func (a *API) postCheckout(c *gin.Context) {
	var req order.CheckoutRequest
	if !bindJSON(c, &req) {
		return
	}
	o, replayed, err := a.deps.Orders.Checkout(c.Request.Context(), shopperOf(c), c.Param("id"), strings.TrimSpace(c.GetHeader("Idempotency-Key")), req)
	if replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	respond(c, http.StatusCreated, o, err)
}

func (a *API) getOrder(c *gin.Context) {
	o, err := a.deps.Orders.GetOrder(c.Request.Context(), shopperOf(c), c.Param("id"))
	respond(c, http.StatusOK, o, err)
}

func (a *API) getOrders(c *gin.Context) {
	limit, ok := intParam(c, "limit", 20, 1, 100)
	if !ok {
		return
	}
	list, next, err := a.deps.Orders.Orders(c.Request.Context(), shopperOf(c), c.Query("cursor"), limit)
	if list == nil {
		list = []order.Order{}
	}
	respond(c, http.StatusOK, gin.H{"orders": list, "next_cursor": next}, err)
}

func (a *API) postCancel(c *gin.Context) {
	o, err := a.deps.Orders.CancelOrder(c.Request.Context(), shopperOf(c), c.Param("id"))
	respond(c, http.StatusOK, o, err)
}

// postCancelUnits cancels some units of one part not yet shipped.
func (a *API) postCancelUnits(c *gin.Context) {
	var in struct {
		Lines []order.Units `json:"lines"`
	}
	if !bindJSON(c, &in) {
		return
	}
	o, err := a.deps.Orders.CancelUnits(c.Request.Context(), shopperOf(c), c.Param("id"), c.Param("part"), in.Lines,
		strings.TrimSpace(c.GetHeader("Idempotency-Key")))
	respond(c, http.StatusOK, o, err)
}

func (a *API) postPaid(c *gin.Context) {
	o, err := a.deps.Orders.MarkPaid(c.Request.Context(), c.Param("id"))
	respond(c, http.StatusOK, o, err)
}

func (a *API) getMerchantOrders(c *gin.Context) {
	limit, ok := intParam(c, "limit", 50, 1, 200)
	if !ok {
		return
	}
	status := c.Query("status")
	switch status {
	case "", order.StatusAccepted, order.StatusRejected, order.StatusShipped, order.StatusDelivered, order.StatusCancelled, order.StatusRefunded:
	default:
		failStatus(c, http.StatusBadRequest, "Invalid parameter", "status must be accepted, rejected, shipped, delivered, cancelled or refunded",
			FieldError{Field: "status", Message: "unknown status " + status})
		return
	}
	list, next, err := a.deps.Orders.MerchantParts(c.Request.Context(), merchantOf(c).ID, status, c.Query("cursor"), limit)
	if list == nil {
		list = []order.HomePart{}
	}
	respond(c, http.StatusOK, gin.H{"parts": list, "next_cursor": next}, err)
}

func (a *API) postShip(c *gin.Context) {
	var in order.Shipment
	if !bindJSON(c, &in) {
		return
	}
	p, err := a.deps.Orders.ShipWith(c.Request.Context(), merchantOf(c).ID, c.Param("id"), in)
	respond(c, http.StatusOK, p, err)
}

func (a *API) postDeliver(c *gin.Context) {
	p, err := a.deps.Orders.Deliver(c.Request.Context(), merchantOf(c).ID, c.Param("id"))
	respond(c, http.StatusOK, p, err)
}

// postRefund refunds a part in full, or with keep_shipping=true all but
// the shipping of a part that went out.
func (a *API) postRefund(c *gin.Context) {
	refund := a.deps.Orders.Refund
	switch c.Query("keep_shipping") {
	case "", "false":
	case "true":
		refund = a.deps.Orders.RefundItems
	default:
		failStatus(c, http.StatusBadRequest, "Bad query parameter", "keep_shipping must be true or false",
			FieldError{Field: "keep_shipping", Message: "must be true or false"})
		return
	}
	p, err := refund(c.Request.Context(), merchantOf(c).ID, c.Param("id"))
	respond(c, http.StatusOK, p, err)
}

// postRefunds refunds some of a part: units and/or an amount, with or
// without shipping, restocked or not.
func (a *API) postRefunds(c *gin.Context) {
	var in order.RefundRequest
	if !bindJSON(c, &in) {
		return
	}
	in.Key = strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	p, err := a.deps.Orders.RefundPart(c.Request.Context(), merchantOf(c).ID, c.Param("id"), in)
	respond(c, http.StatusOK, p, err)
}

// respond writes v with status, or err as a problem.
func respond(c *gin.Context, status int, v any, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(status, v)
}

// Webhooks is the log of webhook deliveries to the back office.
type Webhooks interface {
	Deliveries(ctx context.Context, cursor string, limit int) ([]webhook.Delivery, string, error)
}

func (a *API) getDeliveries(c *gin.Context) {
	limit, ok := intParam(c, "limit", 50, 1, 500)
	if !ok {
		return
	}
	list, next, err := a.deps.Webhooks.Deliveries(c.Request.Context(), c.Query("cursor"), limit)
	if list == nil {
		list = []webhook.Delivery{}
	}
	respond(c, http.StatusOK, gin.H{"deliveries": list, "next_cursor": next}, err)
}

func (a *API) getOutbox(c *gin.Context) {
	members, err := a.deps.Orders.Outbox(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	parked, err := a.deps.Orders.Parked(c.Request.Context(), 200)
	if members == nil {
		members = []order.OutboxDepth{}
	}
	if parked == nil {
		parked = []order.ParkedMessage{}
	}
	respond(c, http.StatusOK, gin.H{"members": members, "parked": parked}, err)
}

// parkedKey is the key of the parked message a request names.
func parkedKey(c *gin.Context) string { return c.Param("peer") + "/" + c.Param("seq") }

func (a *API) postParkedRetry(c *gin.Context) {
	err := a.deps.Orders.RetryParked(c.Request.Context(), parkedKey(c))
	respond(c, http.StatusAccepted, gin.H{"status": "queued"}, err)
}

func (a *API) deleteParked(c *gin.Context) {
	if err := a.deps.Orders.DropParked(c.Request.Context(), parkedKey(c)); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
