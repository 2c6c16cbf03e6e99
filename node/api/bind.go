package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
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

// decodeStrict reads one JSON document into v with the decoder of
// encoding/json/v2 (github.com/go-json-experiment/json), which reads a
// request about twice as fast as encoding/json and says where in the body
// it failed. It refuses what a client cannot have meant: a field the
// request does not take (names match as the schema spells them), a field
// given twice, text that is not UTF-8, and anything after the document.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errEmptyBody
	}
	return jsonv2.Unmarshal(body, v, jsonv2.RejectUnknownMembers(true))
}

var errEmptyBody = errors.New("the body is empty")

// writeDecodeError turns a JSON decoding error into a 422 naming the field.
func writeDecodeError(c *gin.Context, err error) {
	detail, fields := decodeProblem(err)
	failStatus(c, http.StatusUnprocessableEntity, "Invalid input", detail, fields...)
}

// decodeProblem says what a body that did not decode got wrong: a detail
// for the problem, and the field at fault by its path in the body
// ("variants[0].price.amount"; "(body)" for the document as a whole).
func decodeProblem(err error) (detail string, fields []FieldError) {
	if errors.Is(err, errEmptyBody) {
		return err.Error(), []FieldError{{Field: "(body)", Message: "a JSON document is required"}}
	}
	var semantic *jsonv2.SemanticError
	if errors.As(err, &semantic) {
		field := fieldPath(semantic.JSONPointer)
		got := jsonKind(semantic.JSONKind, semantic.JSONValue)
		switch {
		case errors.Is(semantic.Err, jsonv2.ErrUnknownName):
			return "the body has a field this request does not take",
				[]FieldError{{Field: field, Message: "unknown field" + didYouMean(semantic.GoType, semantic.JSONPointer.LastToken())}}
		case errors.Is(semantic.Err, strconv.ErrRange):
			return "the body does not match the expected shape",
				[]FieldError{{Field: field, Message: fmt.Sprintf("is out of range for %s: %s", goKind(semantic.GoType), got)}}
		}
		return "the body does not match the expected shape",
			[]FieldError{{Field: field, Message: fmt.Sprintf("must be %s, not %s", goKind(semantic.GoType), got)}}
	}
	var syntactic *jsontext.SyntacticError
	if !errors.As(err, &syntactic) {
		return err.Error(), []FieldError{{Field: "(body)", Message: err.Error()}}
	}
	switch field := fieldPath(syntactic.JSONPointer); {
	case errors.Is(syntactic.Err, jsontext.ErrDuplicateName):
		return "the body gives a field twice", []FieldError{{Field: field, Message: "is given more than once"}}
	case strings.Contains(syntactic.Err.Error(), "UTF-8"): // the library does not export its error for it
		return "the body is not UTF-8 text", []FieldError{{Field: field, Message: "is not valid UTF-8"}}
	}
	return "the body is not valid JSON: " + syntactic.Err.Error(),
		[]FieldError{{Field: "(body)", Message: "JSON syntax error at byte " + strconv.FormatInt(syntactic.ByteOffset, 10)}}
}

// fieldPath writes a JSON Pointer as the API names fields: "/variants/0/sku"
// is "variants[0].sku" and "/3/title" (in an array of listings)
// "[3].title". A member name made only of digits reads as an index; no
// request of the API has such names.
func fieldPath(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.ParseUint(tok, 10, 64); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	if b.Len() == 0 {
		return "(body)"
	}
	return b.String()
}

// didYouMean names the field of struct type t that name matches but for
// its case ("Title" for "title"), as " (did you mean \"title\"?)".
func didYouMean(t reflect.Type, name string) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return ""
	}
	for f := range t.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag != "" && tag != "-" && strings.EqualFold(tag, name) {
			return fmt.Sprintf(" (did you mean %q?)", tag)
		}
	}
	return ""
}

// goKind says what a Go type takes, as a client would put it.
func goKind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return goKind(t.Elem())
	}
	return t.Kind().String()
}

// jsonKind says what a client sent: a number by its value, anything else
// by its kind.
func jsonKind(k jsontext.Kind, v jsontext.Value) string {
	switch k {
	case '0':
		if len(v) > 0 && len(v) <= 32 {
			return string(v)
		}
		return "a number"
	case '"':
		return "a string"
	case 't', 'f':
		return k.String()
	case 'n':
		return "null"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "that"
}
