package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Headers of a webhook POST.
const (
	HeaderEvent     = "Fedmart-Event"
	HeaderDelivery  = "Fedmart-Delivery"
	HeaderSignature = "Fedmart-Signature"
)

// maxSnippet caps the part of a refusing receiver's answer kept in
// Delivery.LastError.
const maxSnippet = 200

// outcome is what one attempt got: an HTTP status (0 without an answer)
// and, unless it is 2xx, why it failed.
type outcome struct {
	code int
	err  string
}

func (o outcome) ok() bool { return o.code >= 200 && o.code < 300 }

// result names the outcome for the attempts metric.
func (o outcome) result() string {
	switch {
	case o.ok():
		return "ok"
	case o.code != 0:
		return "http_error"
	}
	return "network_error"
}

// post makes one signed POST of r to the lane's hook, signed at t.
func (l *lane) post(ctx context.Context, r *record, t time.Time) outcome {
	ctx, cancel := context.WithTimeout(ctx, l.d.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.hook.URL, bytes.NewReader(r.Body))
	if err != nil {
		return outcome{err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "fedmart-webhook/1")
	req.Header.Set(HeaderEvent, r.Event)
	req.Header.Set(HeaderDelivery, r.ID)
	req.Header.Set(HeaderSignature, Sign(l.hook.Secret, t, r.Body))
	resp, err := l.d.client.Do(req)
	if errors.Is(err, context.DeadlineExceeded) {
		return outcome{err: fmt.Sprintf("no answer within %s", l.d.opts.Timeout)}
	}
	if err != nil {
		return outcome{err: err.Error()}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, maxSnippet))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	o := outcome{code: resp.StatusCode}
	if !o.ok() {
		o.err = resp.Status
		if s := strings.TrimSpace(strings.ToValidUTF8(string(snippet), "?")); s != "" {
			o.err += ": " + s
		}
	}
	return o
}

// settle stores the outcome of the attempt r started at start: delivered on
// 2xx, failed after Options.MaxAttempts, otherwise due again after a
// backoff that grows with the attempts.
func (d *Dispatcher) settle(r *record, start time.Time, res outcome) error {
	queued := r.pendingKey()
	r.Attempts++
	r.LastAttemptAt, r.LastStatusCode, r.LastError = start, res.code, res.err
	now := d.now()
	switch {
	case res.ok():
		r.Status, r.DeliveredAt, r.FinishedAt, r.NextAttemptAt = StatusDelivered, now, now, time.Time{}
	case r.Attempts >= d.opts.MaxAttempts:
		r.Status, r.FinishedAt, r.NextAttemptAt = StatusFailed, now, time.Time{}
	default:
		r.NextAttemptAt = now.Add(d.backoffAfter(r.Attempts))
	}
	if err := d.save(r, queued); err != nil {
		return err
	}
	d.met.attempts.WithLabelValues(res.result()).Inc()
	d.logAttempt(r)
	return nil
}

// backoffAfter is the wait after the given number of failed attempts: the
// attempts-th interval of an exponential backoff with jitter.
func (d *Dispatcher) backoffAfter(attempts int) time.Duration {
	b := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(d.opts.InitialBackoff),
		backoff.WithMaxInterval(d.opts.MaxBackoff),
		backoff.WithMaxElapsedTime(0))
	var wait time.Duration
	for range attempts {
		wait = b.NextBackOff()
	}
	return wait
}

// logAttempt reports an attempt: debug while things go as planned, a
// warning when a delivery is given up.
func (d *Dispatcher) logAttempt(r *record) {
	args := []any{"id", r.ID, "event", r.Event, "url", r.URL, "attempts", r.Attempts}
	switch r.Status {
	case StatusDelivered:
		d.log.Debug("webhook delivered", args...)
	case StatusFailed:
		d.log.Warn("webhook delivery failed", append(args, "last_error", r.LastError)...)
	default:
		d.log.Debug("webhook attempt failed", append(args, "last_error", r.LastError, "next_attempt_at", r.NextAttemptAt)...)
	}
}
