package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/gin-gonic/gin"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Shoppers tells where a shopper's account lives (a shopper who signed in
// with another member lives there) and what this node's shoppers ordered
// on other members' storefronts.
type Shoppers interface {
	Shopper(ctx context.Context, id string) (order.Shopper, error)
	ShopperHome(sh order.Shopper) (home, subject string)
	RemoteOrders(ctx context.Context, shopper string, limit int) ([]order.RemoteOrder, error)
}

// shopperView is GET /v1/shoppers/me.
type shopperView struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	// Home is the peer ID of the member the account lives on, Subject
	// its id there.
	Home    string `json:"home"`
	Subject string `json:"subject"`
}

// remoteOrderView is one order placed on another member's storefront.
type remoteOrderView struct {
	order.RemoteOrder
	MemberName string `json:"member_name,omitempty"`
	// URL is the order's page on that storefront, from the charter.
	URL string `json:"url,omitempty"`
}

func (a *API) shopperRoutes(sh *gin.RouterGroup) {
	sh.GET("/shoppers/me", a.getShopperMe)
	sh.GET("/shoppers/me/orders-elsewhere", a.getOrdersElsewhere)
}

func (a *API) shoppers(c *gin.Context) (Shoppers, bool) {
	if a.deps.Shoppers == nil {
		fail(c, fmt.Errorf("%w: shopper accounts are not served here", order.ErrNotFound))
		return nil, false
	}
	return a.deps.Shoppers, true
}

func (a *API) getShopperMe(c *gin.Context) {
	s, ok := a.shoppers(c)
	if !ok {
		return
	}
	sh, err := s.Shopper(c.Request.Context(), shopperOf(c))
	if err != nil {
		fail(c, err)
		return
	}
	home, subject := s.ShopperHome(sh)
	c.JSON(http.StatusOK, shopperView{ID: sh.ID, Name: sh.Name, Email: sh.Email, CreatedAt: sh.CreatedAt, Home: home, Subject: subject})
}

func (a *API) getOrdersElsewhere(c *gin.Context) {
	s, ok := a.shoppers(c)
	if !ok {
		return
	}
	list, err := s.RemoteOrders(c.Request.Context(), shopperOf(c), order.MaxRemoteOrders)
	if err != nil {
		fail(c, err)
		return
	}
	items := make([]remoteOrderView, 0, len(list))
	sc, _ := a.deps.Federation.Charter()
	for _, ro := range list {
		v := remoteOrderView{RemoteOrder: ro}
		if pid, err := peer.Decode(ro.Member); err == nil && sc != nil {
			if m, ok := sc.Charter.Member(pid); ok {
				v.MemberName, v.URL = m.Name, strings.TrimRight(m.API, "/")+"/orders/"+ro.Order
			}
		}
		items = append(items, v)
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
