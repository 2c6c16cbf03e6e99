package web

import (
	"errors"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/federation"
)

func TestDurationsForPeople(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second:                   "0 s",
		0:                              "0 s",
		999 * time.Millisecond:         "0 s",
		45 * time.Second:               "45 s",
		time.Minute:                    "1 min",
		90 * time.Second:               "1 min 30 s",
		9*time.Minute + 59*time.Second: "9 min 59 s",
		12*time.Minute + 5*time.Second: "12 min",
		time.Hour:                      "1 h",
		2*time.Hour + 5*time.Minute:    "2 h 5 min",
		24 * time.Hour:                 "1 day",
		3*24*time.Hour + 4*time.Hour:   "3 days 4 h",
		12*24*time.Hour + 4*time.Hour:  "12 days",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for ago, want := range map[time.Duration]string{
		time.Second:         "just now",
		-5 * time.Second:    "just now", // a clock ahead of this one
		12 * time.Second:    "12 s ago",
		time.Minute:         "1 min ago",
		5 * time.Hour:       "5 h ago",
		47 * time.Hour:      "47 h ago",
		3 * 24 * time.Hour:  "3 days ago",
		24*time.Hour + 1e9:  "24 h ago",
		48*time.Hour + 1e10: "2 days ago",
	} {
		if got := Ago(now, now.Add(-ago)); got != want {
			t.Errorf("Ago(-%s) = %q, want %q", ago, got, want)
		}
	}
	if got := Ago(now, time.Time{}); got != "never" {
		t.Errorf("Ago(zero) = %q", got)
	}
	if got := Until(now, now.Add(12*time.Minute)); got != "in 12 min" {
		t.Errorf("Until = %q", got)
	}
}

func TestTimesInTheNodesZone(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC)
	berlin, err := ParseZone(" Europe/Berlin ")
	if err != nil {
		t.Fatal(err)
	}
	kolkata, _ := ParseZone("Asia/Kolkata")
	for _, c := range []struct {
		loc        *time.Location
		when, zone string
	}{
		{time.UTC, "Mar 1, 2026, 12:05 PM UTC", "UTC"},
		{berlin, "Mar 1, 2026, 1:05 PM CET", "Europe/Berlin (CET, UTC+01:00)"},
		{kolkata, "Mar 1, 2026, 5:35 PM IST", "Asia/Kolkata (IST, UTC+05:30)"},
	} {
		if got := FormatTime(at, c.loc); got != c.when {
			t.Errorf("FormatTime in %s = %q, want %q", c.loc, got, c.when)
		}
		if got := ZoneLabel(c.loc, at); got != c.zone {
			t.Errorf("ZoneLabel(%s) = %q, want %q", c.loc, got, c.zone)
		}
	}
	for _, bad := range []string{"", "Local", "local", "Mars/Olympus", "../../etc/passwd"} {
		if _, err := ParseZone(bad); !errors.Is(err, ErrZone) {
			t.Errorf("ParseZone(%q) = %v, want ErrZone", bad, err)
		}
	}
	// Hours and days begin where the zone's do.
	if got := AlignIn(at, time.Hour, kolkata); !got.Equal(time.Date(2026, 3, 1, 11, 30, 0, 0, time.UTC)) {
		t.Errorf("AlignIn(hour, Kolkata) = %s", got)
	}
	if got := StartOfDay(time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC), berlin); !got.Equal(time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("StartOfDay(Berlin) = %s", got)
	}
	for _, name := range ZoneChoices {
		if _, err := ParseZone(name); err != nil {
			t.Errorf("offered zone %s: %v", name, err)
		}
	}
}

// The zone the operator sets survives a restart of the site; an unknown
// one kept is read as UTC.
func TestSiteKeepsItsZone(t *testing.T) {
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	newSite := func() *Site {
		s, err := New(Deps{Charter: noCharter{}, DB: db}, Options{BaseURL: "https://shop.example", SessionSecret: make([]byte, MinSecretBytes)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := newSite()
	if s.Zone() != time.UTC {
		t.Fatalf("a new node's zone is %s, want UTC", s.Zone())
	}
	if err := s.SetZone("Mars/Olympus"); !errors.Is(err, ErrZone) {
		t.Fatalf("SetZone(unknown) = %v", err)
	}
	if err := s.SetZone("Asia/Tokyo"); err != nil {
		t.Fatal(err)
	}
	if got := newSite().Zone().String(); got != "Asia/Tokyo" {
		t.Fatalf("after a restart the zone is %s", got)
	}
	if err := db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(keyZone), []byte("Mars/Olympus")) }); err != nil {
		t.Fatal(err)
	}
	if got := newSite().Zone(); got != time.UTC {
		t.Fatalf("an unknown zone kept reads as %s, want UTC", got)
	}
}

// noCharter is a federation without a charter yet.
type noCharter struct{}

func (noCharter) Charter() (*federation.SignedCharter, error) { return nil, federation.ErrNoCharter }
