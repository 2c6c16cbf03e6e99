package web

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation/order"
)

// MinSecretBytes is the shortest Options.SessionSecret accepted.
const MinSecretBytes = 32

// Options configure the pages. BaseURL and SessionSecret are required;
// every other field has a documented default.
type Options struct {
	// NodeName is the storefront's display name (default: this node's
	// name in the charter, else "fedmart").
	NodeName string
	// BaseURL is the absolute http(s) URL shoppers reach this node at, such
	// as "https://shop.example", without a path: the pages are served at the
	// root of its host (required). Sitemap, canonical and OpenGraph
	// URLs are built on it, and an https BaseURL makes the session cookie
	// Secure.
	BaseURL string
	// SessionSecret keys the session cookie's HMAC, the CSRF tokens and the
	// sealing of the merchant token inside the cookie: at least
	// MinSecretBytes random bytes, the same across restarts so that sessions
	// survive them (required).
	SessionSecret []byte
	// OperatorToken is the operator's token; empty disables the operator
	// dashboard's sign-in.
	OperatorToken string
	// SessionTTL is how long a session lasts after sign-in (default 12h).
	SessionTTL time.Duration
	// EventInterval is how often /operator/events pushes the members table
	// (default 5s).
	EventInterval time.Duration
	// MaxFormBytes caps a POST body (default 1 MiB).
	MaxFormBytes int64
	// Payments are the payment methods the storefront takes
	// (order.MethodManual, order.MethodSandboxCard); the checkout offers
	// these only (default none). With the sandbox card every page says
	// that payments are tests.
	Payments []string
}

// withDefaults fills the unset fields.
func (o Options) withDefaults() Options {
	if o.SessionTTL == 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.EventInterval == 0 {
		o.EventInterval = 5 * time.Second
	}
	if o.MaxFormBytes == 0 {
		o.MaxFormBytes = 1 << 20
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	return o
}

// Validate checks the options; each message names the field.
func (o Options) Validate() error {
	u, err := url.Parse(o.BaseURL)
	switch {
	case o.BaseURL == "":
		return errors.New("web: Options.BaseURL: required (the public URL of this node's pages)")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("web: Options.BaseURL: must be an absolute http or https URL, not %q", o.BaseURL)
	case u.Path != "" && u.Path != "/":
		return fmt.Errorf("web: Options.BaseURL: must have no path (the pages are served at the root of its host), not %q", u.Path)
	case len(o.SessionSecret) < MinSecretBytes:
		return fmt.Errorf("web: Options.SessionSecret: must be at least %d bytes, not %d", MinSecretBytes, len(o.SessionSecret))
	case o.SessionTTL < 0:
		return errors.New("web: Options.SessionTTL: must not be negative")
	case o.EventInterval < 0:
		return errors.New("web: Options.EventInterval: must not be negative")
	case o.MaxFormBytes < 0:
		return errors.New("web: Options.MaxFormBytes: must not be negative")
	}
	for i, m := range o.Payments {
		if m != order.MethodManual && m != order.MethodSandboxCard {
			return fmt.Errorf("web: Options.Payments[%d]: must be %s or %s, not %q", i, order.MethodManual, order.MethodSandboxCard, m)
		}
	}
	return nil
}

// secure reports whether the pages are served over https.
func (o Options) secure() bool { return strings.HasPrefix(o.BaseURL, "https://") }

// port is BaseURL's explicit port, "" when it has none.
func (o Options) port() string {
	u, err := url.Parse(o.BaseURL)
	if err != nil {
		return ""
	}
	return u.Port()
}

// testPayments reports whether the sandbox card provider is on, whose
// payments take no money.
func (o Options) testPayments() bool { return slices.Contains(o.Payments, order.MethodSandboxCard) }
