package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// bindJSON decodes the request body strictly into v. On failure it writes
// a problem naming the field at fault and returns false.
func bindJSON(c *gin.Context, v any) bool {
	body, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		failStatus(c, http.StatusRequestEntityTooLarge, "Request too large", err.Error())
		return false
	}
	if err != nil {
		failStatus(c, http.StatusBadRequest, "Unreadable body", err.Error())
		return false
	}
	if err := decodeStrict(body, v); err != nil {
		writeDecodeError(c, err)
		return false
	}
	return true
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON document")
	}
	return nil
}

// writeDecodeError turns a JSON decoding error into a 422 naming the field.
func writeDecodeError(c *gin.Context, err error) {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "(body)"
		}
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", "the body does not match the expected shape",
			FieldError{Field: field, Message: fmt.Sprintf("must be %s, not %s", kind(typeErr.Type.Kind().String()), typeErr.Value)})
	case errors.As(err, &syntaxErr):
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", "the body is not valid JSON: "+err.Error(),
			FieldError{Field: "(body)", Message: "JSON syntax error at byte " + strconv.FormatInt(syntaxErr.Offset, 10)})
	case errors.Is(err, io.EOF):
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", "the body is empty", FieldError{Field: "(body)", Message: "a JSON document is required"})
	default:
		failStatus(c, http.StatusUnprocessableEntity, "Invalid input", err.Error(), unknownField(err)...)
	}
}

// unknownField extracts the name from encoding/json's "unknown field" error.
func unknownField(err error) []FieldError {
	const prefix = `json: unknown field "`
	msg := err.Error()
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return []FieldError{{Field: msg[len(prefix) : len(msg)-1], Message: "unknown field"}}
	}
	return nil
}

func kind(k string) string {
	switch k {
	case "int", "int64", "int32", "uint64":
		return "an integer"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	case "bool":
		return "true or false"
	}
	return k
}
