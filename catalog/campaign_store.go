package catalog

import (
	"context"
	"fmt"

	badger "github.com/dgraph-io/badger/v4"
)

// prefixCampaign keys the head of a campaign record by the campaign's id:
// c/a/<platform>.<merchant>.<campaign>, so that a merchant's campaigns
// are together in key order.
const prefixCampaign = "c/a/"

func campaignKey(id string) []byte { return []byte(prefixCampaign + id) }

// SetAdFeeCap sets the charter's cap on a campaign's fee, in basis
// points (0: the charter runs no ads): this node's merchants cannot
// publish a campaign above it, and no campaign record above it is stored
// or relayed. The node calls it at start and when the charter changes.
func (c *Catalog) SetAdFeeCap(bps int64) { c.adFeeCap.Store(bps) }

// AdFeeCap returns the cap SetAdFeeCap set.
func (c *Catalog) AdFeeCap() int64 { return c.adFeeCap.Load() }

// PutCampaign creates (id "") or replaces one of merchantID's campaigns
// from in and signs it. An ended campaign cannot be replaced
// (ErrNotFound).
func (c *Catalog) PutCampaign(ctx context.Context, merchantID, id string, in CampaignInput) (Campaign, error) {
	if err := ctx.Err(); err != nil {
		return Campaign{}, err
	}
	if err := validateCampaign(in, c.self, merchantID, c.AdFeeCap()); err != nil {
		return Campaign{}, err
	}
	create := id == ""
	state := in.State
	if create {
		id = FormatID(c.self, merchantID, newLocalID())
		if state == "" {
			state = CampaignLive
		}
	} else if err := c.ownCampaign(merchantID, id); err != nil {
		return Campaign{}, err
	}
	if state == "" {
		old, err := c.Campaign(ctx, id)
		if err != nil {
			return Campaign{}, err
		}
		state = old.State
	}
	cp := campaignOf(in, state)
	rec, err := c.signSubject(KindCampaign, id, campaignContent(cp), false, func(txn *badger.Txn, r *Record) error {
		if err := requireMerchant(txn, merchantID); err != nil {
			return err
		}
		if create {
			if err := countCampaigns(txn, id, MaxCampaigns); err != nil {
				return err
			}
		} else if r.Version == 1 {
			return fmt.Errorf("%w: campaign %s", ErrNotFound, id)
		}
		cp.ID, cp.Merchant, cp.Platform, cp.Version, cp.UpdatedAt = id, merchantID, c.self, r.Version, r.Time
		r.Campaign = cp
		return nil
	})
	if err != nil {
		return Campaign{}, err
	}
	return *rec.Campaign, nil
}

// SetCampaignState signs a new version of one of merchantID's campaigns
// in state (pause, resume, or exhausted when the home spent its budget);
// the same state signs nothing.
func (c *Catalog) SetCampaignState(ctx context.Context, merchantID, id, state string) (Campaign, error) {
	old, err := c.Campaign(ctx, id)
	if err != nil {
		return Campaign{}, err
	}
	if state == "" {
		return Campaign{}, &ValidationError{Errors: []FieldError{{Field: "state", Message: "must be " + campaignStateNames}}}
	}
	in := old.input()
	in.State = state
	return c.PutCampaign(ctx, merchantID, id, in)
}

// EndCampaign signs a tombstone for one of merchantID's campaigns: no
// storefront shows it from then on, and the home charges it no more.
func (c *Catalog) EndCampaign(ctx context.Context, merchantID, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.ownCampaign(merchantID, id); err != nil {
		return err
	}
	_, err := c.signSubject(KindCampaign, id, digest{}, true, func(_ *badger.Txn, r *Record) error {
		if r.Version == 1 {
			return fmt.Errorf("%w: campaign %s", ErrNotFound, id)
		}
		return nil
	})
	return err
}

// ownCampaign checks that id is a campaign id of merchantID on this
// node; any other is ErrNotFound.
func (c *Catalog) ownCampaign(merchantID, id string) error {
	platform, merchant, _, err := ParseID(id)
	if err != nil || platform != c.self || merchant != merchantID {
		return fmt.Errorf("%w: campaign %s", ErrNotFound, clip(id))
	}
	return nil
}

// countCampaigns refuses another campaign of the merchant of campaign id
// when it has limit already (ended ones included).
func countCampaigns(txn *badger.Txn, id string, limit int) error {
	platform, merchant, _, _ := ParseID(id)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: campaignKey(FormatMerchantID(platform, merchant) + ".")})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid() && n < limit; it.Next() {
		n++
	}
	if n >= limit {
		return fmt.Errorf("%w: campaign %s: its merchant has %d campaigns, the most one merchant may have", ErrQuota, id, n)
	}
	return nil
}

// Campaigns returns the campaigns (any state, not ended) of a merchant of
// any member that this node holds, in id order; with platform "", of
// every merchant of every member.
func (c *Catalog) Campaigns(ctx context.Context, platform, merchant string) ([]Campaign, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix := campaignKey("")
	if platform != "" {
		prefix = campaignKey(FormatMerchantID(platform, merchant) + ".")
	}
	var out []Campaign
	err := c.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			h, err := decodeHead(raw)
			if err != nil {
				return err
			}
			if h.tomb {
				continue
			}
			origin, _, _, _ := ParseID(string(it.Item().Key()[len(prefixCampaign):]))
			rec, err := loadRecord(txn, origin, h.seq)
			if err != nil {
				return err
			}
			if rec != nil && rec.Campaign != nil {
				out = append(out, *rec.Campaign)
			}
		}
		return nil
	})
	return out, err
}

// Campaign returns one campaign (any state, not ended) of any member.
func (c *Catalog) Campaign(ctx context.Context, id string) (Campaign, error) {
	platform, merchant, _, err := ParseID(id)
	if err != nil {
		return Campaign{}, fmt.Errorf("%w: campaign %s", ErrNotFound, clip(id))
	}
	all, err := c.Campaigns(ctx, platform, merchant)
	if err != nil {
		return Campaign{}, err
	}
	for _, cp := range all {
		if cp.ID == id {
			return cp, nil
		}
	}
	return Campaign{}, fmt.Errorf("%w: campaign %s", ErrNotFound, clip(id))
}
