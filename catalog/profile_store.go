package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog/shipping"
)

// prefixProfile keys the head of a merchant or shipping record by its
// subject: c/p/<platform>.<merchant> for a merchant's profile,
// c/p/<platform>.<merchant>.<profile> for a shipping profile, so that a
// merchant's shipping profiles follow its profile in key order.
const prefixProfile = "c/p/"

func profileKey(subject string) []byte { return []byte(prefixProfile + subject) }

// subjectKey keys the head of a record of kind about subject: offers
// under c/f/ (offer_store.go), merchant and shipping profiles under c/p/.
func subjectKey(kind Kind, subject string) []byte {
	switch kind {
	case KindOffer:
		return offerKey(subject)
	case KindReview:
		return reviewKey(subject)
	case KindReviewReply:
		return replyKey(subject)
	}
	if kind == KindCampaign {
		return campaignKey(subject)
	}
	if kind == KindDoc {
		return docKey(subject)
	}
	return profileKey(subject)
}

// SetCarriers sets the carriers this node's merchants may name in their
// shipping profiles: the built-in table and the charter's additions. The
// node calls it at start and when the charter changes.
func (c *Catalog) SetCarriers(t shipping.Table) { c.carriers.Store(&t) }

// Carriers returns the carriers this node knows.
func (c *Catalog) Carriers() shipping.Table {
	if t := c.carriers.Load(); t != nil {
		return *t
	}
	return shipping.Carriers()
}

// SetMerchantProfile signs merchantID's profile from in, a new version
// unless nothing changed, and takes its name as the merchant's. The default shipping profile must be one of the
// merchant's live profiles.
func (c *Catalog) SetMerchantProfile(ctx context.Context, merchantID string, in MerchantProfileInput) (MerchantProfile, error) {
	if err := ctx.Err(); err != nil {
		return MerchantProfile{}, err
	}
	if err := validateMerchantProfile(c.config(), in, c.self, merchantID); err != nil {
		return MerchantProfile{}, err
	}
	p := profileOf(in)
	subject := FormatMerchantID(c.self, merchantID)
	rec, err := c.signSubject(KindMerchant, subject, profileContent(p, nil), false, func(txn *badger.Txn, r *Record) error {
		if err := requireMerchant(txn, merchantID); err != nil {
			return err
		}
		if p.DefaultShipping != "" {
			if h, err := getHead(txn, profileKey(p.DefaultShipping)); err != nil || h.seq == 0 || h.tomb {
				return errors.Join(err, &ValidationError{Errors: []FieldError{{Field: "default_shipping", Message: "is not one of this merchant's shipping profiles"}}})
			}
		}
		p.ID, p.Platform, p.Merchant, p.Version, p.UpdatedAt = subject, c.self, merchantID, r.Version, r.Time
		r.Merchant = p
		return nil
	})
	if err != nil {
		return MerchantProfile{}, err
	}
	// The profile's name is the merchant's name, here too.
	if _, err := c.updateMerchant(ctx, merchantID, func(m *storedMerchant) { m.Name = rec.Merchant.Name }); err != nil {
		return MerchantProfile{}, err
	}
	return *rec.Merchant, nil
}

// PutShippingProfile creates (id "") or replaces one of merchantID's
// shipping profiles from in.
func (c *Catalog) PutShippingProfile(ctx context.Context, merchantID, id string, in ShippingProfileInput) (ShippingProfile, error) {
	if err := ctx.Err(); err != nil {
		return ShippingProfile{}, err
	}
	if err := validateShippingProfile(in, shipping.DefaultLimits(), c.Carriers().Known); err != nil {
		return ShippingProfile{}, err
	}
	create := id == ""
	if create {
		id = FormatID(c.self, merchantID, newLocalID())
	} else if err := c.ownSubject(merchantID, id); err != nil {
		return ShippingProfile{}, err
	}
	p := shippingOf(in)
	rec, err := c.signSubject(KindShipping, id, profileContent(nil, p), false, func(txn *badger.Txn, r *Record) error {
		if err := requireMerchant(txn, merchantID); err != nil {
			return err
		}
		if create {
			n, err := countProfiles(txn, FormatMerchantID(c.self, merchantID), shipping.DefaultLimits().MaxProfiles+1)
			if err != nil {
				return err
			}
			if lim := shipping.DefaultLimits().MaxProfiles; n >= lim {
				return fmt.Errorf("%w: merchant %s has %d shipping profiles, the most one merchant may have", ErrQuota, merchantID, n)
			}
		} else if r.Version == 1 {
			return fmt.Errorf("%w: shipping profile %s", ErrNotFound, id)
		}
		p.ID, p.Merchant, p.Platform, p.Version, p.UpdatedAt = id, merchantID, c.self, r.Version, r.Time
		r.Shipping = p
		return nil
	})
	if err != nil {
		return ShippingProfile{}, err
	}
	return *rec.Shipping, nil
}

// TakeDownShippingProfile signs a tombstone for one of merchantID's
// shipping profiles. The merchant's default profile cannot be taken down;
// listings that name a taken-down profile ship under the default.
func (c *Catalog) TakeDownShippingProfile(ctx context.Context, merchantID, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.ownSubject(merchantID, id); err != nil {
		return err
	}
	_, err := c.signSubject(KindShipping, id, digest{}, true, func(txn *badger.Txn, r *Record) error {
		if r.Version == 1 {
			return fmt.Errorf("%w: shipping profile %s", ErrNotFound, id)
		}
		mp, err := loadSubject(txn, FormatMerchantID(c.self, merchantID))
		if err != nil {
			return err
		}
		if mp != nil && mp.Merchant != nil && mp.Merchant.DefaultShipping == id {
			return fmt.Errorf("%w: shipping profile %s is the merchant's default; choose another default first", ErrConflict, id)
		}
		return nil
	})
	return err
}

// checkShippingProfile checks that the shipping profile a description of
// merchantID names is one of the merchant's live profiles.
func (c *Catalog) checkShippingProfile(txn *badger.Txn, merchantID string, desc *Listing) error {
	id := desc.ShippingProfile
	if id == "" {
		return nil
	}
	if c.ownSubject(merchantID, id) == nil {
		if h, err := getHead(txn, profileKey(id)); err != nil || h.seq != 0 && !h.tomb {
			return err
		}
	}
	return &ValidationError{Errors: []FieldError{{Field: "shipping_profile", Message: fmt.Sprintf("is not one of this merchant's shipping profiles: %q", clip(id))}}}
}

// ownSubject checks that id is a shipping profile id of merchantID on
// this node; any other is ErrNotFound, as for listings.
func (c *Catalog) ownSubject(merchantID, id string) error {
	platform, merchant, _, err := ParseID(id)
	if err != nil || platform != c.self || merchant != merchantID {
		return fmt.Errorf("%w: shipping profile %s", ErrNotFound, clip(id))
	}
	return nil
}

// signSubject signs the next version of subject, of kind, with what fill
// puts in the record (fill also checks what needs the store, and may
// refuse), unless the stored version has the same content sum; tomb signs
// a takedown. A taken-down subject is ErrNotFound. It returns the record
// now current.
func (c *Catalog) signSubject(kind Kind, subject string, sum digest, tomb bool, fill func(*badger.Txn, *Record) error) (*Record, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.signedRating = ratingDelta{}
	if err := c.checkSigning(); err != nil {
		return nil, err
	}
	txn := c.db.NewTransaction(true)
	defer txn.Discard()
	prev, err := getHead(txn, subjectKey(kind, subject))
	if err != nil {
		return nil, err
	}
	if prev.tomb {
		return nil, fmt.Errorf("%w: %s %s", ErrNotFound, kind, subject)
	}
	if prev.seq != 0 && !tomb && prev.sum == sum {
		rec, err := loadRecord(txn, c.self, prev.seq)
		if err != nil {
			return nil, err
		}
		if err := fill(txn, &Record{Version: prev.version + 1, Time: rec.Time}); err != nil {
			return nil, err
		}
		return rec, nil
	}
	st, err := loadOrigin(txn, c.self)
	if err != nil {
		return nil, err
	}
	st.top = max(st.top, st.mark) + 1
	rec := &Record{Origin: c.self, Seq: st.top, Kind: kind, Subject: subject, Version: prev.version + 1, Tombstone: tomb, Time: c.now().UTC()}
	if err := fill(txn, rec); err != nil {
		return nil, err
	}
	raw, err := seal(rec, c.key)
	if err != nil {
		return nil, err
	}
	if len(raw) > c.cfg.MaxRecordBytes {
		return nil, &ValidationError{Errors: []FieldError{{Message: fmt.Sprintf("the %s profile takes a signed record of %d bytes, more than the %d allowed (catalog.max_record_bytes)", kind, len(raw), c.cfg.MaxRecordBytes)}}}
	}
	if prev.seq == 0 {
		if err := c.quotaOK(txn, c.self, "", subject); err != nil {
			return nil, err
		}
		if err := c.countListing(txn, c.self, ""); err != nil {
			return nil, err
		}
	}
	if err := putProfile(txn, rec, raw, prev, sum); err != nil {
		return nil, err
	}
	st.mark = st.top
	if err := saveOrigin(txn, c.self, st); err != nil {
		return nil, err
	}
	if err := addCounter(txn, keyChanges, 1); err != nil {
		return nil, err
	}
	if err := txn.Commit(); err != nil {
		return nil, fmt.Errorf("catalog: committing: %w", err)
	}
	c.ratings.apply(c.signedRating)
	c.notify([]Change{{ID: subject, Record: rec, Raw: raw, rating: c.signedRating}})
	return rec, nil
}

// putProfile stores a verified merchant or shipping record as the newest
// of its subject.
func putProfile(txn *badger.Txn, r *Record, raw []byte, prev head, sum digest) error {
	if err := putRecord(txn, r, raw, prev.seq, 0); err != nil {
		return err
	}
	h := head{seq: r.Seq, version: r.Version, tomb: r.Tombstone, sum: sum}
	return txn.Set(subjectKey(r.Kind, r.Subject), h.encode())
}

// placeProfile stores a merchant or shipping record from another node
// (or one of ours, learnt back) unless a newer version is stored.
func (c *Catalog) placeProfile(txn *badger.Txn, rec *Record, raw []byte) (*Change, error) {
	prev, err := getHead(txn, subjectKey(rec.Kind, rec.Subject))
	if err != nil {
		return nil, err
	}
	if err := order(string(rec.Kind)+" profile", rec.Subject, rec.Version, prev); err != nil {
		return nil, err
	}
	if prev.tomb {
		return nil, fmt.Errorf("%w: %s was taken down at version %d", ErrConflict, rec.Subject, prev.version)
	}
	if prev.seq == 0 {
		if err := c.quotaOK(txn, rec.Origin, "", rec.Subject); err != nil {
			return nil, err
		}
		if rec.Kind == KindOffer {
			if err := countOffers(txn, rec.Subject, MaxOffers); err != nil {
				return nil, err
			}
		}
		if rec.Kind == KindCampaign {
			if err := countCampaigns(txn, rec.Subject, MaxCampaigns); err != nil {
				return nil, err
			}
		}
		if rec.Kind == KindShipping {
			platform, merchant, _, _ := ParseID(rec.Subject) // checked by Decode
			n, err := countProfiles(txn, FormatMerchantID(platform, merchant), shipping.MaxLimits().MaxProfiles+1)
			if err != nil {
				return nil, err
			}
			if n >= shipping.MaxLimits().MaxProfiles {
				return nil, fmt.Errorf("%w: shipping profile %s: its merchant has %d, the most any node holds", ErrQuota, rec.Subject, n)
			}
		}
		if err := c.countListing(txn, rec.Origin, ""); err != nil {
			return nil, err
		}
	}
	sum := profileContent(rec.Merchant, rec.Shipping)
	if rec.Offer != nil {
		sum = offerContent(rec.Offer)
	}
	if rec.Campaign != nil {
		sum = campaignContent(rec.Campaign)
	}
	if err := putProfile(txn, rec, raw, prev, sum); err != nil {
		return nil, err
	}
	return &Change{ID: rec.Subject, Record: rec, Raw: raw}, nil
}

// checkProfileLimits holds a merchant or shipping record to cfg (this
// node's own limits, or the ceilings for another member's).
func checkProfileLimits(rec *Record, cfg Config, own bool, feeCap int64) error {
	var err error
	switch {
	case rec.Kind == KindMerchant:
		_, merchant, _ := ParseMerchantID(rec.Subject)
		err = validateMerchantProfile(cfg, rec.Merchant.input(), rec.Origin, merchant)
	case rec.Offer != nil:
		_, merchant, _, _ := ParseID(rec.Subject)
		err = validateOffer(rec.Offer.input(), rec.Origin, merchant)
	case rec.Campaign != nil:
		_, merchant, _, _ := ParseID(rec.Subject)
		err = validateCampaign(rec.Campaign.input(), rec.Origin, merchant, feeCap)
	case rec.Shipping != nil:
		lim := shipping.MaxLimits()
		if own {
			lim = shipping.DefaultLimits()
		}
		err = validateShippingProfile(ShippingProfileInput{Name: rec.Shipping.Name, Zones: rec.Shipping.Zones}, lim, nil)
	}
	if err != nil {
		return fmt.Errorf("record %s/%d: %s %s: %w", rec.Origin, rec.Seq, rec.Kind, rec.Subject, err)
	}
	return nil
}

// countProfiles counts the shipping profile heads of a merchant, taken
// down ones included, up to limit.
func countProfiles(txn *badger.Txn, merchant string, limit int) (int, error) {
	it := txn.NewIterator(badger.IteratorOptions{Prefix: profileKey(merchant + ".")})
	defer it.Close()
	n := 0
	for it.Rewind(); it.Valid() && n < limit; it.Next() {
		n++
	}
	return n, nil
}

// loadSubject reads the current record of subject, nil when none is
// stored or it was taken down.
func loadSubject(txn *badger.Txn, subject string) (*Record, error) {
	h, err := getHead(txn, profileKey(subject))
	if err != nil || h.seq == 0 || h.tomb {
		return nil, err
	}
	return loadRecord(txn, platformOf(subject), h.seq)
}

// MerchantProfile returns the published profile of a merchant of any
// member; ErrNotFound when its home node published none.
func (c *Catalog) MerchantProfile(ctx context.Context, platform, merchant string) (MerchantProfile, error) {
	if err := ctx.Err(); err != nil {
		return MerchantProfile{}, err
	}
	var rec *Record
	err := c.db.View(func(txn *badger.Txn) (err error) {
		rec, err = loadSubject(txn, FormatMerchantID(platform, merchant))
		return err
	})
	if err != nil {
		return MerchantProfile{}, err
	}
	if rec == nil || rec.Merchant == nil {
		return MerchantProfile{}, fmt.Errorf("%w: merchant profile %s", ErrNotFound, clip(FormatMerchantID(platform, merchant)))
	}
	return *rec.Merchant, nil
}

// ShippingProfile returns a live shipping profile of any member.
func (c *Catalog) ShippingProfile(ctx context.Context, id string) (ShippingProfile, error) {
	if err := ctx.Err(); err != nil {
		return ShippingProfile{}, err
	}
	if _, _, _, err := ParseID(id); err != nil {
		return ShippingProfile{}, err
	}
	var rec *Record
	err := c.db.View(func(txn *badger.Txn) (err error) {
		rec, err = loadSubject(txn, id)
		return err
	})
	if err != nil {
		return ShippingProfile{}, err
	}
	if rec == nil || rec.Shipping == nil {
		return ShippingProfile{}, fmt.Errorf("%w: shipping profile %s", ErrNotFound, id)
	}
	return *rec.Shipping, nil
}

// ShippingProfiles returns the live shipping profiles of a merchant of any
// member, in id order.
func (c *Catalog) ShippingProfiles(ctx context.Context, platform, merchant string) ([]ShippingProfile, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []ShippingProfile
	err := c.db.View(func(txn *badger.Txn) error {
		prefix := profileKey(FormatMerchantID(platform, merchant) + ".")
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		var subjects []string
		for it.Rewind(); it.Valid(); it.Next() {
			subjects = append(subjects, string(it.Item().Key()[len(prefixProfile):]))
		}
		for _, s := range subjects {
			rec, err := loadSubject(txn, s)
			if err != nil {
				return err
			}
			if rec != nil && rec.Shipping != nil {
				out = append(out, *rec.Shipping)
			}
		}
		return nil
	})
	return out, err
}

// ShippingTerms are what quoting the shipping of a listing needs.
type ShippingTerms struct {
	// Profile is the shipping profile the listing ships under.
	Profile shipping.Profile
	// HandlingDays is the merchant's handling time, in business days.
	HandlingDays int
}

// defaultHandlingDays is a merchant's handling time until it says.
const defaultHandlingDays = 1

// ShippingFor resolves the terms listing l ships under from this node's
// copy of its merchant's records: the shipping profile it names, else its
// merchant's default; a listing whose merchant published neither ships
// free to its shipping regions in 2 to 5 business days (how every listing
// shipped before profiles existed).
func (c *Catalog) ShippingFor(ctx context.Context, l *Listing) (ShippingTerms, error) {
	if err := ctx.Err(); err != nil {
		return ShippingTerms{}, err
	}
	t := ShippingTerms{HandlingDays: defaultHandlingDays}
	err := c.db.View(func(txn *badger.Txn) error {
		mp, err := loadSubject(txn, FormatMerchantID(l.Platform, l.Merchant))
		if err != nil {
			return err
		}
		var fallback string
		if mp != nil && mp.Merchant != nil {
			t.HandlingDays, fallback = mp.Merchant.Policies.HandlingDays, mp.Merchant.DefaultShipping
		}
		for _, id := range []string{l.ShippingProfile, fallback} {
			if id == "" {
				continue
			}
			rec, err := loadSubject(txn, id)
			if err != nil {
				return err
			}
			if rec != nil && rec.Shipping != nil {
				t.Profile = rec.Shipping.Profile
				return nil
			}
		}
		t.Profile = regionsProfile(l)
		return nil
	})
	return t, err
}

// regionsProfile is the shipping profile of a listing that ships under
// none: free to its shipping regions.
func regionsProfile(l *Listing) shipping.Profile {
	return shipping.Profile{ID: l.ID, Merchant: l.Merchant, Name: "Shipping regions", Zones: []shipping.Zone{{
		Name: "Shipping regions", Countries: slices.Clone(l.ShippingRegions),
		Rates: []shipping.Rate{{Name: "Standard", Transit: shipping.Days{Min: 2, Max: 5}}},
	}}}
}
