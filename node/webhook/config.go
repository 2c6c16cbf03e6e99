package webhook

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// MinSecretLen is the shortest secret a hook may be configured with, in
// bytes.
const MinSecretLen = 16

// Config is one webhook: where the member platform's back office receives
// events, the secret both sides sign with, and which events it wants.
type Config struct {
	// URL receives the POSTs: an absolute https URL, or http to a
	// loopback host (a back office on the same machine), since the body
	// carries orders and shoppers' addresses.
	URL string `yaml:"url"`
	// Secret is the HMAC-SHA256 key shared with the receiver, at least
	// MinSecretLen bytes.
	Secret string `yaml:"secret"`
	// Events selects the events sent to URL: an exact name
	// ("order.accepted"), a prefix pattern ("order.*") or "*" for all.
	// Empty means all.
	Events []string `yaml:"events"`
}

// Validate checks the hook. field is the hook's key in the node's YAML file
// (for example "webhooks[1]"); messages name the key at fault under it.
func (c Config) Validate(field string) error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s.url: must be an absolute http(s) URL, not %q", field, c.URL)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return fmt.Errorf("%s.url: must be https, or http only to a loopback host (localhost, 127.0.0.1, ::1), not %q", field, c.URL)
	}
	if len(c.Secret) < MinSecretLen {
		return fmt.Errorf("%s.secret: must be at least %d bytes", field, MinSecretLen)
	}
	for i, p := range c.Events {
		if !validPattern(p) {
			return fmt.Errorf("%s.events[%d]: must be an event name of [a-z._], \"*\" or a prefix like \"order.*\", not %q", field, i, p)
		}
	}
	return nil
}

// loopback reports whether host names this machine: "localhost" or a
// loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// ValidateAll checks every hook of a list kept under key (for example
// "webhooks") and that no URL appears twice.
func ValidateAll(key string, hooks []Config) error {
	seen := make(map[string]int, len(hooks))
	for i, h := range hooks {
		field := fmt.Sprintf("%s[%d]", key, i)
		if err := h.Validate(field); err != nil {
			return err
		}
		if j, dup := seen[h.URL]; dup {
			return fmt.Errorf("%s.url: same URL as %s[%d]", field, key, j)
		}
		seen[h.URL] = i
	}
	return nil
}

// wants reports whether the hook subscribes to event.
func (c Config) wants(event string) bool {
	if len(c.Events) == 0 {
		return true
	}
	for _, p := range c.Events {
		if p == "*" || p == event || (strings.HasSuffix(p, ".*") && strings.HasPrefix(event, p[:len(p)-1])) {
			return true
		}
	}
	return false
}

// validEvent reports whether s is an event name: non-empty, of [a-z._].
func validEvent(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if c := s[i]; (c < 'a' || c > 'z') && c != '.' && c != '_' {
			return false
		}
	}
	return true
}

// validPattern reports whether s is "*", an event name, or an event name
// followed by ".*".
func validPattern(s string) bool {
	if s == "*" {
		return true
	}
	return validEvent(strings.TrimSuffix(s, ".*"))
}
