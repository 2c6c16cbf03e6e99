package web

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // every IANA zone, on hosts without a zoneinfo database too

	badger "github.com/dgraph-io/badger/v4"
)

// The node's time zone: every page writes times in the one zone the
// operator chose on the dashboard's settings (UTC until then), so that a
// time reads the same on the storefront, in the console and on the
// dashboard, and in the dashboard's live clock. It is kept in Badger
// under the pages' own prefix, as an IANA name:
//
//	p/zone   "Europe/Berlin"
const keyZone = "p/zone"

// ErrZone is what ParseZone says of a name that is no IANA time zone.
var ErrZone = errors.New(`must be a time zone name such as "Europe/Berlin" or "UTC"`)

// ParseZone reads an IANA time zone name ("Europe/Berlin", "UTC").
// "Local", the server's own zone, is refused: it says nothing to someone
// reading the page elsewhere.
func ParseZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "local") || len(name) > 64 {
		return nil, ErrZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, ErrZone
	}
	return loc, nil
}

// Zone is the time zone the pages write times in.
func (s *Site) Zone() *time.Location {
	if loc := s.zone.Load(); loc != nil {
		return loc
	}
	return time.UTC
}

// SetZone makes the pages write times in the zone named (see ParseZone),
// from now on and after restarts.
func (s *Site) SetZone(name string) error {
	loc, err := ParseZone(name)
	if err != nil {
		return err
	}
	err = s.db.Update(func(txn *badger.Txn) error { return txn.Set([]byte(keyZone), []byte(loc.String())) })
	if err != nil {
		return fmt.Errorf("web: keeping the time zone: %w", err)
	}
	s.zone.Store(loc)
	return nil
}

// loadZone reads the zone kept, UTC when none is, or when the one kept
// is no longer known (a tzdata update dropped it): logged, not fatal.
func (s *Site) loadZone() {
	var name string
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get([]byte(keyZone))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		b, err := item.ValueCopy(nil)
		name = string(b)
		return err
	})
	if err != nil {
		s.log.Error("web: reading the time zone; showing times in UTC", "err", err)
		return
	}
	if name == "" {
		return
	}
	loc, err := ParseZone(name)
	if err != nil {
		s.log.Error("web: the time zone kept is unknown; showing times in UTC", "zone", Clip(name, 64))
		return
	}
	s.zone.Store(loc)
}

// ZoneChoices are the zones the settings page offers, besides any IANA
// name typed: UTC and the zones most platforms are run from.
var ZoneChoices = []string{
	"UTC",
	"Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin", "Europe/Amsterdam",
	"Europe/Brussels", "Europe/Madrid", "Europe/Rome", "Europe/Vienna", "Europe/Zurich", "Europe/Copenhagen",
	"Europe/Oslo", "Europe/Stockholm", "Europe/Helsinki", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest",
	"Europe/Athens", "Europe/Bucharest", "Europe/Istanbul", "Europe/Kyiv", "Europe/Moscow",
	"Africa/Casablanca", "Africa/Lagos", "Africa/Cairo", "Africa/Nairobi", "Africa/Johannesburg",
	"Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore",
	"Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Seoul", "Asia/Tokyo",
	"Australia/Perth", "Australia/Sydney", "Pacific/Auckland",
	"America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Bogota", "America/Mexico_City",
	"America/New_York", "America/Toronto", "America/Chicago", "America/Denver", "America/Phoenix",
	"America/Los_Angeles", "America/Vancouver", "America/Anchorage", "Pacific/Honolulu",
}
