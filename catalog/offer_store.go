package catalog

import (
	"context"
	"fmt"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// prefixOffer keys the head of an offer record by the offer's id:
// c/f/<platform>.<merchant>.<offer>, so that a merchant's offers are
// together in key order.
const prefixOffer = "c/f/"

func offerKey(id string) []byte { return []byte(prefixOffer + id) }

// PutOffer creates (id "") or replaces one of merchantID's offers from in
// and signs it. An ended offer cannot be replaced (ErrNotFound).
func (c *Catalog) PutOffer(ctx context.Context, merchantID, id string, in OfferInput) (Offer, error) {
	if err := ctx.Err(); err != nil {
		return Offer{}, err
	}
	if err := validateOffer(in, c.self, merchantID); err != nil {
		return Offer{}, err
	}
	create := id == ""
	if create {
		id = FormatID(c.self, merchantID, newLocalID())
	} else if err := c.ownOffer(merchantID, id); err != nil {
		return Offer{}, err
	}
	o := offerOf(in)
	rec, err := c.signSubject(KindOffer, id, offerContent(o), false, func(txn *badger.Txn, r *Record) error {
		if err := requireMerchant(txn, merchantID); err != nil {
			return err
		}
		if create {
			if err := countOffers(txn, id, MaxOffers); err != nil {
				return err
			}
		} else if r.Version == 1 {
			return fmt.Errorf("%w: offer %s", ErrNotFound, id)
		}
		o.ID, o.Merchant, o.Platform, o.Version, o.UpdatedAt = id, merchantID, c.self, r.Version, r.Time
		r.Offer = o
		return nil
	})
	if err != nil {
		return Offer{}, err
	}
	return *rec.Offer, nil
}

// EndOffer signs a tombstone for one of merchantID's offers: no
// storefront applies it from then on, and no reserve after the home
// stored it gets its discount.
func (c *Catalog) EndOffer(ctx context.Context, merchantID, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.ownOffer(merchantID, id); err != nil {
		return err
	}
	_, err := c.signSubject(KindOffer, id, digest{}, true, func(_ *badger.Txn, r *Record) error {
		if r.Version == 1 {
			return fmt.Errorf("%w: offer %s", ErrNotFound, id)
		}
		return nil
	})
	return err
}

// ownOffer checks that id is an offer id of merchantID on this node;
// any other is ErrNotFound.
func (c *Catalog) ownOffer(merchantID, id string) error {
	platform, merchant, _, err := ParseID(id)
	if err != nil || platform != c.self || merchant != merchantID {
		return fmt.Errorf("%w: offer %s", ErrNotFound, clip(id))
	}
	return nil
}

// countOffers refuses another offer of the merchant of offer id when it
// has limit already (ended ones included: their tombstones are kept).
func countOffers(txn *badger.Txn, id string, limit int) error {
	platform, merchant, _, _ := ParseID(id)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: offerKey(FormatMerchantID(platform, merchant) + ".")})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid() && n < limit; it.Next() {
		n++
	}
	if n >= limit {
		return fmt.Errorf("%w: offer %s: its merchant has %d offers, the most one merchant may have", ErrQuota, id, n)
	}
	return nil
}

// OfferState is an offer as its merchant's home node lists it: live, or
// ended (then only its id and the version that ended it are known).
type OfferState struct {
	Offer
	// Ended is set once the merchant ended the offer.
	Ended bool `json:"ended"`
}

// Offers returns the offers of a merchant of any member that this node
// holds and that are not ended, in id order.
func (c *Catalog) Offers(ctx context.Context, platform, merchant string) ([]Offer, error) {
	all, err := c.AllOffers(ctx, platform, merchant)
	if err != nil {
		return nil, err
	}
	out := make([]Offer, 0, len(all))
	for _, o := range all {
		if !o.Ended {
			out = append(out, o.Offer)
		}
	}
	return out, nil
}

// AllOffers returns every offer of a merchant this node holds, ended ones
// included, in id order.
func (c *Catalog) AllOffers(ctx context.Context, platform, merchant string) ([]OfferState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []OfferState
	err := c.db.View(func(txn *badger.Txn) error {
		prefix := offerKey(FormatMerchantID(platform, merchant) + ".")
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			id := string(it.Item().Key()[len(prefixOffer):])
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			h, err := decodeHead(raw)
			if err != nil {
				return err
			}
			if h.tomb {
				out = append(out, OfferState{Offer: Offer{ID: id, Platform: platform, Merchant: merchant, Version: h.version}, Ended: true})
				continue
			}
			rec, err := loadRecord(txn, platform, h.seq)
			if err != nil {
				return err
			}
			if rec != nil && rec.Offer != nil {
				out = append(out, OfferState{Offer: *rec.Offer})
			}
		}
		return nil
	})
	return out, err
}

// Offer returns one live offer of any member.
func (c *Catalog) Offer(ctx context.Context, id string) (Offer, error) {
	if err := ctx.Err(); err != nil {
		return Offer{}, err
	}
	platform, merchant, _, err := ParseID(id)
	if err != nil {
		return Offer{}, err
	}
	all, err := c.Offers(ctx, platform, merchant)
	if err != nil {
		return Offer{}, err
	}
	for _, o := range all {
		if o.ID == id {
			return o, nil
		}
	}
	return Offer{}, fmt.Errorf("%w: offer %s", ErrNotFound, clip(id))
}

// ActiveOffers returns the offers of a merchant that apply at t, for
// pages that show them next to prices.
func (c *Catalog) ActiveOffers(ctx context.Context, platform, merchant string, t time.Time) ([]Offer, error) {
	all, err := c.Offers(ctx, platform, merchant)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, o := range all {
		if o.Active(t) {
			out = append(out, o)
		}
	}
	return out, nil
}
