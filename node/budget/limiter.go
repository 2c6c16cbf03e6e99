package budget

import (
	"fmt"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is one budget: a token bucket per client, in a Table. A nil
// Limiter, or one with an Off rate, allows everything.
type Limiter struct {
	name    string
	rate    Rate
	now     func() time.Time
	buckets *Table[*rate.Limiter]
}

// NewLimiter returns the budget called name (the word its refusals
// use, such as "accounts") at r, keeping the buckets of at most clients
// clients. now is the clock; nil is time.Now.
func NewLimiter(name string, r Rate, clients int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{name: name, rate: r, now: now, buckets: NewTable[*rate.Limiter](clients)}
}

// Take spends one token of client's bucket. When the bucket is empty it
// spends nothing and returns a Refusal.
func (l *Limiter) Take(client string) *Refusal {
	if l == nil || l.rate.Off() {
		return nil
	}
	b := l.buckets.Update(client, func(b *rate.Limiter, found bool) *rate.Limiter {
		if !found {
			b = rate.NewLimiter(rate.Limit(float64(l.rate.N)/l.rate.Per.Seconds()), l.rate.N)
		}
		return b
	})
	now := l.now()
	res := b.ReserveN(now, 1)
	if wait := res.DelayFrom(now); wait > 0 {
		res.CancelAt(now)
		return &Refusal{Limit: l.name, Rate: l.rate, RetryAfter: wait}
	}
	return nil
}

// Clients is the number of clients whose buckets are kept.
func (l *Limiter) Clients() int { return l.buckets.Len() }

// Refusal says which budget a request exceeded and when a token is back.
type Refusal struct {
	// Limit names the budget (a Kind's name, such as "accounts").
	Limit string
	// Rate is the budget's rate.
	Rate Rate
	// RetryAfter is how long until the client may try again.
	RetryAfter time.Duration
}

// Error says what was refused, in a sentence a client can act on.
func (r *Refusal) Error() string {
	return fmt.Sprintf("too many %s from this client: at most %d per %s; try again in %s",
		r.Limit, r.Rate.N, shortDuration(r.Rate.Per), r.Seconds().String())
}

// Seconds is RetryAfter rounded up to a whole second (at least one), as
// Retry-After carries it.
func (r *Refusal) Seconds() time.Duration {
	return max(time.Second, (r.RetryAfter + time.Second - 1).Truncate(time.Second))
}
