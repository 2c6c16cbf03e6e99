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
// required property with the declared type, recursively. Tests call it on
// real responses so that the spec cannot drift from the code.
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
	switch x := v.(type) {
	case map[string]any:
		if req, ok := lookup(schema, "required"); ok {
			for _, name := range req.([]any) {
				if _, ok := x[name.(string)]; !ok {
					return fmt.Errorf("openapi: %s: required property %q missing", path, name)
				}
			}
		}
		props, _ := lookup(schema, "properties")
		pm, _ := props.(map[string]any)
		for k, pv := range x {
			if ps, ok := pm[k]; ok {
				if err := conform(doc, ps, pv, path+"."+k); err != nil {
					return err
				}
			}
		}
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
