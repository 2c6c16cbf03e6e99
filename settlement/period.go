package settlement

import (
	"fmt"
	"time"
)

// Period is one settlement window [Start, End). Windows have the policy's
// length, are aligned to the Unix epoch and are named by their start in UTC
// RFC 3339 ("2026-11-24T14:00:00Z"), so that every node derives the same
// name for the same instant without coordination.
type Period struct {
	// Name is Start formatted as UTC RFC 3339.
	Name string `json:"name"`
	// Start is the first instant in the period.
	Start time.Time `json:"start"`
	// End is the first instant after the period.
	End time.Time `json:"end"`
}

// PeriodOf returns the period of the given length that contains t. length
// must be a positive whole number of seconds (Policy.Validate ensures it).
func PeriodOf(t time.Time, length time.Duration) Period {
	sec := int64(length / time.Second)
	if sec <= 0 {
		sec = 1
	}
	u := t.Unix()
	start := u - mod(u, sec)
	return periodAt(start, sec)
}

// ParsePeriod returns the period of the given length named name. It fails
// with ErrInvalid unless name is UTC RFC 3339 in whole seconds, exactly as
// PeriodOf would write it, and aligned to a multiple of length since the
// Unix epoch.
func ParsePeriod(name string, length time.Duration) (Period, error) {
	t, err := parsePeriodName(name)
	if err != nil {
		return Period{}, err
	}
	p := PeriodOf(t, length)
	if !p.Start.Equal(t) {
		return Period{}, fmt.Errorf("%w: period %q is not aligned to %s (the period containing it starts %s)",
			ErrInvalid, name, length, p.Name)
	}
	return p, nil
}

// Contains reports whether t falls in p.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && t.Before(p.End)
}

// Next returns the period that follows p.
func (p Period) Next() Period {
	sec := int64(p.End.Sub(p.Start) / time.Second)
	return periodAt(p.End.Unix(), sec)
}

// parsePeriodName checks that name is a canonical period name (UTC RFC 3339,
// whole seconds) without knowing the period length.
func parsePeriodName(name string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, name)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: period %q: %v", ErrInvalid, name, err)
	}
	if t.UTC().Format(time.RFC3339) != name {
		return time.Time{}, fmt.Errorf("%w: period %q is not UTC RFC 3339 in whole seconds", ErrInvalid, name)
	}
	return t.UTC(), nil
}

// periodAt builds the period starting at Unix second start, sec long.
func periodAt(start, sec int64) Period {
	s := time.Unix(start, 0).UTC()
	return Period{
		Name:  s.Format(time.RFC3339),
		Start: s,
		End:   time.Unix(start+sec, 0).UTC(),
	}
}

// mod is the Euclidean remainder, so times before 1970 fall in the period
// that starts before them.
func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
