package media

import (
	"fmt"
	"time"
)

// CanonicalSide is the longest side of a canonical picture, in pixels:
// larger uploads are scaled down to it. It is the same on every node,
// so that a member can check what another hands out.
const CanonicalSide = 2048

// MaxCanonicalBytes caps a canonical picture's bytes: a PNG of
// CanonicalSide² pixels that does not compress at all. A member's answer
// over it is refused unread.
const MaxCanonicalBytes = 24 << 20

// Config sets the limits on pictures. The zero value is not usable;
// start from DefaultConfig.
type Config struct {
	// MaxUploadBytes caps one uploaded file (default 10 MiB, at most 32 MiB).
	MaxUploadBytes int64 `yaml:"max_upload_bytes"`
	// MaxPixels caps an uploaded picture's width × height, read from its
	// header before anything is decoded, so that a small file that
	// unpacks into a huge picture is refused unopened (default 25000000).
	MaxPixels int64 `yaml:"max_pixels"`
	// MerchantBytes caps the canonical bytes one merchant's uploads may
	// take (default 2 GiB).
	MerchantBytes int64 `yaml:"merchant_bytes"`
	// PeerStreams is how many pictures this node fetches from one member
	// at a time, and hands out to one at a time; more wait (default 4).
	PeerStreams int `yaml:"peer_streams"`
	// PeerBytesPerMinute caps the bytes this node takes from one member,
	// and hands out to one, per minute; past it, fetches and hand-outs
	// are refused until the budget refills (default 256 MiB, at least
	// MaxCanonicalBytes).
	PeerBytesPerMinute int64 `yaml:"peer_bytes_per_minute"`
	// FetchTimeout bounds fetching one picture from the members (default 30s).
	FetchTimeout time.Duration `yaml:"fetch_timeout"`
	// RetryAfter is how long a picture no member handed out is not asked
	// for again (default 1m).
	RetryAfter time.Duration `yaml:"retry_after"`
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		MaxUploadBytes:     10 << 20,
		MaxPixels:          25_000_000,
		MerchantBytes:      2 << 30,
		PeerStreams:        4,
		PeerBytesPerMinute: 256 << 20,
		FetchTimeout:       30 * time.Second,
		RetryAfter:         time.Minute,
	}
}

// Validate checks every key; messages name the key as it appears in the
// node's YAML file, under "media.".
func (c Config) Validate() error {
	limits := []struct {
		key       string
		v, lo, hi int64
	}{
		{"max_upload_bytes", c.MaxUploadBytes, 1 << 10, 32 << 20},
		{"max_pixels", c.MaxPixels, 1 << 16, 100_000_000},
		{"merchant_bytes", c.MerchantBytes, 1 << 20, 1 << 40},
		{"peer_streams", int64(c.PeerStreams), 1, 64},
		{"peer_bytes_per_minute", c.PeerBytesPerMinute, MaxCanonicalBytes, 1 << 40},
	}
	for _, l := range limits {
		if l.v < l.lo || l.v > l.hi {
			return fmt.Errorf("media.%s: must be between %d and %d, not %d", l.key, l.lo, l.hi, l.v)
		}
	}
	for key, d := range map[string]time.Duration{"fetch_timeout": c.FetchTimeout, "retry_after": c.RetryAfter} {
		if d < time.Second || d > time.Hour {
			return fmt.Errorf("media.%s: must be between 1s and 1h, not %s", key, d)
		}
	}
	return nil
}
