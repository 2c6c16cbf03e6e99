package api

import (
	"github.com/fedmart/fedmart/node/budget"
	"github.com/gin-gonic/gin"
)

// Per-client budgets: opening a shopper account and placing a checkout
// each spend one unit of the client's budget of that kind (Deps.Budgets,
// shared with the pages). A client with none left is refused with 429, a
// Retry-After header and a problem whose "limit" names the budget.

// spend charges the request's client one unit of the budget k.
func (a *API) spend(k budget.Kind) gin.HandlerFunc {
	return func(c *gin.Context) {
		if r := a.deps.Budgets.Charge(k, c.Request); r != nil {
			fail(c, r)
			return
		}
		c.Next()
	}
}
