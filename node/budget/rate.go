package budget

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Rate is how many events a client may have in a span: N at once, and N
// more over each Per as the bucket refills evenly. The zero Rate is no
// limit. In configuration files it reads "N/DURATION", such as "10/1h"
// or "30/10m", or "off".
type Rate struct {
	N   int
	Per time.Duration
}

// Off reports whether the rate sets no limit.
func (r Rate) Off() bool { return r.N == 0 }

// String is the configuration form of r.
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	return strconv.Itoa(r.N) + "/" + shortDuration(r.Per)
}

// MarshalText writes the configuration form.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads "N/DURATION" or "off".
func (r *Rate) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "off" {
		*r = Rate{}
		return nil
	}
	n, per, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 1 || count > 1_000_000 {
		return fmt.Errorf("must be N/DURATION with N from 1 to 1000000, such as 10/1h, or off; not %q", s)
	}
	d, err := time.ParseDuration(per)
	if err != nil || d < time.Second || d > 7*24*time.Hour {
		return fmt.Errorf("must be N/DURATION with a duration from 1s to 168h, such as 10/1h, or off; not %q", s)
	}
	*r = Rate{N: count, Per: d}
	return nil
}

// UnmarshalYAML reads the configuration form, with the line in an error,
// so that the node's configuration loader can name the key at fault.
func (r *Rate) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: must be N/DURATION, such as 10/1h, or off", n.Line)
	}
	if err := r.UnmarshalText([]byte(n.Value)); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}

// shortDuration writes 1h rather than 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
