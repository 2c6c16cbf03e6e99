// Package client is a Go client of the node's REST API, generated from
// node/api/openapi.yaml by oapi-codegen (client.gen.go; do not edit it).
// Only tests import it: a story driven through it against a real cluster
// shows that the document is one a client author can generate a working
// client from, not only a valid one.
//
// After changing the document, regenerate with
//
//	go generate ./node/api/client
package client

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -config oapi-codegen.yaml ../openapi.yaml
