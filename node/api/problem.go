package api

import (
	"errors"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation"
	"github.com/gin-gonic/gin"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Errors []FieldError `json:"errors,omitempty"`
}

// FieldError names one invalid input field by its JSON path.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
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
	{catalog.ErrInvalid, http.StatusUnprocessableEntity, "Invalid input"},
	{catalog.ErrTooLarge, http.StatusUnprocessableEntity, "Listing too large"},
	{catalog.ErrNotFound, http.StatusNotFound, "Not found"},
	{catalog.ErrConflict, http.StatusConflict, "Conflict"},
}

// problemType is the base of problem type URIs.
const problemType = "https://fedmart.dev/problems/"

// fail writes err as a problem document.
func fail(c *gin.Context, err error) {
	var ve *catalog.ValidationError
	if errors.As(err, &ve) {
		fields := make([]FieldError, 0, len(ve.Errors))
		for _, f := range ve.Errors {
			fields = append(fields, FieldError{Field: f.Field, Message: f.Message})
		}
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", err.Error(), fields...)
		return
	}
	for _, e := range errorStatus {
		if errors.Is(err, e.err) {
			writeProblem(c, Problem{Type: problemType + slug(e.status), Title: e.title, Status: e.status, Detail: err.Error()})
			return
		}
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
	default:
		return "error"
	}
}
