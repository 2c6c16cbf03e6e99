package webhook

import (
	"fmt"
	"time"
)

// Options tunes delivery. Zero fields take the defaults of DefaultOptions;
// tests shrink them.
type Options struct {
	// Timeout bounds one attempt, connection to response (default 10s).
	Timeout time.Duration
	// MaxAttempts is how many attempts a delivery gets before it is
	// failed (default 12).
	MaxAttempts int
	// InitialBackoff is the wait after the first failed attempt; it
	// grows exponentially, with jitter (default 1s).
	InitialBackoff time.Duration
	// MaxBackoff caps the wait between two attempts (default 5m).
	MaxBackoff time.Duration
	// Poll is how often each hook's sender looks for due deliveries when
	// nothing woke it (default 1s).
	Poll time.Duration
	// KeepFinished is how many delivered or failed deliveries the log
	// keeps; the oldest are deleted (default 10000).
	KeepFinished int
}

// DefaultOptions returns the documented defaults.
func DefaultOptions() Options {
	return Options{
		Timeout:        10 * time.Second,
		MaxAttempts:    12,
		InitialBackoff: time.Second,
		MaxBackoff:     5 * time.Minute,
		Poll:           time.Second,
		KeepFinished:   10_000,
	}
}

// withDefaults fills zero fields from DefaultOptions and refuses negative
// ones.
func (o Options) withDefaults() (Options, error) {
	def := DefaultOptions()
	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"timeout", &o.Timeout, def.Timeout},
		{"initial backoff", &o.InitialBackoff, def.InitialBackoff},
		{"max backoff", &o.MaxBackoff, def.MaxBackoff},
		{"poll", &o.Poll, def.Poll},
	}
	for _, d := range durations {
		if *d.v < 0 {
			return o, fmt.Errorf("%w: webhook options: negative %s %s", ErrInvalid, d.name, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if o.MaxAttempts < 0 || o.KeepFinished < 0 {
		return o, fmt.Errorf("%w: webhook options: negative max attempts or keep finished", ErrInvalid)
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = def.MaxAttempts
	}
	if o.KeepFinished == 0 {
		o.KeepFinished = def.KeepFinished
	}
	return o, nil
}
