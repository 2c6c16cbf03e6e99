package catalog

import (
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// Quotas. Every listing id an origin creates takes a head in every
// member's catalog, even once taken down (its tombstone stays, so that an
// older record never brings it back). So each catalog counts listing ids
// per origin, and per merchant for its own: a home node refuses its own
// merchants' listings beyond Config.MaxListings and
// Config.MaxMerchantListings, and every node holds another member's
// listings only up to the ceiling any node may configure; what a member
// publishes beyond it is valid but not held (ErrQuota), so no member can
// fill another's disk.

// quotaOK checks that origin (and, for this node's own, merchant) may
// create one more listing id.
func (c *Catalog) quotaOK(txn *badger.Txn, origin, merchant, id string) error {
	limit := ceilings().MaxListings
	if origin == c.self {
		limit = c.config().MaxListings
	}
	n, err := loadCounter(txn, prefixQuota+origin)
	if err != nil {
		return err
	}
	if n >= limit {
		return fmt.Errorf("%w: listing %s: %s has %d listings, the most this catalog holds of one member", ErrQuota, id, origin, n)
	}
	if origin != c.self || merchant == "" {
		return nil
	}
	if n, err = loadCounter(txn, prefixMQuota+merchant); err != nil {
		return err
	}
	if lim := c.config().MaxMerchantListings; n >= lim {
		return fmt.Errorf("%w: merchant %s has %d listings, the most one merchant may have here (catalog.max_merchant_listings)", ErrQuota, merchant, n)
	}
	return nil
}

// countListing counts a new listing id of origin (and merchant, when it
// is this node's).
func (c *Catalog) countListing(txn *badger.Txn, origin, merchant string) error {
	if err := addCounter(txn, prefixQuota+origin, 1); err != nil {
		return err
	}
	if origin != c.self || merchant == "" {
		return nil
	}
	return addCounter(txn, prefixMQuota+merchant, 1)
}

// buildQuotas counts the listing ids a catalog kept before it counted
// them, once.
func buildQuotas(db *badger.DB, self string) error {
	return db.Update(func(txn *badger.Txn) error {
		if _, err := txn.Get([]byte(keyQuotaBuilt)); err == nil {
			return nil
		}
		perOrigin, perMerchant := map[string]int64{}, map[string]int64{}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixListing)})
		for it.Rewind(); it.Valid(); it.Next() {
			id := string(it.Item().Key()[len(prefixListing):])
			platform, merchant, _, err := ParseID(id)
			if err != nil {
				continue
			}
			perOrigin[platform]++
			if platform == self {
				perMerchant[merchant]++
			}
		}
		it.Close()
		for o, n := range perOrigin {
			if err := addCounter(txn, prefixQuota+o, n); err != nil {
				return err
			}
		}
		for m, n := range perMerchant {
			if err := addCounter(txn, prefixMQuota+m, n); err != nil {
				return err
			}
		}
		return txn.Set([]byte(keyQuotaBuilt), []byte{1})
	})
}
