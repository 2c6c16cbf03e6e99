package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Sign-in throttling: each password check costs a bcrypt comparison, and a
// session to post with is free, so failed shopper sign-ins are counted per
// e-mail address and per client address over a window. Past the limit,
// sign-in is refused (429) without checking the password until the window
// that began with the first failure ends; a success clears the address's
// count.
const (
	throttleWindow    = 15 * time.Minute
	maxFailsPerEmail  = 5
	maxFailsPerClient = 30
	// maxThrottled bounds the counters kept; when full, expired ones are
	// dropped, and if none is, the oldest half.
	maxThrottled = 10000
)

// failCount is the failures of one key since start.
type failCount struct {
	start time.Time
	n     int
}

// throttle counts failed sign-ins by key.
type throttle struct {
	now   func() time.Time
	mu    sync.Mutex // guards fails
	fails map[string]failCount
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, fails: map[string]failCount{}}
}

// signinKeys are the counters a shopper sign-in attempt touches, with
// their limits: the e-mail address and the client's address.
func signinKeys(r *http.Request, email string, proxies []netip.Prefix) map[string]int {
	return map[string]int{"email:" + strings.ToLower(email): maxFailsPerEmail, "client:" + clientAddr(r, proxies): maxFailsPerClient}
}

// clientAddr is the address of the client that sent r: the connection's
// peer, unless that is a trusted proxy, in which case the nearest address
// in X-Forwarded-For that is not one (each proxy appends the address it
// received from; only trusted ones' additions are believed).
func clientAddr(r *http.Request, proxies []netip.Prefix) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		return host
	}
	addr := peer.Addr().Unmap()
	trusted := func(a netip.Addr) bool {
		for _, p := range proxies {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if !trusted(addr) {
		return addr.String()
	}
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: believe nothing before it
		}
		if addr = a.Unmap(); !trusted(addr) {
			return addr.String()
		}
	}
	return addr.String()
}

// blocked reports whether any of keys is over its limit in its window.
func (t *throttle) blocked(keys map[string]int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for k, limit := range keys {
		if c, ok := t.fails[k]; ok && now.Sub(c.start) < throttleWindow && c.n >= limit {
			return true
		}
	}
	return false
}

// failed counts a failure against every key.
func (t *throttle) failed(keys map[string]int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.fails) >= maxThrottled {
		t.prune(now)
	}
	for k := range keys {
		c := t.fails[k]
		if now.Sub(c.start) >= throttleWindow {
			c = failCount{start: now}
		}
		c.n++
		t.fails[k] = c
	}
}

// succeeded clears the e-mail address's failures.
func (t *throttle) succeeded(email string) {
	t.mu.Lock()
	delete(t.fails, "email:"+strings.ToLower(email))
	t.mu.Unlock()
}

// prune drops expired counters, and if none expired, every counter older
// than the median start. Caller holds mu.
func (t *throttle) prune(now time.Time) {
	for k, c := range t.fails {
		if now.Sub(c.start) >= throttleWindow {
			delete(t.fails, k)
		}
	}
	if len(t.fails) < maxThrottled {
		return
	}
	cut := now.Add(-throttleWindow / 2)
	for k, c := range t.fails {
		if c.start.Before(cut) {
			delete(t.fails, k)
		}
	}
	if len(t.fails) >= maxThrottled { // all recent: start over rather than grow
		clear(t.fails)
	}
}
