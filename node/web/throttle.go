package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fedmart/fedmart/node/budget"
)

// Sign-in throttling. Each password check costs a bcrypt comparison, and
// a wrong guess must cost the guesser, never the shopper guessed at:
// failed shopper sign-ins are counted per pair of e-mail address and
// client address. A pair's first FreeFailures failures cost nothing; from
// then on, each failure makes the pair wait before its next attempt,
// twice as long as the one before, from firstDelay up to MaxDelay. An
// attempt of a pair that is waiting is refused with 429 and Retry-After,
// without checking the password; the right password clears the pair. So
// a stranger's wrong passwords slow the stranger only: the shopper, from
// any other client, signs in at once. How many attempts one client makes
// over every address is bounded by the sign-in budget (budget.SignIns).
//
// The counts live in a budget.Table of at most maxThrottled pairs, which
// evicts the pair that failed least recently: a flood of pairs forgets
// the oldest ones, never the whole table. A pair that has not failed for
// ForgetAfter starts again from nothing.
const (
	FreeFailures = 2
	firstDelay   = 5 * time.Second
	MaxDelay     = 15 * time.Minute
	ForgetAfter  = 24 * time.Hour
	maxThrottled = 10000
)

// failures are one pair's consecutive failed sign-ins.
type failures struct {
	n     int       // failures since the last success
	last  time.Time // the latest failure
	until time.Time // no attempt before this
}

// Throttle counts failed sign-ins per (address, client) pair.
type Throttle struct {
	now   func() time.Time
	pairs *budget.Table[failures]
}

// NewThrottle returns an empty throttle on the clock now.
func NewThrottle(now func() time.Time) *Throttle {
	return &Throttle{now: now, pairs: budget.NewTable[failures](maxThrottled)}
}

// PairKey names the pair of an e-mail address and the client of r.
func PairKey(email, client string) string {
	return strings.ToLower(email) + "\x00" + client
}

// Wait is how long the pair must wait before its next attempt; 0 when
// it may try now.
func (t *Throttle) Wait(pair string) time.Duration {
	f, ok := t.pairs.Get(pair)
	if !ok {
		return 0
	}
	return max(0, f.until.Sub(t.now()))
}

// Failed counts a failure of the pair and returns how long it must now
// wait.
func (t *Throttle) Failed(pair string) time.Duration {
	now := t.now()
	f := t.pairs.Update(pair, func(f failures, _ bool) failures {
		if now.Sub(f.last) >= ForgetAfter {
			f = failures{}
		}
		f.n++
		f.last, f.until = now, now.Add(delayAfter(f.n))
		return f
	})
	return f.until.Sub(now)
}

// Succeeded forgets the pair's failures.
func (t *Throttle) Succeeded(pair string) { t.pairs.Delete(pair) }

// delayAfter is the wait that the n-th consecutive failure imposes.
func delayAfter(n int) time.Duration {
	if n <= FreeFailures {
		return 0
	}
	d := firstDelay
	for i := FreeFailures + 1; i < n && d < MaxDelay; i++ {
		d *= 2
	}
	return min(d, MaxDelay)
}

// RetryAfter sets Retry-After to d, in whole seconds rounded up.
func RetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", fmt.Sprint(int64((d+time.Second-1)/time.Second)))
}

// WaitText says a wait in words: "5 seconds", "2 minutes".
func WaitText(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	switch {
	case secs <= 1:
		return "1 second"
	case secs < 120:
		return fmt.Sprintf("%d seconds", secs)
	default:
		return fmt.Sprintf("%d minutes", (secs+59)/60)
	}
}
