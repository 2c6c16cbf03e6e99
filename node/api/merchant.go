package api

import (
	"net/http"
	"strings"

	"github.com/fedmart/fedmart/catalog"
	"github.com/gin-gonic/gin"
)

const merchantKey = "fedmart.merchant"

// merchantOnly admits requests carrying a merchant token and remembers the merchant.
func (a *API) merchantOnly(c *gin.Context) {
	bearerAs("merchant", merchantKey, func(c *gin.Context, t string) (catalog.Merchant, error) {
		return a.deps.Catalog.MerchantByToken(c.Request.Context(), t)
	})(c)
}

func merchantOf(c *gin.Context) catalog.Merchant {
	return c.MustGet(merchantKey).(catalog.Merchant)
}

func (a *API) postMerchant(c *gin.Context) {
	var in struct {
		Name string `json:"name"`
	}
	if !bindJSON(c, &in) {
		return
	}
	if n := strings.TrimSpace(in.Name); n == "" || len(n) > 100 {
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", "the merchant needs a name",
			FieldError{Field: "name", Message: "must be 1-100 characters"})
		return
	}
	m, token, err := a.deps.Catalog.CreateMerchant(c.Request.Context(), strings.TrimSpace(in.Name))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": m.ID, "name": m.Name, "token": token, "created_at": m.CreatedAt})
}

func (a *API) getMerchants(c *gin.Context) {
	list, err := a.deps.Catalog.Merchants(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]gin.H, 0, len(list))
	for _, m := range list {
		out = append(out, merchantJSON(m))
	}
	c.JSON(http.StatusOK, gin.H{"merchants": out})
}

// merchantJSON is a merchant as the API shows it: suspended_at only
// while it is suspended.
func merchantJSON(m catalog.Merchant) gin.H {
	out := gin.H{"id": m.ID, "name": m.Name, "created_at": m.CreatedAt}
	if m.Suspended() {
		out["suspended_at"] = m.SuspendedAt
	}
	return out
}

// patchMerchant is the operator's PATCH /v1/merchants/{id}: a new name,
// a suspension ("suspended": true) or its end ("suspended": false); see
// catalog.Catalog.SuspendMerchant for what a suspension does.
func (a *API) patchMerchant(c *gin.Context) {
	var in struct {
		Name      *string `json:"name"`
		Suspended *bool   `json:"suspended"`
	}
	if !bindJSON(c, &in) {
		return
	}
	if in.Name == nil && in.Suspended == nil {
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", "nothing to change",
			FieldError{Field: "name", Message: "give a name, suspended, or both"})
		return
	}
	ctx, id := c.Request.Context(), c.Param("id")
	var m catalog.Merchant
	var err error
	if in.Name != nil {
		m, err = a.deps.Catalog.RenameMerchant(ctx, id, *in.Name)
	}
	if err == nil && in.Suspended != nil {
		change := a.deps.Catalog.ReinstateMerchant
		if *in.Suspended {
			change = a.deps.Catalog.SuspendMerchant
		}
		m, err = change(ctx, id)
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, merchantJSON(m))
}

// A merchant's token can be replaced, by the operator (when it leaked or
// the merchant lost it) or by the merchant itself: the old token stops
// working at once, for the API and for the console's sessions, and the
// new one is shown in this one answer.

// postMerchantToken is the operator's POST /v1/merchants/{id}/token.
func (a *API) postMerchantToken(c *gin.Context) {
	a.rotate(c, c.Param("id"))
}

// postOwnToken is a merchant's POST /v1/merchant/token.
func (a *API) postOwnToken(c *gin.Context) {
	a.rotate(c, merchantOf(c).ID)
}

func (a *API) rotate(c *gin.Context, id string) {
	token, err := a.deps.Catalog.RotateMerchantToken(c.Request.Context(), id)
	respond(c, http.StatusOK, gin.H{"id": id, "token": token}, err)
}
