package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Spec is the OpenAPI 3.1 description of the REST API, served at
// /v1/openapi.yaml. Tests check real responses against it.
//
//go:embed openapi.yaml
var Spec []byte

func (a *API) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml", Spec)
}
