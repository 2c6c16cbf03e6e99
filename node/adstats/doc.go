// Package adstats counts what a storefront's sponsored slots did, for
// its operator's dashboard only: how often each campaign's slots were
// shown (impressions) and clicked, per UTC day, and the sponsored sales
// attributed to them with this member's share of their fees. Nothing
// here is billed or leaves the node: no member can check another's
// impressions or clicks, so settlement never sees them.
//
// Impressions and clicks are counted in memory on the request path (one
// map increment under a mutex) and written to Badger in batches, one
// transaction per flush, by Run: every Interval and when ctx ends. A
// crash loses at most the last Interval's counts. Reads add what is not
// flushed yet. Sales are written by the caller's transaction (the one
// that queues the sale's settlement event), keyed by part and step so
// that a step stated twice counts once.
//
// Keys, all under "n/ads/" in the node's database:
//
//	n/ads/d/<day>/<campaign>            impressions, clicks (two uint64)
//	n/ads/s/<campaign>/<part>/<step>    one sale step (JSON)
package adstats
