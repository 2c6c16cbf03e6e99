package federation

import (
	"fmt"
	"time"

	ma "github.com/multiformats/go-multiaddr"
)

// Config configures the federation layer of a node. The zero value is not
// usable; start from DefaultConfig.
type Config struct {
	// Listen holds the libp2p listen multiaddrs, TCP and QUIC
	// (default /ip4/0.0.0.0/tcp/4001 and /ip4/0.0.0.0/udp/4001/quic-v1).
	Listen []string `yaml:"listen"`
	// DialInterval is how often the keeper looks for members it is not
	// connected to (default 1s). A disconnect wakes it at once.
	DialInterval time.Duration `yaml:"dial_interval"`
	// MaxBackoff caps the wait between dial attempts to an unreachable
	// member (default 30s).
	MaxBackoff time.Duration `yaml:"max_backoff"`
	// DialTimeout bounds one dial attempt (default 5s).
	DialTimeout time.Duration `yaml:"dial_timeout"`
	// PingInterval is how often connected members are pinged to measure
	// round-trip time (default 5s).
	PingInterval time.Duration `yaml:"ping_interval"`
	// StreamTimeout bounds one request on a fedmart protocol (default 10s).
	StreamTimeout time.Duration `yaml:"stream_timeout"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Listen:        []string{"/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"},
		DialInterval:  time.Second,
		MaxBackoff:    30 * time.Second,
		DialTimeout:   5 * time.Second,
		PingInterval:  2 * time.Second,
		StreamTimeout: 10 * time.Second,
	}
}

// Validate checks every key; messages name the key as it appears in the
// node's YAML file, under "federation.".
func (c Config) Validate() error {
	if len(c.Listen) == 0 {
		return fmt.Errorf("federation.listen: at least one multiaddr is needed")
	}
	for i, a := range c.Listen {
		if _, err := ma.NewMultiaddr(a); err != nil {
			return fmt.Errorf("federation.listen[%d]: invalid multiaddr %q", i, a)
		}
	}
	durations := []struct {
		key       string
		v, lo, hi time.Duration
	}{
		{"dial_interval", c.DialInterval, 10 * time.Millisecond, time.Minute},
		{"max_backoff", c.MaxBackoff, 100 * time.Millisecond, time.Hour},
		{"dial_timeout", c.DialTimeout, 100 * time.Millisecond, time.Minute},
		{"ping_interval", c.PingInterval, 100 * time.Millisecond, time.Hour},
		{"stream_timeout", c.StreamTimeout, 100 * time.Millisecond, 10 * time.Minute},
	}
	for _, d := range durations {
		if d.v < d.lo || d.v > d.hi {
			return fmt.Errorf("federation.%s: must be between %s and %s, not %s", d.key, d.lo, d.hi, d.v)
		}
	}
	return nil
}
