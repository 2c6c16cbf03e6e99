package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/content"
	"github.com/fedmart/fedmart/catalog/media"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/budget"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/webhook"
	"github.com/fedmart/fedmart/settlement"
	"github.com/gin-gonic/gin"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
	// Shortages names the lines out of stock (409 out of stock).
	Shortages []order.Shortage `json:"shortages,omitempty"`
	// Quote holds the new prices (409 price changed).
	Quote []order.Line `json:"quote,omitempty"`
	// Shipping holds the new shipping prices (409 price changed).
	Shipping []order.ShippingChange `json:"shipping,omitempty"`
	// Unshippable names the lines not shipped to Country (422).
	Unshippable []order.Line `json:"unshippable,omitempty"`
	Country     string       `json:"country,omitempty"`
	// UnavailablePlatforms are the peer IDs of the home platforms that did
	// not answer (503): their lines can be removed and the rest bought.
	UnavailablePlatforms []string `json:"unavailable_platforms,omitempty"`
	// Limit names the per-client budget a 429 ran out of.
	Limit string `json:"limit,omitempty"`
}

// FieldError names one invalid input field by its JSON path; Code and
// Params, when the order service gives them, name the problem for a
// program (order.FieldError).
type FieldError struct {
	Field   string            `json:"field"`
	Message string            `json:"message"`
	Code    string            `json:"code,omitempty"`
	Params  map[string]string `json:"params,omitempty"`
}

// errorStatus maps package sentinels to HTTP statuses. It is the one place
// where domain errors become HTTP.
var errorStatus = []struct {
	err    error
	status int
	title  string
}{
	{federation.ErrInvalid, http.StatusUnprocessableEntity, "Invalid input"},
	{federation.ErrBadSignature, http.StatusUnprocessableEntity, "Signature does not verify"},
	{federation.ErrForeignSigner, http.StatusUnprocessableEntity, "Signed by a non-member"},
	{federation.ErrTooFewSignatures, http.StatusUnprocessableEntity, "Not enough signatures"},
	{federation.ErrVersion, http.StatusConflict, "Charter version out of sequence"},
	{federation.ErrNoCharter, http.StatusServiceUnavailable, "No charter yet"},
	{federation.ErrNotMember, http.StatusForbidden, "Not a member"},
	{federation.ErrNoProposal, http.StatusNotFound, "No such amendment"},
	{federation.ErrTooManyProposals, http.StatusConflict, "Too many pending amendments"},
	{catalog.ErrInvalid, http.StatusUnprocessableEntity, "Invalid input"},
	{catalog.ErrTooLarge, http.StatusUnprocessableEntity, "Listing too large"},
	{catalog.ErrNotFound, http.StatusNotFound, "Not found"},
	{catalog.ErrConflict, http.StatusConflict, "Conflict"},
	{catalog.ErrQuota, http.StatusUnprocessableEntity, "Over the listing quota"},
	{catalog.ErrUnavailable, http.StatusServiceUnavailable, "Catalog catching up after a restore"},
	{catalog.ErrNotAllowed, http.StatusForbidden, "Not allowed by the charter"},
	{content.ErrNotFound, http.StatusNotFound, "Not found"},
	{content.ErrConflict, http.StatusConflict, "Conflict"},
	{content.ErrInvalid, http.StatusUnprocessableEntity, "Invalid input"},
	{order.ErrInvalid, http.StatusUnprocessableEntity, "Invalid input"},
	{order.ErrEmptyCart, http.StatusUnprocessableEntity, "Cart is empty"},
	{order.ErrNotFound, http.StatusNotFound, "Not found"},
	{order.ErrConflict, http.StatusConflict, "Conflict"},
	{order.ErrOutOfStock, http.StatusConflict, "Out of stock"},
	{order.ErrPriceChanged, http.StatusConflict, "Price changed"},
	{order.ErrNotShippable, http.StatusUnprocessableEntity, "Not shipped to that address"},
	{order.ErrDeclined, http.StatusPaymentRequired, "Payment declined"},
	{order.ErrPaymentFailed, http.StatusBadGateway, "Payment provider failed"},
	{order.ErrUnavailable, http.StatusServiceUnavailable, "Home platform unavailable"},
	{order.ErrForged, http.StatusForbidden, "Forged"},
	{order.ErrBudget, http.StatusTooManyRequests, "Over budget"},
	{webhook.ErrInvalid, http.StatusUnprocessableEntity, "Invalid input"},
	{mail.ErrInvalid, http.StatusUnprocessableEntity, "Invalid input"},
	{mail.ErrNotFound, http.StatusNotFound, "Not found"},
	{settlement.ErrPeriodOpen, http.StatusConflict, "Period has not ended"},
	{settlement.ErrNotAgreed, http.StatusConflict, "Not every pair has agreed yet"},
	{settlement.ErrInvalid, http.StatusUnprocessableEntity, "Invalid input"},
	{settlement.ErrNotFound, http.StatusNotFound, "Not found"},
	{settlement.ErrConflict, http.StatusConflict, "Conflict"},
	{media.ErrTooLarge, http.StatusRequestEntityTooLarge, "Picture too large"},
	{media.ErrUnsupported, http.StatusUnsupportedMediaType, "Not a JPEG, PNG or WebP picture"},
	{media.ErrInvalid, http.StatusUnprocessableEntity, "Invalid picture"},
	{media.ErrQuota, http.StatusUnprocessableEntity, "Over the picture quota"},
	{media.ErrNotFound, http.StatusNotFound, "Not found"},
}

// statusOf finds err in errorStatus.
func statusOf(err error) (status int, title string, ok bool) {
	for _, e := range errorStatus {
		if errors.Is(err, e.err) {
			return e.status, e.title, true
		}
	}
	return 0, "", false
}

// problemType is the base of problem type URIs.
const problemType = "https://fedmart.dev/problems/"

// fail writes err as a problem document.
func fail(c *gin.Context, err error) {
	var refused *budget.Refusal
	if errors.As(err, &refused) {
		c.Header("Retry-After", strconv.Itoa(int(refused.Seconds().Seconds())))
		writeProblem(c, Problem{Type: problemType + slug(http.StatusTooManyRequests), Title: "Too many requests",
			Status: http.StatusTooManyRequests, Detail: refused.Error(), Limit: refused.Limit})
		return
	}
	if contentProblem(c, err) {
		return
	}
	var ve *catalog.ValidationError
	if errors.As(err, &ve) {
		fields := make([]FieldError, 0, len(ve.Errors))
		for _, f := range ve.Errors {
			fields = append(fields, FieldError{Field: f.Field, Message: f.Message})
		}
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", err.Error(), fields...)
		return
	}
	var fe order.FieldErrors
	if errors.As(err, &fe) {
		fields := make([]FieldError, 0, len(fe))
		for _, f := range fe {
			fields = append(fields, FieldError{Field: f.Field, Message: f.Message, Code: f.Code, Params: f.Params})
		}
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", err.Error(), fields...)
		return
	}
	if status, title, ok := statusOf(err); ok {
		p := Problem{Type: problemType + slug(status), Title: title, Status: status, Detail: err.Error()}
		var ce *order.CheckoutError
		if errors.As(err, &ce) {
			p.Shortages, p.Quote, p.UnavailablePlatforms = ce.Shortages, ce.Quote, ce.Platforms
			p.Shipping, p.Unshippable, p.Country = ce.Shipping, ce.Unshippable, ce.Country
		}
		writeProblem(c, p)
		return
	}
	writeProblem(c, Problem{Type: problemType + "internal", Title: "Internal error", Status: http.StatusInternalServerError, Detail: "the node could not complete the request; see its log"})
	_ = c.Error(err) // logged once, by the request logger
}

// failStatus writes a problem with an explicit status.
func failStatus(c *gin.Context, status int, title, detail string, fields ...FieldError) {
	writeProblem(c, Problem{Type: problemType + slug(status), Title: title, Status: status, Detail: detail, Errors: fields})
}

func writeProblem(c *gin.Context, p Problem) {
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(p.Status, p)
}

func slug(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad-request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not-found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusUnprocessableEntity:
		return "invalid"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusPaymentRequired:
		return "payment-declined"
	case http.StatusBadGateway:
		return "payment-failed"
	case http.StatusTooManyRequests:
		return "over-budget"
	case http.StatusUnsupportedMediaType:
		return "unsupported-type"
	default:
		return "error"
	}
}
