// Package webhook delivers signed webhooks to a member platform's own back
// office: when an order is accepted, a payout is sent and so on, the node
// POSTs a JSON event to the URLs its operator configured.
//
// # Model
//
// A Config names one hook: its URL, the secret shared with the receiver
// and the events it wants ("order.accepted", "order.*", or "*"). The code
// that changes state calls Dispatcher.Enqueue with its own Badger
// transaction; Enqueue writes one Delivery per subscribed hook in that
// transaction, so a delivery exists if and only if the state change that
// caused it committed (a transactional outbox). After the commit the caller
// calls Notify to send right away; without it a poll finds the delivery
// within a second.
//
// A delivery moves pending -> delivered (the receiver answered 2xx) or
// pending -> failed (Options.MaxAttempts attempts were refused, timed out or
// unanswered, or its hook was removed from the configuration). Between
// attempts it waits an exponential backoff with jitter (1s doubling to 5m
// by default); its next attempt time is stored with it, so a restarted node
// carries on where it stopped. Delivery is at least once: a crash between
// the receiver's 2xx and the node recording it sends the delivery again.
// Receivers dedupe on the Fedmart-Delivery header (also the body's "id").
// Order is not guaranteed either: a retried delivery can arrive after a
// later one.
//
// # Sending
//
// Run starts one sender per hook; each makes one attempt at a time,
// earliest due first, and never holds a Badger transaction during the HTTP
// call. A slow or dead receiver therefore delays only its own deliveries,
// by at most Options.Timeout per attempt. Redirects are not followed.
//
// Each POST carries the body
//
//	{"id":"dlv_…","event":"order.accepted","created_at":"2026-…Z","data":{…}}
//
// and the headers Content-Type: application/json, Fedmart-Event,
// Fedmart-Delivery and Fedmart-Signature.
//
// # Signature
//
// Fedmart-Signature is "t=<unix seconds>,v1=<hex>", where hex is
// HMAC-SHA256 keyed with the hook's secret over the timestamp, a dot and
// the raw body: "<t>.<body>". A receiver recomputes it over the bytes it
// read (before any JSON decoding), compares in constant time, and refuses
// timestamps far from its clock, which stops replays. In Go:
//
//	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
//	err := webhook.Verify(secret, r.Header.Get("Fedmart-Signature"), body, time.Now(), 5*time.Minute)
//	if err != nil {
//		http.Error(w, "bad signature", http.StatusUnauthorized)
//		return
//	}
//
// While a secret is being rotated, a receiver tries the new secret, then
// the old one.
//
// # Storage and lifecycle
//
// Everything lives in the node's Badger database under "w/": the delivery
// log by creation time, one queue per hook by next attempt time, and an
// index of finished deliveries by finish time, from which the oldest are
// deleted beyond Options.KeepFinished (10000 by default). Deliveries reads
// the log newest first, page by page, for the operator.
//
// Lifecycle: Open on the shared Badger handle, Enqueue and Notify from any
// goroutine, Run(ctx) once until the node stops (one running Dispatcher
// per database); there is nothing to close.
// A pending delivery whose hook is no longer configured when Run starts is
// failed, with that as its last error.
package webhook
