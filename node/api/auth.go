package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

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
	if subtle.ConstantTimeCompare([]byte(t), []byte(a.cfg.OperatorToken)) != 1 {
		failStatus(c, http.StatusForbidden, "Forbidden", "this endpoint needs the operator token")
		return
	}
	c.Next()
}
