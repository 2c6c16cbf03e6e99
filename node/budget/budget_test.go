package budget

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable clock.
type clock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestTableEvictsTheLeastRecentlyUsedOnly(t *testing.T) {
	tab := NewTable[int](3)
	for i, k := range []string{"a", "b", "c"} {
		tab.Update(k, func(int, bool) int { return i })
	}
	tab.Update("a", func(v int, found bool) int { return v + 10 }) // a is used again: b is now the oldest
	tab.Update("d", func(int, bool) int { return 3 })
	if tab.Len() != 3 {
		t.Fatalf("len %d, want 3", tab.Len())
	}
	if _, ok := tab.Get("b"); ok {
		t.Error("b, the least recently used, is still kept")
	}
	for k, want := range map[string]int{"a": 10, "c": 2, "d": 3} {
		if v, ok := tab.Get(k); !ok || v != want {
			t.Errorf("%s = %d %v, want %d", k, v, ok, want)
		}
	}
	// A flood of new keys never leaves the table larger than its bound,
	// and the most recent entries survive it.
	for i := range 1000 {
		tab.Update(fmt.Sprint("flood", i), func(int, bool) int { return i })
	}
	if tab.Len() != 3 {
		t.Fatalf("after a flood: len %d, want 3", tab.Len())
	}
	if v, ok := tab.Get("flood999"); !ok || v != 999 {
		t.Error("the newest entry was evicted")
	}
	tab.Delete("flood999")
	if _, ok := tab.Get("flood999"); ok || tab.Len() != 2 {
		t.Error("Delete kept the entry")
	}
}

func TestLimiterRefusesPastItsRateAndRefills(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	l := NewLimiter("accounts", Rate{N: 3, Per: time.Hour}, 100, c.Now)
	for i := range 3 {
		if r := l.Take("198.51.100.4"); r != nil {
			t.Fatalf("take %d: %v", i, r)
		}
	}
	r := l.Take("198.51.100.4")
	if r == nil {
		t.Fatal("a fourth account within the hour was allowed")
	}
	if r.Limit != "accounts" || r.Seconds() != 20*time.Minute {
		t.Errorf("refusal %+v (retry after %s), want accounts and 20m", r, r.Seconds())
	}
	if want := "too many accounts from this client: at most 3 per 1h; try again in 20m0s"; r.Error() != want {
		t.Errorf("message %q, want %q", r.Error(), want)
	}
	// Another client has its own bucket.
	if r := l.Take("203.0.113.9"); r != nil {
		t.Errorf("another client: %v", r)
	}
	// A refusal spent nothing: one token is back after a third of the hour.
	c.Advance(20 * time.Minute)
	if r := l.Take("198.51.100.4"); r != nil {
		t.Errorf("after the refill: %v", r)
	}
	if r := l.Take("198.51.100.4"); r == nil {
		t.Error("the refill gave more than one token")
	}
}

func TestLimiterKeepsABoundedNumberOfClients(t *testing.T) {
	l := NewLimiter("signins", Rate{N: 1, Per: time.Minute}, 50, nil)
	for i := range 500 {
		l.Take(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	if l.Clients() != 50 {
		t.Errorf("%d clients kept, want 50", l.Clients())
	}
}

func TestOffAndNilLimitNothing(t *testing.T) {
	var b *Budgets
	r := httptest.NewRequest(http.MethodPost, "/v1/shoppers", nil)
	for range 100 {
		if b.Charge(Accounts, r) != nil || NewLimiter("x", Rate{}, 10, nil).Take("a") != nil {
			t.Fatal("refused without a limit")
		}
	}
}

func TestRateText(t *testing.T) {
	for in, want := range map[string]Rate{"10/1h": {10, time.Hour}, "30/10m": {30, 10 * time.Minute}, " 5/90s ": {5, 90 * time.Second}, "off": {}} {
		var r Rate
		if err := r.UnmarshalText([]byte(in)); err != nil || r != want {
			t.Errorf("%q: %+v %v, want %+v", in, r, err, want)
		}
	}
	for r, want := range map[Rate]string{{10, time.Hour}: "10/1h", {30, 10 * time.Minute}: "30/10m", {5, 90 * time.Second}: "5/1m30s", {}: "off"} {
		if got := r.String(); got != want {
			t.Errorf("%+v: %q, want %q", r, got, want)
		}
	}
	for _, bad := range []string{"", "10", "0/1h", "-1/1h", "10/0s", "10/forever", "x/1h", "10/200h"} {
		var r Rate
		if err := r.UnmarshalText([]byte(bad)); err == nil || !strings.Contains(err.Error(), "N/DURATION") {
			t.Errorf("%q: %v, want an error that says the form", bad, err)
		}
	}
}

func TestClientAddressBehindTrustedProxies(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	cases := []struct {
		name, remote, xff, want string
	}{
		{"direct", "198.51.100.4:5000", "", "198.51.100.4"},
		{"an untrusted peer's header is ignored", "198.51.100.4:5000", "203.0.113.9", "198.51.100.4"},
		{"one trusted proxy", "10.1.2.3:443", "203.0.113.9", "203.0.113.9"},
		{"two trusted proxies", "10.1.2.3:443", "203.0.113.9, 192.0.2.7", "203.0.113.9"},
		{"a forged first hop is not believed", "10.1.2.3:443", "1.2.3.4, 203.0.113.9", "203.0.113.9"},
		{"a malformed hop stops the walk", "10.1.2.3:443", "203.0.113.9, junk", "10.1.2.3"},
		{"IPv6", "[2001:db8::1]:443", "", "2001:db8::1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodPost, "/signin/shopper", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := ClientAddr(r, proxies); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestBudgetsChargeTheClientBehindTheProxy(t *testing.T) {
	b := New(Config{Accounts: Rate{N: 1, Per: time.Hour}, Clients: 10}, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, nil)
	req := func(xff string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/signup", nil)
		r.RemoteAddr = "10.0.0.1:443"
		r.Header.Set("X-Forwarded-For", xff)
		return r
	}
	if r := b.Charge(Accounts, req("198.51.100.4")); r != nil {
		t.Fatal(r)
	}
	if r := b.Charge(Accounts, req("198.51.100.4")); r == nil || r.Limit != "accounts" {
		t.Fatalf("the second account from one client: %v", r)
	}
	// The proxy's other clients are not charged for it, and the other
	// budgets are off.
	if r := b.Charge(Accounts, req("203.0.113.9")); r != nil {
		t.Errorf("another client behind the proxy: %v", r)
	}
	if r := b.Charge(Checkouts, req("198.51.100.4")); r != nil {
		t.Errorf("an off budget: %v", r)
	}
}
