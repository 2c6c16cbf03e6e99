package api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// spec is the parsed OpenAPI document, loaded once.
var spec = sync.OnceValues(func() (map[string]any, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(Spec, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return doc, nil
})

// CheckResponse reports whether a response conforms to the OpenAPI
// document: the route (as written in the spec, e.g. /v1/listings/{id}),
// method and status must be documented, and a JSON body must carry every
// required property with the declared type and, where the schema lists
// them, one of its enum values, recursively. An object whose schema names
// its properties may carry no other (unless additionalProperties allows
// them), so that a field the code adds cannot go undocumented. Tests call
// it on real responses so that the spec cannot drift from the code.
func CheckResponse(method, route string, status int, body []byte) error {
	doc, err := spec()
	if err != nil {
		return err
	}
	op, ok := lookup(doc, "paths", route, strings.ToLower(method))
	if !ok {
		return fmt.Errorf("openapi: %s %s is not documented", method, route)
	}
	resp, ok := lookup(op, "responses", strconv.Itoa(status))
	if !ok {
		return fmt.Errorf("openapi: %s %s does not document status %d", method, route, status)
	}
	resp = resolve(doc, resp)
	content, ok := lookup(resp, "content")
	if !ok {
		return nil
	}
	for name, media := range content.(map[string]any) {
		if !isJSON(name) { // a file or text: its schema says no more than its media type
			continue
		}
		schema, ok := lookup(media, "schema")
		if !ok {
			return nil
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return fmt.Errorf("openapi: %s %s %d: body is not JSON: %v", method, route, status, err)
		}
		return conform(doc, schema, v, "$")
	}
	return nil
}

// Route returns the path template of the document that a request path
// matches (/v1/carts/crt_1/items matches /v1/carts/{id}/items), so that a
// client that knows only URLs can check its answers with CheckResponse.
// Where several match, the one with the most literal segments wins, as in
// the router (/v1/orders/outbox over /v1/orders/{id}).
func Route(path string) (string, error) {
	doc, err := spec()
	if err != nil {
		return "", err
	}
	paths, _ := lookup(doc, "paths")
	want := strings.Split(path, "/")
	best, bestLiterals := "", -1
	for tmpl := range paths.(map[string]any) {
		if n, ok := matchRoute(strings.Split(tmpl, "/"), want); ok && n > bestLiterals {
			best, bestLiterals = tmpl, n
		}
	}
	if best == "" {
		return "", fmt.Errorf("openapi: no documented path matches %s", path)
	}
	return best, nil
}

// matchRoute reports whether the segments of a request path fill a
// template's, and how many of the template's are literal.
func matchRoute(tmpl, path []string) (int, bool) {
	if len(tmpl) != len(path) {
		return 0, false
	}
	literals := 0
	for i, seg := range tmpl {
		switch {
		case strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}"):
			if path[i] == "" {
				return 0, false
			}
		case seg == path[i]:
			literals++
		default:
			return 0, false
		}
	}
	return literals, true
}

// isJSON reports whether a media type carries JSON.
func isJSON(media string) bool {
	return media == "application/json" || strings.HasSuffix(media, "+json")
}

func lookup(v any, keys ...string) (any, bool) {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func resolve(doc, v any) any {
	for {
		ref, ok := lookup(v, "$ref")
		if !ok {
			return v
		}
		parts := strings.Split(strings.TrimPrefix(ref.(string), "#/"), "/")
		v, _ = lookup(doc, parts...)
	}
}

func conform(doc, schema, v any, path string) error {
	schema = resolve(doc, schema)
	if err := checkType(schema, v, path); err != nil {
		return err
	}
	if err := checkEnum(schema, v, path); err != nil {
		return err
	}
	switch x := v.(type) {
	case map[string]any:
		return conformObject(doc, shapeOf(doc, schema), x, path)
	case []any:
		if items, ok := lookup(schema, "items"); ok {
			for i, e := range x {
				if err := conform(doc, items, e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// shape is what a schema, with the schemas it combines with allOf, says
// of an object: its required and declared properties, and what it allows
// besides them.
type shape struct {
	required []string
	props    map[string]any
	named    bool // some schema lists properties: others are refused unless extra allows them
	extra    any  // additionalProperties: nil (not given), false, true or a schema
}

func shapeOf(doc, schema any) shape {
	sh := shape{props: map[string]any{}}
	var add func(s any)
	add = func(s any) {
		s = resolve(doc, s)
		if req, ok := lookup(s, "required"); ok {
			for _, name := range req.([]any) {
				sh.required = append(sh.required, name.(string))
			}
		}
		if props, ok := lookup(s, "properties"); ok {
			sh.named = true
			for k, ps := range props.(map[string]any) {
				sh.props[k] = ps
			}
		}
		if extra, ok := lookup(s, "additionalProperties"); ok {
			sh.extra = extra
		}
		if all, ok := lookup(s, "allOf"); ok {
			for _, sub := range all.([]any) {
				add(sub)
			}
		}
	}
	add(schema)
	return sh
}

func conformObject(doc any, sh shape, x map[string]any, path string) error {
	for _, name := range sh.required {
		if _, ok := x[name]; !ok {
			return fmt.Errorf("openapi: %s: required property %q missing", path, name)
		}
	}
	for k, pv := range x {
		ps, ok := sh.props[k]
		switch {
		case ok:
		case sh.extra == false || (sh.extra == nil && sh.named):
			return fmt.Errorf("openapi: %s: property %q is not in the spec", path, k)
		case sh.extra == nil || sh.extra == true:
			continue
		default:
			ps = sh.extra
		}
		if err := conform(doc, ps, pv, path+"."+k); err != nil {
			return err
		}
	}
	return nil
}

// checkEnum reports a value its schema's enum does not list.
func checkEnum(schema, v any, path string) error {
	enum, ok := lookup(schema, "enum")
	if !ok {
		return nil
	}
	switch v.(type) {
	case map[string]any, []any: // enums here list scalars
		return nil
	}
	for _, e := range enum.([]any) {
		if e == v || (isNumber(e) && isNumber(v) && toFloat(e) == toFloat(v)) {
			return nil
		}
	}
	return fmt.Errorf("openapi: %s: %v is not one of %v", path, v, enum)
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, float64:
		return true
	}
	return false
}

func toFloat(v any) float64 {
	if i, ok := v.(int); ok {
		return float64(i)
	}
	return v.(float64)
}

func checkType(schema, v any, path string) error {
	t, ok := lookup(schema, "type")
	if !ok {
		return nil
	}
	var types []string
	switch tt := t.(type) {
	case string:
		types = []string{tt}
	case []any:
		for _, e := range tt {
			types = append(types, e.(string))
		}
	}
	got := jsonType(v)
	for _, want := range types {
		if want == got || (want == "number" && got == "integer") {
			return nil
		}
	}
	return fmt.Errorf("openapi: %s: is %s, spec says %v", path, got, types)
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}
