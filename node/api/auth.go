package api

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/gin-gonic/gin"
)

// bearer extracts the token of an "Authorization: Bearer <token>" header.
func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(t)
	}
	return ""
}

// operatorOnly admits requests that carry the operator token.
func (a *API) operatorOnly(c *gin.Context) {
	t := bearer(c)
	if t == "" {
		c.Header("WWW-Authenticate", `Bearer realm="fedmart"`)
		failStatus(c, http.StatusUnauthorized, "Authentication required", "send the operator token as: Authorization: Bearer <token>")
		return
	}
	if !a.isOperator(c) {
		failStatus(c, http.StatusForbidden, "Forbidden", "this endpoint needs the operator token")
		return
	}
	c.Next()
}

// isOperator reports whether the request carries the operator token.
func (a *API) isOperator(c *gin.Context) bool {
	t := bearer(c)
	return t != "" && a.cfg.OperatorToken != "" && subtle.ConstantTimeCompare([]byte(t), []byte(a.cfg.OperatorToken)) == 1
}

// bearerAs admits requests whose bearer token lookup accepts as a token
// of kind ("merchant", "shopper"), storing what it returns under key.
func bearerAs[T any](kind, key string, lookup func(c *gin.Context, token string) (T, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		t := bearer(c)
		if t == "" {
			c.Header("WWW-Authenticate", `Bearer realm="fedmart"`)
			failStatus(c, http.StatusUnauthorized, "Authentication required", "send the "+kind+" token as: Authorization: Bearer <token>")
			return
		}
		v, err := lookup(c, t)
		if errors.Is(err, catalog.ErrSuspended) {
			failStatus(c, http.StatusForbidden, "Forbidden", "this merchant is suspended by the node's operator until reinstated")
			return
		}
		if err != nil {
			failStatus(c, http.StatusForbidden, "Forbidden", "this endpoint needs a "+kind+" token of this node")
			return
		}
		c.Set(key, v)
		c.Next()
	}
}
