// Package api is the node's HTTP interface: the REST API under /v1, health
// and readiness probes, Prometheus metrics, and the OpenAPI document. It is
// the only package that imports gin; handlers translate between JSON and the
// plain Go services of the other packages, and every error leaves through
// one table (problem.go) as application/problem+json.
//
// Authentication is by bearer token: the operator token (from the node's
// data folder) for operator endpoints; merchant and shopper tokens for their
// own resources as later endpoints add them.
package api
