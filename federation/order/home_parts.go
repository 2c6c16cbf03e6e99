package order

import (
	"context"
	"errors"
	"fmt"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog/shipping"
)

// MerchantParts pages through the parts of merchant homed here, newest
// first, with status when set. Parts that were never confirmed are not
// shown.
func (s *Service) MerchantParts(_ context.Context, merchant, status, cursor string, limit int) ([]HomePart, string, error) {
	prefix := prefixMerchant + merchant + "/"
	var out []HomePart
	next := ""
	err := s.db.View(func(txn *badger.Txn) error {
		for len(out) < limit {
			ks := reverseKeys(txn, prefix, cursor, limit)
			if len(ks) == 0 {
				next = ""
				return nil
			}
			for _, k := range ks {
				cursor = k[len(prefix):]
				p, err := loadHome(txn, k[strings.LastIndexByte(k, '/')+1:])
				if err != nil {
					return err
				}
				if knownStatus(p.Status) && p.Status != StatusReserved && (status == "" || p.Status == status) {
					out = append(out, *p)
					if next = cursor; len(out) == limit {
						return nil
					}
				}
			}
		}
		return nil
	})
	return out, next, err
}

// HomePartOf returns a part homed here, checking it is merchant's (any
// merchant when merchant is "").
func (s *Service) HomePartOf(_ context.Context, merchant, id string) (HomePart, error) {
	var p *HomePart
	err := s.db.View(func(txn *badger.Txn) (err error) { p, err = loadHome(txn, id); return err })
	if err != nil {
		return HomePart{}, err
	}
	if merchant != "" && p.Merchant != merchant {
		return HomePart{}, fmt.Errorf("%w: part %s", ErrNotFound, id)
	}
	return *p, nil
}

// Ship marks merchant's accepted part shipped with its carrier and
// tracking number.
func (s *Service) Ship(ctx context.Context, merchant, id, carrier, tracking string) (HomePart, error) {
	return s.ShipWith(ctx, merchant, id, Shipment{Carrier: carrier, Tracking: tracking})
}

// Shipment is how a part left: the carrier (an id of the carrier table,
// or the name of another carrier), the tracking number, and, for another
// carrier, the https page where the parcel is followed.
type Shipment struct {
	Carrier     string `json:"carrier"`
	Tracking    string `json:"tracking"`
	TrackingURL string `json:"tracking_url,omitempty"`
}

// ShipWith marks merchant's accepted part shipped as sh says. A carrier
// of the table gives the part its tracking link; another carrier may.
func (s *Service) ShipWith(ctx context.Context, merchant, id string, sh Shipment) (HomePart, error) {
	var errs FieldErrors
	carrier, tracking, link := strings.TrimSpace(sh.Carrier), strings.TrimSpace(sh.Tracking), strings.TrimSpace(sh.TrackingURL)
	if carrier == "" || len(carrier) > 100 {
		errs.add("carrier", "must be 1..100 characters")
	}
	if tracking == "" || len(tracking) > 100 {
		errs.add("tracking", "must be 1..100 characters")
	}
	if c, ok := s.listings.Carriers().Find(carrier); ok {
		carrier, link = c.Name, c.TrackingLink(tracking)
	} else if link != "" {
		if err := shipping.CheckTrackingURL(link); err != nil {
			errs.add("tracking_url", "%s", strings.TrimPrefix(err.Error(), "tracking_url: "))
		}
	}
	if err := errs.err(); err != nil {
		return HomePart{}, err
	}
	return s.merchantAction(ctx, merchant, id, ship(carrier, tracking, link))
}

// Deliver marks merchant's shipped part delivered.
func (s *Service) Deliver(ctx context.Context, merchant, id string) (HomePart, error) {
	return s.merchantAction(ctx, merchant, id, deliver(s.now()))
}

func (s *Service) merchantAction(ctx context.Context, merchant, id string, ch change) (HomePart, error) {
	if s.recovering.Load() {
		return HomePart{}, fmt.Errorf("%w: this node is catching up after a restore; try again in a moment", ErrUnavailable)
	}
	if _, err := s.HomePartOf(ctx, merchant, id); err != nil {
		return HomePart{}, err
	}
	res, err := s.transition(ctx, id, nil, nil, ch)
	if errors.Is(err, errDone) {
		return s.HomePartOf(ctx, merchant, id)
	}
	if err != nil {
		return HomePart{}, err
	}
	return *res.part, nil
}
