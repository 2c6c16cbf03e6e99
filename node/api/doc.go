// Package api is the node's HTTP interface: the REST API under /v1, health
// and readiness probes, Prometheus metrics, and the OpenAPI document. It is
// the only package that imports gin; handlers translate between JSON and the
// plain Go services of the other packages, and every error leaves through
// one table (problem.go) as application/problem+json.
//
// Authentication is by bearer token: the operator token (from the node's
// data folder) for operator endpoints; merchant and shopper tokens for their
// own resources. A merchant's token can be replaced by the operator or by
// the merchant; the old one stops working at once.
//
// # What a stranger can spend
//
// Every request is observed in one histogram whose labels come from fixed
// sets (metrics.go): a method outside the standard ones is "other", a path
// no route matched is "unmatched", a status is its class. So no request
// adds a series, and log lines repeat at most a bounded prefix of a
// request's method and path. GET /metrics needs the operator token unless
// Config.Metrics says otherwise, and /readyz tells why the node is not
// ready to the operator only. Opening a shopper account and placing a
// checkout spend the client's budgets (Deps.Budgets, shared with the
// pages): past one, 429 with Retry-After and a problem naming the limit.
package api
