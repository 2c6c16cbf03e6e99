package web

import (
	"strconv"
	"strings"
	"time"
)

// Times and spans of time are written for people, the same way on every
// page: spans in at most two units ("45 s", "1 min 30 s", "2 h 5 min",
// "3 days"), never Go's "1m0s"; how long ago something happened in one
// ("12 s ago", "5 min ago", "3 days ago"); and instants as a date, a
// time to the minute and the zone's abbreviation ("Mar 1, 2026, 1:05 PM
// CET"), in the one time zone the operator chose for the node (Zone),
// UTC until they do. Machine-readable times (a <time datetime>, CSV,
// JSON) stay in UTC, RFC 3339.

// Duration writes a span for people in at most two units, the second
// only while it still tells something: "0 s", "45 s", "1 min", "1 min
// 30 s", "12 min", "2 h 5 min", "1 day", "3 days 4 h", "12 days". A
// negative span (another clock ahead of this one) is "0 s".
func Duration(d time.Duration) string {
	d = max(d, 0)
	s := int64(d / time.Second)
	m, h, days := s/60, s/3600, s/86400
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + " s"
	case m < 10:
		return unit(m, "min", "min") + unitIf(s%60, "s", "s")
	case m < 60:
		return unit(m, "min", "min")
	case h < 24:
		return unit(h, "h", "h") + unitIf(m%60, "min", "min")
	case days < 7:
		return unit(days, "day", "days") + unitIf(h%24, "h", "h")
	}
	return unit(days, "day", "days")
}

// Elapsed writes a span coarsely, in its largest whole unit: "12 s",
// "4 min", "3 h" (up to 48 hours), "5 days". A negative span is "0 s".
func Elapsed(d time.Duration) string {
	d = max(d, 0)
	switch {
	case d < time.Minute:
		return unit(int64(d/time.Second), "s", "s")
	case d < time.Hour:
		return unit(int64(d/time.Minute), "min", "min")
	case d < 48*time.Hour:
		return unit(int64(d/time.Hour), "h", "h")
	}
	return unit(int64(d/(24*time.Hour)), "day", "days")
}

// Ago says how long before now t was, coarsely: "just now" within two
// seconds, "12 s ago", "5 min ago", "3 h ago", "3 days ago"; the zero
// time is "never".
func Ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	if d := now.Sub(t); d >= 2*time.Second {
		return Elapsed(d) + " ago"
	}
	return "just now"
}

// Until says how long from now until t, coarsely: "in 12 min"; "now"
// when t has come.
func Until(now, t time.Time) string {
	if d := t.Sub(now); d >= time.Second {
		return "in " + Elapsed(d)
	}
	return "now"
}

// FormatTime writes an instant in loc to the minute, with the zone's
// abbreviation, as CLDR's English writes a medium date and a short time
// (MMM d, y, h:mm a z): "Mar 1, 2026, 1:05 PM CET", "Mar 1, 2026,
// 12:05 PM UTC". The space before AM/PM is a plain one (recent CLDR
// has a narrow no-break space there, which copies and searches badly).
func FormatTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Jan 2, 2006, 3:04 PM MST")
}

// FormatClock writes the time of day of an instant in loc, with the
// zone's abbreviation: "13:05 CET".
func FormatClock(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("15:04 MST")
}

// ISO writes an instant for machines: RFC 3339 in UTC.
func ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// unit writes n with its unit: "1 day", "3 days", "5 min".
func unit(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// unitIf is " " + unit(n) when n is not zero, "" otherwise.
func unitIf(n int64, one, many string) string {
	if n == 0 {
		return ""
	}
	return " " + unit(n, one, many)
}

// AlignIn is the start of the step of length step that holds t, on the
// wall clock of loc: hours and days begin where loc's begin (a step of a
// day starts at loc's midnight). Steps divide a day.
func AlignIn(t time.Time, step time.Duration, loc *time.Location) time.Time {
	_, offset := t.In(loc).Zone()
	shift := time.Duration(offset) * time.Second
	return t.Add(shift).Truncate(step).Add(-shift).In(loc)
}

// StartOfDay is loc's midnight that begins the day of t.
func StartOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// ZoneLabel names a zone for people: "Europe/Berlin (CET, UTC+01:00)" at
// the instant t.
func ZoneLabel(loc *time.Location, t time.Time) string {
	abbr, offset := t.In(loc).Zone()
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	hm := time.Duration(offset) * time.Second
	off := "UTC" + sign + pad2(int(hm/time.Hour)) + ":" + pad2(int(hm%time.Hour/time.Minute))
	if loc.String() == "UTC" {
		return "UTC"
	}
	if strings.HasPrefix(abbr, "+") || strings.HasPrefix(abbr, "-") {
		return loc.String() + " (" + off + ")"
	}
	return loc.String() + " (" + abbr + ", " + off + ")"
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
