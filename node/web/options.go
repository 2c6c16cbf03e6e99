package web

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// MinSecretBytes is the shortest Options.SessionSecret accepted.
const MinSecretBytes = 32

// Options configure what the three audiences share. BaseURL and
// SessionSecret are required; every other field has a documented default.
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
	// SessionTTL is how long a session lasts after sign-in (default 12h).
	SessionTTL time.Duration
	// MaxFormBytes caps a POST body (default 1 MiB).
	MaxFormBytes int64
	// TestPayments is true when the storefront takes sandbox card
	// payments, which take no money: every page then says so.
	TestPayments bool
}

// withDefaults fills the unset fields.
func (o Options) withDefaults() Options {
	if o.SessionTTL == 0 {
		o.SessionTTL = 12 * time.Hour
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
	case o.MaxFormBytes < 0:
		return errors.New("web: Options.MaxFormBytes: must not be negative")
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
