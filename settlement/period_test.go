package settlement

import (
	"errors"
	"testing"
	"time"
)

func TestPeriodOf(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		t      string
		length time.Duration
		name   string
		end    string
	}{
		{"2026-11-24T14:37:12.5Z", time.Hour, "2026-11-24T14:00:00Z", "2026-11-24T15:00:00Z"},
		{"2026-11-24T14:00:00Z", time.Hour, "2026-11-24T14:00:00Z", "2026-11-24T15:00:00Z"},
		{"2026-11-24T13:59:59.999999999Z", time.Hour, "2026-11-24T13:00:00Z", "2026-11-24T14:00:00Z"},
		{"2026-11-24T23:30:00+02:00", 24 * time.Hour, "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"},
		{"2026-11-24T14:37:12Z", 7 * 24 * time.Hour, "2026-11-19T00:00:00Z", "2026-11-26T00:00:00Z"}, // epoch was a Thursday
		{"1969-12-31T23:59:59Z", time.Hour, "1969-12-31T23:00:00Z", "1970-01-01T00:00:00Z"},
		{"2026-11-24T14:37:12Z", 15 * time.Minute, "2026-11-24T14:30:00Z", "2026-11-24T14:45:00Z"},
	}
	for _, tt := range tests {
		p := PeriodOf(at(tt.t), tt.length)
		if p.Name != tt.name || p.End.Format(time.RFC3339) != tt.end || !p.Contains(at(tt.t)) {
			t.Errorf("PeriodOf(%s, %s) = %+v, want %s..%s", tt.t, tt.length, p, tt.name, tt.end)
		}
		q, err := ParsePeriod(p.Name, tt.length)
		if err != nil || q != p {
			t.Errorf("ParsePeriod(%s) = %+v, %v; want %+v", p.Name, q, err, p)
		}
		if n := p.Next(); !n.Start.Equal(p.End) || n.End.Sub(n.Start) != tt.length {
			t.Errorf("Next(%s) = %+v", p.Name, n)
		}
	}
}

func TestParsePeriodRejects(t *testing.T) {
	for _, name := range []string{
		"2026-11-24T14:30:00Z",      // not aligned to an hour
		"2026-11-24T14:00:00+00:00", // not the canonical Z form
		"2026-11-24T16:00:00+02:00", // not UTC
		"2026-11-24T14:00:00.5Z",    // fractional
		"2026-11-24 14:00:00Z",
		"",
		"yesterday",
	} {
		if _, err := ParsePeriod(name, time.Hour); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePeriod(%q) = %v, want ErrInvalid", name, err)
		}
	}
}
