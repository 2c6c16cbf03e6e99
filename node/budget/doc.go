// Package budget holds what each client of the node's HTTP edge may spend:
// how many accounts it may open, sign-ins it may attempt, checkouts it
// may place and pictures it may make the node fetch from other members in
// a span of time. The REST API (node/api) and the pages
// (node/web) charge the same budgets, so that a client cannot double its
// allowance by switching from one to the other.
//
// # Model
//
// A client is an address (ClientAddr): the connection's peer, or, behind
// reverse proxies the operator trusts (api.trusted_proxies), the nearest
// address in X-Forwarded-For that none of them added. Each budget is a
// Limiter: one token bucket per client, holding Rate.N tokens and refilled
// evenly over Rate.Per. A request that finds its bucket empty is refused
// with how long until a token is back, which the API sends as 429 with
// Retry-After and the pages as a 429 page saying when to try again.
//
// Buckets live in a Table, which keeps at most a fixed number of entries
// and evicts the least recently used one when a new client arrives. A
// client forgotten that way starts again with a full bucket: the table
// trades that for a bounded memory, and evicts only the clients idle the
// longest, never the whole table. Nothing is persisted: a restart gives
// every client a full budget.
package budget
