package budget

import (
	"fmt"
	"net/http"
	"net/netip"
	"time"
)

// Config sets the per-client budgets. Every key has a default; a rate of
// "off" lifts that limit.
type Config struct {
	// Accounts is how many shopper accounts one client may open, through
	// POST /v1/shoppers and the storefront's sign-up together (default
	// 10/1h).
	Accounts Rate `yaml:"accounts"`
	// SignIns is how many sign-in attempts one client may make on the
	// pages, shopper, merchant and operator together (default 30/10m).
	SignIns Rate `yaml:"signins"`
	// Checkouts is how many checkouts one client may place, through the
	// API and the storefront together (default 60/1h).
	Checkouts Rate `yaml:"checkouts"`
	// MediaFetches is how many pictures one client's requests may make
	// this node fetch from other members (only pictures it does not hold
	// yet count) (default 1200/10m).
	MediaFetches Rate `yaml:"media_fetches"`
	// Clients is how many clients each budget remembers; past it, the
	// client seen least recently is forgotten (default 10000).
	Clients int `yaml:"clients"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Accounts:     Rate{N: 10, Per: time.Hour},
		SignIns:      Rate{N: 30, Per: 10 * time.Minute},
		Checkouts:    Rate{N: 60, Per: time.Hour},
		MediaFetches: Rate{N: 1200, Per: 10 * time.Minute},
		Clients:      10000,
	}
}

// Validate checks the configuration; key is where it sits in the node's
// configuration ("api.limits"), for the messages.
func (c Config) Validate(key string) error {
	if c.Clients < 1 || c.Clients > 10_000_000 {
		return fmt.Errorf("%s.clients: must be between 1 and 10000000, not %d", key, c.Clients)
	}
	return nil
}

// Kind names one of the budgets.
type Kind int

// The budgets, by what they count.
const (
	Accounts Kind = iota
	SignIns
	Checkouts
	MediaFetches
	kinds
)

// names are the words refusals use for each kind.
var names = [kinds]string{Accounts: "accounts", SignIns: "signins", Checkouts: "checkouts", MediaFetches: "media_fetches"}

// String is the kind's name, as in the configuration.
func (k Kind) String() string { return names[k] }

// Budgets are the node's per-client budgets. A nil *Budgets limits
// nothing and trusts no proxy.
type Budgets struct {
	trusted  []netip.Prefix
	limiters [kinds]*Limiter
}

// New returns the budgets cfg sets, for clients found behind the trusted
// proxies. now is the clock; nil is time.Now.
func New(cfg Config, trusted []netip.Prefix, now func() time.Time) *Budgets {
	b := &Budgets{trusted: trusted}
	for k, r := range map[Kind]Rate{Accounts: cfg.Accounts, SignIns: cfg.SignIns, Checkouts: cfg.Checkouts, MediaFetches: cfg.MediaFetches} {
		b.limiters[k] = NewLimiter(k.String(), r, cfg.Clients, now)
	}
	return b
}

// Client is the address of the client that sent r (see ClientAddr).
func (b *Budgets) Client(r *http.Request) string {
	if b == nil {
		return ClientAddr(r, nil)
	}
	return ClientAddr(r, b.trusted)
}

// Charge spends one token of r's client's budget of kind k, or returns
// why not.
func (b *Budgets) Charge(k Kind, r *http.Request) *Refusal {
	if b == nil {
		return nil
	}
	return b.limiters[k].Take(b.Client(r))
}
