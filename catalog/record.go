package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fedmart/fedmart/catalog/content"
	jsonv2 "github.com/go-json-experiment/json"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/record"
	"google.golang.org/protobuf/encoding/protowire"
)

// RecordDomain is the libp2p signature domain of catalog records; a
// signature made for any other purpose never verifies as a record.
const RecordDomain = "fedmart-catalog"

// recordCodec is the envelope payload type of catalog records. A change to
// the payload format takes a new codec. (A listing record that carries
// stock uses fields the format always had, but a node of a build before
// it refuses such a record as malformed, so a home signs one only when
// the charter's protocol level says every member speaks it: see
// Catalog.SetCarryStock.)
const recordCodec = "/fedmart/catalog/record/1"

// Kind says what a record changes.
type Kind string

// The kinds of records. A listing record carries a listing's signed
// description (or its takedown); a stock record carries the units of
// every SKU of a listing. The newest of each kind is kept per listing. A
// merchant record carries a merchant's profile and policies, a shipping
// record one of its shipping profiles (or its takedown); the newest is
// kept per Subject.
const (
	KindListing  Kind = "listing"
	KindStock    Kind = "stock"
	KindMerchant Kind = "merchant"
	KindShipping Kind = "shipping"
	// KindOffer carries a merchant's offer (or its end); see offer.go.
	KindOffer Kind = "offer"
	// KindCampaign carries a merchant's ad campaign (or its end); see
	// campaign.go.
	KindCampaign Kind = "campaign"
	// KindDoc carries a federation page or help article (or its
	// takedown); see doc_record.go.
	KindDoc Kind = "doc"
)

// Record is the body of a signed catalog change. The home node assigns Seq
// from one counter per origin, so an origin's records are totally ordered.
// It implements record.Record; its payload is compact JSON.
type Record struct {
	// Origin is the peer ID of the home node that signed the record.
	Origin string `json:"origin"`
	// Seq is the origin's sequence number, from 1, strictly increasing.
	Seq uint64 `json:"seq"`
	// Kind is KindListing or KindStock.
	Kind Kind `json:"kind"`
	// ListingID is the global id; its platform part is Origin. Listing
	// and stock records only.
	ListingID string `json:"listing_id,omitempty"`
	// Subject is the id of a merchant record's merchant
	// (<platform>.<merchant>) or of a shipping record's profile
	// (<platform>.<merchant>.<profile>); its platform part is Origin.
	Subject string `json:"subject,omitempty"`
	// Version is the description's version: of this record for a listing
	// record, of the description the stock belongs to for a stock record.
	Version uint64 `json:"version"`
	// Tombstone marks a takedown (listing records only).
	Tombstone bool `json:"tombstone,omitempty"`
	// Listing is the description, for a listing record that is not a
	// tombstone. Its variants carry no stock.
	Listing *Listing `json:"listing,omitempty"`
	// Stock maps each SKU to the units available: in a stock record, and
	// in a listing record that is also the listing's stock record (see
	// CarriesStock).
	Stock map[string]int64 `json:"stock,omitempty"`
	// StockVersion counts the listing's stock versions, from 1.
	StockVersion uint64 `json:"stock_version,omitempty"`
	// Merchant is the profile, for a merchant record.
	Merchant *MerchantProfile `json:"merchant,omitempty"`
	// Shipping is the profile, for a shipping record that is not a
	// tombstone.
	Shipping *ShippingProfile `json:"shipping,omitempty"`
	// Offer is the offer, for an offer record that is not a tombstone.
	Offer *Offer `json:"offer,omitempty"`
	// Campaign is the campaign, for a campaign record that is not a
	// tombstone.
	Campaign *Campaign `json:"campaign,omitempty"`
	// Review is the review, for a review record that is not a
	// tombstone; Reply the reply, for a review_reply record (review.go).
	Review *Review      `json:"review,omitempty"`
	Reply  *ReviewReply `json:"reply,omitempty"`
	// Doc is the page or article, for a doc record that is not a
	// tombstone.
	Doc *content.Doc `json:"doc,omitempty"`
	// Time is when the home node signed the record.
	Time time.Time `json:"time"`
}

// Domain implements record.Record.
func (r *Record) Domain() string { return RecordDomain }

// Codec implements record.Record.
func (r *Record) Codec() []byte { return []byte(recordCodec) }

// MarshalRecord implements record.Record. encoding/json sorts map keys, so
// the payload is deterministic.
func (r *Record) MarshalRecord() ([]byte, error) { return json.Marshal(r) }

// UnmarshalRecord implements record.Record. It is strict: unknown fields,
// a field named twice and trailing data are errors, since a signer must
// not be able to say more than the reader understands, nor say a field
// two ways that two readers could take differently. It decodes with
// encoding/json/v2's semantics (github.com/go-json-experiment/json, the
// standard library's from Go 1.27), which reads a record in under half
// the time and allocations of encoding/json; records are still encoded
// by encoding/json (MarshalRecord), whose output both read alike.
func (r *Record) UnmarshalRecord(b []byte) error {
	var out Record
	if err := jsonv2.Unmarshal(b, &out, jsonv2.RejectUnknownMembers(true)); err != nil {
		return err
	}
	*r = out
	return nil
}

// signedPayload is a record.Record that keeps its payload as bytes: it
// seals payloads that are not a Record, such as the one that measures the
// envelope's overhead.
type signedPayload []byte

// Domain implements record.Record.
func (p *signedPayload) Domain() string { return RecordDomain }

// Codec implements record.Record.
func (p *signedPayload) Codec() []byte { return []byte(recordCodec) }

// MarshalRecord implements record.Record.
func (p *signedPayload) MarshalRecord() ([]byte, error) { return *p, nil }

// UnmarshalRecord implements record.Record; it keeps a copy of b.
func (p *signedPayload) UnmarshalRecord(b []byte) error { *p = bytes.Clone(b); return nil }

// seal signs rec with key and returns the envelope bytes that are stored
// and forwarded from then on.
func seal(rec record.Record, key crypto.PrivKey) ([]byte, error) {
	env, err := record.Seal(rec, key)
	if err != nil {
		return nil, fmt.Errorf("catalog: signing record: %w", err)
	}
	raw, err := env.Marshal()
	if err != nil {
		return nil, fmt.Errorf("catalog: encoding envelope: %w", err)
	}
	return raw, nil
}

// Decode verifies and parses a record received from anywhere. It checks, in
// order: the size (ErrTooLarge), the envelope and its signature in the
// catalog domain (ErrInvalid, ErrForged), that the signer is the record's
// origin (ErrForged), and that the record is well formed (ErrInvalid).
// Membership and the listing's content limits are checked by Apply.
func Decode(raw []byte, maxBytes int) (*Record, error) {
	e, err := openEnvelope(raw, maxBytes)
	if err != nil {
		return nil, err
	}
	if !e.verify() {
		return nil, errForgedSignature
	}
	return e.record()
}

// parseStored parses a record this catalog verified before it stored it.
func parseStored(raw []byte) (*Record, error) {
	env, err := record.UnmarshalEnvelope(raw)
	if err != nil {
		return nil, fmt.Errorf("catalog: stored record is corrupt: %w", err)
	}
	rec := new(Record)
	if err := rec.UnmarshalRecord(env.RawPayload); err != nil {
		return nil, fmt.Errorf("catalog: stored record is corrupt: %w", err)
	}
	return rec, nil
}

// envelopePayload returns the payload of a sealed record (field 3 of
// libp2p's Envelope message) without decoding the signer's key or
// checking the signature: for records this node stored, which it verified
// before it stored them. Should the field be repeated (members refuse
// such an envelope now, but one admitted before is stored as it came),
// the payload is the last one, as proto.Unmarshal reads it and so as the
// signature was checked on.
func envelopePayload(raw []byte) ([]byte, error) {
	var payload []byte
	found := false
	for len(raw) > 0 {
		num, typ, n := protowire.ConsumeTag(raw)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		raw = raw[n:]
		if num == 3 && typ == protowire.BytesType {
			if payload, n = protowire.ConsumeBytes(raw); n < 0 {
				return nil, protowire.ParseError(n)
			}
			found = true
		} else if n = protowire.ConsumeFieldValue(num, typ, raw); n < 0 {
			return nil, protowire.ParseError(n)
		}
		raw = raw[n:]
	}
	if !found {
		return nil, errors.New("the envelope has no payload")
	}
	return payload, nil
}

// check reports what makes a record malformed: the fields common to all
// kinds, then the kind's own.
func (r *Record) check() error {
	if err := checkPeerID(r.Origin); err != nil {
		return fmt.Errorf("origin: %v", err)
	}
	if r.Kind == KindDoc {
		return r.checkDoc()
	}
	if r.Doc != nil {
		return errors.New("only a doc record carries a doc")
	}
	if r.Kind == KindReview || r.Kind == KindReviewReply {
		return r.checkReview()
	}
	if r.Review != nil || r.Reply != nil {
		return errors.New("only review records carry a review or a reply")
	}
	if r.Kind == KindMerchant || r.Kind == KindShipping || r.Kind == KindOffer || r.Kind == KindCampaign {
		return r.checkProfile()
	}
	if r.Subject != "" || r.Merchant != nil || r.Shipping != nil || r.Offer != nil || r.Campaign != nil {
		return errors.New("a listing or stock record carries no subject and no profile")
	}
	platform, merchant, _, err := ParseID(r.ListingID)
	switch {
	case r.Seq == 0:
		return errors.New("seq must be at least 1")
	case err != nil:
		return fmt.Errorf("listing_id: %v", err)
	case platform != r.Origin:
		return errors.New("listing_id names another platform than the origin")
	case r.Version == 0:
		return errors.New("version must be at least 1")
	case r.Time.IsZero():
		return errors.New("time is missing")
	}
	switch r.Kind {
	case KindListing:
		return r.checkListing(merchant)
	case KindStock:
		return r.checkStock()
	}
	return fmt.Errorf("kind %q is not one of %q, %q, %q, %q, %q, %q, %q, %q and %q", clip(string(r.Kind)), KindListing, KindStock, KindMerchant, KindShipping, KindOffer, KindCampaign, KindReview, KindReviewReply, KindDoc)
}

// CarriesStock reports whether r is a listing record that carries its
// listing's stock as well: the home signs a new listing, or a change of
// both description and stock, as one record instead of two. It is then
// the listing's stock record too, of stock version StockVersion, and
// each member places each part by its own version.
func (r *Record) CarriesStock() bool { return r.Kind == KindListing && r.Stock != nil }

func (r *Record) checkListing(merchant string) error {
	l := r.Listing
	switch {
	case r.Stock != nil && (r.Tombstone || l == nil):
		return errors.New("only a listing record with a listing carries stock")
	case r.Stock != nil:
		if err := r.checkUnits(); err != nil {
			return err
		}
	case r.StockVersion != 0:
		return errors.New("stock_version: a listing record without stock has none")
	}
	switch {
	case r.Tombstone && l != nil:
		return errors.New("a tombstone carries no listing")
	case r.Tombstone:
		return nil
	case l == nil:
		return errors.New("listing is missing")
	case l.ID != r.ListingID || l.Platform != r.Origin || l.Merchant != merchant:
		return errors.New("listing id, platform or merchant differ from the record's")
	case l.Version != r.Version || !l.UpdatedAt.Equal(r.Time):
		return errors.New("listing version or updated_at differ from the record's")
	}
	if l.ShippingProfile != "" {
		if p, m, _, err := ParseID(l.ShippingProfile); err != nil || p != r.Origin || m != merchant {
			return errors.New("listing.shipping_profile: not a shipping profile of the listing's merchant")
		}
	}
	for i, v := range l.Variants {
		if v.Stock != 0 {
			return fmt.Errorf("listing.variants[%d].stock: stock travels in the record's stock, not in its variants", i)
		}
	}
	return nil
}

func (r *Record) checkStock() error {
	if r.Tombstone || r.Listing != nil {
		return errors.New("a stock record carries no listing and no tombstone")
	}
	return r.checkUnits()
}

// checkUnits checks the stock of a stock record, or of a listing record
// that carries it.
func (r *Record) checkUnits() error {
	switch {
	case r.StockVersion == 0:
		return errors.New("stock_version must be at least 1")
	case len(r.Stock) == 0:
		return errors.New("stock is missing")
	}
	for sku, n := range r.Stock {
		if !isSKU(sku) || n < 0 {
			return fmt.Errorf("stock[%q]: needs a valid SKU and units >= 0", clip(sku))
		}
	}
	return nil
}

// checkProfile checks a merchant or shipping record's own fields.
func (r *Record) checkProfile() error {
	switch {
	case r.ListingID != "" || r.Listing != nil || r.Stock != nil || r.StockVersion != 0:
		return errors.New("a profile record carries no listing and no stock")
	case r.Seq == 0:
		return errors.New("seq must be at least 1")
	case r.Version == 0:
		return errors.New("version must be at least 1")
	case r.Time.IsZero():
		return errors.New("time is missing")
	}
	if r.Kind == KindCampaign {
		return r.checkCampaign()
	}
	if r.Campaign != nil {
		return errors.New("only a campaign record carries a campaign")
	}
	if r.Kind == KindOffer {
		return r.checkOffer()
	}
	if r.Offer != nil {
		return errors.New("a profile record carries no offer")
	}
	if r.Kind == KindMerchant {
		platform, merchant, err := ParseMerchantID(r.Subject)
		m := r.Merchant
		switch {
		case err != nil:
			return fmt.Errorf("subject: %v", err)
		case platform != r.Origin:
			return errors.New("subject names another platform than the origin")
		case r.Tombstone || r.Shipping != nil || m == nil:
			return errors.New("a merchant record carries a merchant profile, nothing else")
		case m.ID != r.Subject || m.Platform != r.Origin || m.Merchant != merchant:
			return errors.New("merchant id, platform or merchant differ from the record's")
		case m.Version != r.Version || !m.UpdatedAt.Equal(r.Time):
			return errors.New("merchant version or updated_at differ from the record's")
		}
		return nil
	}
	platform, merchant, _, err := ParseID(r.Subject)
	s := r.Shipping
	switch {
	case err != nil:
		return fmt.Errorf("subject: %v", err)
	case platform != r.Origin:
		return errors.New("subject names another platform than the origin")
	case r.Merchant != nil:
		return errors.New("a shipping record carries no merchant profile")
	case r.Tombstone && s != nil:
		return errors.New("a tombstone carries no profile")
	case r.Tombstone:
		return nil
	case s == nil:
		return errors.New("shipping profile is missing")
	case s.ID != r.Subject || s.Platform != r.Origin || s.Merchant != merchant:
		return errors.New("shipping profile id, platform or merchant differ from the record's")
	case s.Version != r.Version || !s.UpdatedAt.Equal(r.Time):
		return errors.New("shipping profile version or updated_at differ from the record's")
	}
	return nil
}

// checkOffer checks an offer record's own fields.
func (r *Record) checkOffer() error {
	platform, merchant, _, err := ParseID(r.Subject)
	o := r.Offer
	switch {
	case err != nil:
		return fmt.Errorf("subject: %v", err)
	case platform != r.Origin:
		return errors.New("subject names another platform than the origin")
	case r.Merchant != nil || r.Shipping != nil:
		return errors.New("an offer record carries no profile")
	case r.Tombstone && o != nil:
		return errors.New("a tombstone carries no offer")
	case r.Tombstone:
		return nil
	case o == nil:
		return errors.New("offer is missing")
	case o.ID != r.Subject || o.Platform != r.Origin || o.Merchant != merchant:
		return errors.New("offer id, platform or merchant differ from the record's")
	case o.Version != r.Version || !o.UpdatedAt.Equal(r.Time):
		return errors.New("offer version or updated_at differ from the record's")
	}
	return nil
}

// checkCampaign checks a campaign record's own fields.
func (r *Record) checkCampaign() error {
	platform, merchant, _, err := ParseID(r.Subject)
	c := r.Campaign
	switch {
	case err != nil:
		return fmt.Errorf("subject: %v", err)
	case platform != r.Origin:
		return errors.New("subject names another platform than the origin")
	case r.Merchant != nil || r.Shipping != nil || r.Offer != nil:
		return errors.New("a campaign record carries no profile and no offer")
	case r.Tombstone && c != nil:
		return errors.New("a tombstone carries no campaign")
	case r.Tombstone:
		return nil
	case c == nil:
		return errors.New("campaign is missing")
	case c.ID != r.Subject || c.Platform != r.Origin || c.Merchant != merchant:
		return errors.New("campaign id, platform or merchant differ from the record's")
	case c.Version != r.Version || !c.UpdatedAt.Equal(r.Time):
		return errors.New("campaign version or updated_at differ from the record's")
	case c.State != CampaignLive && c.State != CampaignPaused && c.State != CampaignExhausted:
		return fmt.Errorf("campaign.state: %q is not %s", clip(c.State), campaignStateNames)
	}
	return nil
}
