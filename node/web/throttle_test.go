package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/node/budget"
)

// signInFrom tries a shopper sign-in from the client at addr.
func (h *harness) signInFrom(addr, email, password string) response {
	h.t.Helper()
	b := h.browser()
	b.addr = addr
	return b.submit("/signin/shopper", "/signin/shopper", url.Values{"email": {email}, "password": {password}})
}

func TestWrongPasswordsSlowOnlyTheirClient(t *testing.T) {
	h := newHarness(t)
	h.browser().submit("/signup", "/signup", url.Values{"name": {"Ada"}, "email": {"ada@example.org"}, "password": {"correct horse"}})
	const stranger, ada = "203.0.113.66", "198.51.100.7"
	// The first failures of the pair cost nothing...
	for range freeFailures {
		r := h.signInFrom(stranger, "ada@example.org", "wrong horse")
		wantStatus(t, r, http.StatusUnprocessableEntity)
		hasFieldError(t, r.Body, "password", "The e-mail address or the password is wrong.")
	}
	// ...the next makes the pair wait, and says how long.
	r := h.signInFrom(stranger, "ada@example.org", "wrong horse")
	hasFieldError(t, r.Body, "password", "The e-mail address or the password is wrong. Wait 5 seconds before the next try.")
	r = h.signInFrom(stranger, "ADA@example.org", "correct horse")
	wantStatus(t, r, http.StatusTooManyRequests)
	hasFieldError(t, r.Body, "password", "Too many wrong passwords from this device: try again in 5 seconds.")
	if got := r.Header.Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After %q, want 5", got)
	}
	// The shopper, from her own client, signs in at once.
	wantRedirect(t, h.signInFrom(ada, "ada@example.org", "correct horse"), "/")
	// The stranger's next failure doubles the wait.
	h.clock.Advance(5 * time.Second)
	r = h.signInFrom(stranger, "ada@example.org", "wrong horse")
	hasFieldError(t, r.Body, "password", "The e-mail address or the password is wrong. Wait 10 seconds before the next try.")
	// Once it has waited, the right password works and clears the pair.
	h.clock.Advance(10 * time.Second)
	wantRedirect(t, h.signInFrom(stranger, "ada@example.org", "correct horse"), "/")
	wantStatus(t, h.signInFrom(stranger, "ada@example.org", "wrong horse"), http.StatusUnprocessableEntity)
	if w := h.web.signins.wait(pairKey("ada@example.org", stranger)); w != 0 {
		t.Errorf("after a success the first failure imposes %s", w)
	}
}

func TestThrottleDelaysDoubleUpToACap(t *testing.T) {
	want := []time.Duration{0, 0, 5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, 320 * time.Second, 640 * time.Second, maxDelay, maxDelay, maxDelay}
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	th := newThrottle(c.Now)
	for i, w := range want {
		if got := th.failed("pair"); got != w {
			t.Errorf("failure %d: wait %s, want %s", i+1, got, w)
		}
		c.Advance(w)
	}
	// A pair that has not failed for a day starts from nothing.
	c.Advance(forgetAfter)
	if got := th.failed("pair"); got != 0 {
		t.Errorf("a day later: wait %s, want none", got)
	}
}

func TestThrottleTableEvictsTheOldestPairsOnly(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	th := &throttle{now: c.Now, pairs: budget.NewTable[failures](100)}
	fail := func(pair string, n int) {
		for range n {
			th.failed(pair)
		}
	}
	fail("early", freeFailures+1)
	for i := range 99 {
		fail(fmt.Sprint("flood", i), 1)
	}
	fail("late", freeFailures+1)
	for i := range 50 {
		fail(fmt.Sprint("more", i), 1)
	}
	if n := th.pairs.Len(); n != 100 {
		t.Errorf("%d pairs kept, want 100", n)
	}
	if th.wait("early") != 0 {
		t.Error("the oldest pair is still kept")
	}
	if th.wait("late") == 0 {
		t.Error("a recent pair was forgotten with the oldest")
	}
}

func TestSignInsSignUpsAndCheckoutsSpendBudgets(t *testing.T) {
	h := newHarness(t)
	h.budgets = budget.New(budget.Config{Accounts: budget.Rate{N: 1, Per: time.Hour}, SignIns: budget.Rate{N: 2, Per: time.Minute},
		Checkouts: budget.Rate{N: 1, Per: time.Hour}, Clients: 100}, nil, h.clock.Now)
	h.web = h.newWeb(h.opts)
	b := h.browser()
	wantRedirect(t, b.submit("/signup", "/signup", url.Values{"name": {"Ada"}, "email": {"ada@example.org"}, "password": {"correct horse"}}), "/cart?done=welcome")
	r := h.browser().submit("/signup", "/signup", url.Values{"name": {"Bob"}, "email": {"bob@example.org"}, "password": {"battery staple"}})
	wantStatus(t, r, http.StatusTooManyRequests)
	wantText(t, r, "Too many accounts were opened from your network. Try again in 60 minutes.")
	if r.Header.Get("Retry-After") != "3600" {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	// Sign-in attempts of every kind share one budget per client.
	wantStatus(t, h.signInFrom("", "ada@example.org", "wrong horse"), http.StatusUnprocessableEntity)
	m := h.browser()
	wantStatus(t, m.submit("/merchant/signin", "/merchant/signin", url.Values{"token": {"fmm_wrong"}}), http.StatusUnprocessableEntity)
	r = h.signInFrom("", "ada@example.org", "correct horse")
	wantStatus(t, r, http.StatusTooManyRequests)
	wantText(t, r, "Too many sign-in attempts came from your network. Try again in 30 seconds.")
	// Another client has budgets of its own.
	wantRedirect(t, h.signInFrom("198.51.100.7", "ada@example.org", "correct horse"), "/")
}

func TestCheckoutsSpendTheirBudget(t *testing.T) {
	h := newHarness(t)
	h.budgets = budget.New(budget.Config{Checkouts: budget.Rate{N: 1, Per: time.Hour}, Clients: 100}, nil, h.clock.Now)
	h.web = h.newWeb(h.opts)
	lamp := h.list(input("Desk lamp", "Acme", "Home", 2000, 5))
	b := h.shopper()
	b.addToCart(lamp.ID, lamp.Variants[0].SKU, 1)
	orderLocation(t, b.checkout(nil))
	b.addToCart(lamp.ID, lamp.Variants[0].SKU, 1)
	r := b.checkout(nil)
	wantStatus(t, r, http.StatusTooManyRequests)
	wantText(t, r, "Too many orders were placed from your network. Try again in 60 minutes.")
	if h.orders.placedCount() != 1 {
		t.Errorf("%d orders placed, want 1", h.orders.placedCount())
	}
}

// wantText fails unless the page shows text.
func wantText(t *testing.T, r response, text string) {
	t.Helper()
	if !strings.Contains(r.Body, template.HTMLEscapeString(text)) {
		t.Errorf("the page does not say %q:\n%s", text, r.Body)
	}
}
