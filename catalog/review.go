package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// A review is a published record of the storefront that sold: records of
// kind KindReview, whose Subject is the review's id, signed by the
// storefront, replicated by gossip and catch-up like listings. Its id is
// derived from the storefront, the order part and the line, so a second
// review of the same line is a new version of the same record (an edit,
// allowed within the charter's edit window); a tombstone by its signer
// takes it down. Each review carries its proof of purchase: the home
// node's signed status that stated the part delivered to that storefront,
// and the digest of those bytes. Every receiver checks the proof (see
// checkProof) and refuses, never storing or relaying, a review whose
// proof fails. The listing's home node may reply once (KindReviewReply,
// Subject the review's id). Ratings are derived from the stored reviews
// (review_rating.go).

// The kinds of review records.
const (
	// KindReview carries a shopper's review, signed by the storefront
	// that sold (or its takedown).
	KindReview Kind = "review"
	// KindReviewReply carries the merchant's reply, signed by the
	// listing's home node.
	KindReviewReply Kind = "review_reply"
)

// Review is a shopper's review of one line of a delivered part, as every
// member sees it.
type Review struct {
	// ID is <storefront>.<digest of part and line> (see ReviewID).
	ID string `json:"id"`
	// Storefront is the peer ID of the member that sold and signed.
	Storefront string `json:"storefront"`
	// ListingID and SKU name the line reviewed; Variant is how the
	// storefront showed the variant bought ("Blue / M").
	ListingID string `json:"listing_id"`
	SKU       string `json:"sku"`
	Variant   string `json:"variant,omitempty"`
	// Part is the order part the line was delivered in.
	Part string `json:"part"`
	// Rating is 1 to 5 stars.
	Rating int `json:"rating"`
	// Title and Text are the shopper's words, plain text.
	Title string `json:"title"`
	Text  string `json:"text,omitempty"`
	// Photos are https URLs of the shopper's pictures.
	Photos []string `json:"photos,omitempty"`
	// Reviewer is the name the storefront shows (first name and
	// initial); never an e-mail or an account id.
	Reviewer string `json:"reviewer"`
	// Proof is the home node's signed status stating the part delivered
	// to Storefront, byte for byte; ProofDigest is its SHA-256, in hex.
	Proof       []byte `json:"proof"`
	ProofDigest string `json:"proof_digest"`
	// Created is when the storefront first signed the review; edits keep
	// it, and the edit window runs from it.
	Created time.Time `json:"created"`
	// Version counts the review's versions, from 1.
	Version uint64 `json:"version"`
	// UpdatedAt is when the storefront signed this version.
	UpdatedAt time.Time `json:"updated_at"`
}

// ReviewReply is the merchant's answer to a review, signed by the
// listing's home node.
type ReviewReply struct {
	// Review is the id of the review answered.
	Review string `json:"review"`
	// ListingID is the reviewed listing; its platform signs the reply.
	ListingID string `json:"listing_id"`
	// Text is the merchant's words, plain text.
	Text string `json:"text"`
	// UpdatedAt is when the home node signed it.
	UpdatedAt time.Time `json:"updated_at"`
}

// ReviewInput is what a storefront sends to sign a review of one of its
// delivered lines.
type ReviewInput struct {
	Part      string   `json:"part"`
	ListingID string   `json:"listing_id"`
	SKU       string   `json:"sku"`
	Variant   string   `json:"variant"`
	Rating    int      `json:"rating"`
	Title     string   `json:"title"`
	Text      string   `json:"text"`
	Photos    []string `json:"photos"`
	Reviewer  string   `json:"reviewer"`
}

// Limits of a review and a reply, in characters (bytes for URLs).
const (
	maxReviewTitle    = 150
	maxReviewText     = 5000
	maxReviewer       = 60
	maxReviewVariant  = 200
	maxReviewPhotos   = 10
	maxReviewPhotoURL = 2048
	maxReplyText      = 3000
	maxReviewPart     = 128
	// maxProofBytes caps the proof a review carries.
	maxProofBytes = 16 << 10
)

// Delivered is what a home node's signed status states, as a review's
// proof is read (ProofChecker).
type Delivered struct {
	// Home signed the status; Storefront is whom it was sent to.
	Home       string
	Storefront string
	Part       string
	// Status is the part's status ("delivered" for a proof).
	Status   string
	Merchant string
	At       time.Time
	// Items are the part's lines.
	Items []DeliveredItem
}

// DeliveredItem is one line of a delivered part.
type DeliveredItem struct {
	ListingID string
	SKU       string
}

// ProofChecker verifies the signature and form of a review's proof of
// purchase; the order domain implements it. The catalog judges the rest
// (who signed it, to whom, which part and lines).
type ProofChecker interface {
	CheckDelivered(raw []byte) (Delivered, error)
}

// ReviewID is the id of the review by storefront of line (listing, sku)
// of part: the same line always has the same id.
func ReviewID(storefront, part, listing, sku string) string {
	h := sha256.Sum256([]byte(part + "\x00" + listing + "\x00" + sku))
	return storefront + "." + localIDEncoding.EncodeToString(h[:20])
}

// ParseReviewID checks a review id and returns its storefront.
func ParseReviewID(id string) (string, error) {
	storefront, rest, ok := strings.Cut(id, ".")
	if !ok || len(rest) != 32 || strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return "", fmt.Errorf("%w: review id %q: want <storefront>.<32 base32 digits>", ErrInvalid, clip(id))
	}
	if err := checkPeerID(storefront); err != nil {
		return "", fmt.Errorf("%w: review id %q: storefront: %v", ErrInvalid, clip(id), err)
	}
	return storefront, nil
}

// ProofDigest is the hex SHA-256 of a proof's bytes.
func ProofDigest(proof []byte) string {
	h := sha256.Sum256(proof)
	return hex.EncodeToString(h[:])
}

// validateReview checks what a shopper wrote; field names are the
// input's.
func validateReview(in ReviewInput) error {
	v := &validator{}
	if in.Part == "" || len(in.Part) > maxReviewPart {
		v.add("part", "must be an order part id of 1 to %d bytes", maxReviewPart)
	}
	if _, _, _, err := ParseID(in.ListingID); err != nil {
		v.add("listing_id", "must be a listing id, not %q", clip(in.ListingID))
	}
	if !isSKU(in.SKU) {
		v.add("sku", "must be a SKU, not %q", clip(in.SKU))
	}
	if in.Rating < 1 || in.Rating > 5 {
		v.add("rating", "must be 1 to 5 stars, not %d", in.Rating)
	}
	v.text("title", in.Title, true, maxReviewTitle, false)
	v.text("text", in.Text, false, maxReviewText, true)
	v.text("variant", in.Variant, false, maxReviewVariant, false)
	v.text("reviewer", in.Reviewer, true, maxReviewer, false)
	if strings.Contains(in.Reviewer, "@") {
		v.add("reviewer", "must be a display name, not an e-mail address")
	}
	if len(in.Photos) > maxReviewPhotos {
		v.add("photos", "has %d URLs, at most %d", len(in.Photos), maxReviewPhotos)
	}
	for i, p := range in.Photos {
		if msg := photoURL(p); msg != "" {
			v.add(fmt.Sprintf("photos[%d]", i), "%s", msg)
		}
	}
	return v.result()
}

// photoURL says what is wrong with a review's photo URL, "" when nothing.
func photoURL(s string) string {
	if len(s) > maxReviewPhotoURL {
		return fmt.Sprintf("must be at most %d bytes", maxReviewPhotoURL)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Opaque != "" || u.User != nil || hasControl(s, false) {
		return "must be an absolute https URL"
	}
	return ""
}

// validateReply checks a merchant's reply text.
func validateReply(text string) error {
	v := &validator{}
	v.text("text", text, true, maxReplyText, true)
	return v.result()
}

// input is what the shopper wrote of r.
func (r *Review) input() ReviewInput {
	return ReviewInput{Part: r.Part, ListingID: r.ListingID, SKU: r.SKU, Variant: r.Variant, Rating: r.Rating,
		Title: r.Title, Text: r.Text, Photos: r.Photos, Reviewer: r.Reviewer}
}

// reviewContent is what a digest of a review covers: what the shopper
// wrote and the proof, without version and times.
func reviewContent(r *Review) digest {
	cp := *r
	cp.Version, cp.UpdatedAt, cp.Created = 0, time.Time{}, time.Time{}
	return contentSum(&cp)
}

// checkReview checks a review or reply record's shape: the subject, the
// origin, and that it carries what its kind carries and nothing else.
func (r *Record) checkReview() error {
	switch {
	case r.ListingID != "" || r.Listing != nil || r.Stock != nil || r.StockVersion != 0:
		return errors.New("a review record carries no listing and no stock")
	case r.Merchant != nil || r.Shipping != nil || r.Offer != nil:
		return errors.New("a review record carries no profile and no offer")
	case r.Seq == 0:
		return errors.New("seq must be at least 1")
	case r.Version == 0:
		return errors.New("version must be at least 1")
	case r.Time.IsZero():
		return errors.New("time is missing")
	}
	storefront, err := ParseReviewID(r.Subject)
	if err != nil {
		return fmt.Errorf("subject: %v", err)
	}
	if r.Kind == KindReviewReply {
		return r.checkReply()
	}
	rv := r.Review
	switch {
	case r.Reply != nil:
		return errors.New("a review record carries no reply")
	case storefront != r.Origin:
		return errors.New("subject names another storefront than the origin")
	case r.Tombstone && rv != nil:
		return errors.New("a tombstone carries no review")
	case r.Tombstone:
		return nil
	case rv == nil:
		return errors.New("review is missing")
	case rv.ID != r.Subject || rv.Storefront != r.Origin:
		return errors.New("review id or storefront differ from the record's")
	case rv.Version != r.Version || !rv.UpdatedAt.Equal(r.Time):
		return errors.New("review version or updated_at differ from the record's")
	case rv.Created.IsZero() || rv.Created.After(rv.UpdatedAt):
		return errors.New("review.created must be set and not after updated_at")
	case rv.Version == 1 && !rv.Created.Equal(rv.UpdatedAt):
		return errors.New("review.created must be updated_at on the first version")
	case ReviewID(r.Origin, rv.Part, rv.ListingID, rv.SKU) != r.Subject:
		return errors.New("review id is not the id of its part and line")
	}
	return nil
}

func (r *Record) checkReply() error {
	p := r.Reply
	platform, _, _, err := ParseID(p.listingOrEmpty())
	switch {
	case r.Review != nil:
		return errors.New("a reply record carries no review")
	case r.Tombstone || p == nil:
		return errors.New("a reply record carries a reply, and is never a tombstone")
	case r.Version != 1:
		return errors.New("a review has one reply: version must be 1")
	case err != nil:
		return fmt.Errorf("reply.listing_id: %v", err)
	case platform != r.Origin:
		return errors.New("a reply is signed by the reviewed listing's home node")
	case p.Review != r.Subject || !p.UpdatedAt.Equal(r.Time):
		return errors.New("reply review or updated_at differ from the record's")
	}
	return nil
}

func (p *ReviewReply) listingOrEmpty() string {
	if p == nil {
		return ""
	}
	return p.ListingID
}

// checkProof checks a review's proof of purchase: its digest, the home's
// signature (proofs), that the signer is the reviewed listing's home and
// a member, that it states the part delivered, to the storefront that
// signed the review, and that the part holds the reviewed line.
func (c *Catalog) checkProof(rv *Review) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: review %s: proof: %s", ErrInvalid, rv.ID, fmt.Sprintf(format, args...))
	}
	if len(rv.Proof) == 0 || len(rv.Proof) > maxProofBytes {
		return fail("must be a signed status of at most %d bytes", maxProofBytes)
	}
	if ProofDigest(rv.Proof) != rv.ProofDigest {
		return fail("proof_digest does not match the status it carries")
	}
	if c.proofs == nil {
		return fail("this node cannot check proofs of purchase")
	}
	d, err := c.proofs.CheckDelivered(rv.Proof)
	if err != nil {
		return fmt.Errorf("%w: review %s: proof: %v", ErrForged, rv.ID, err)
	}
	home := platformOf(rv.ListingID)
	switch {
	case d.Home != home:
		return fmt.Errorf("%w: review %s: proof is signed by %s, not by the listing's home %s", ErrForged, rv.ID, clip(d.Home), home)
	case home != c.self && !c.members.IsMember(home):
		return fail("the listing's home %s is not an active member", home)
	case d.Status != "delivered":
		return fail("states the part %s, not delivered", clip(d.Status))
	case d.Storefront != rv.Storefront:
		return fail("is addressed to %s, not to the storefront that signed the review", clip(d.Storefront))
	case d.Part != rv.Part:
		return fail("is about part %s, not %s", clip(d.Part), clip(rv.Part))
	case !slices.Contains(d.Items, DeliveredItem{ListingID: rv.ListingID, SKU: rv.SKU}):
		return fail("part %s holds no line of %s, SKU %s", clip(rv.Part), rv.ListingID, clip(rv.SKU))
	}
	return nil
}

// checkReviewLimits holds a review or reply record to the limits every
// node applies, and checks a review's proof.
func (c *Catalog) checkReviewLimits(rec *Record) error {
	var err error
	switch {
	case rec.Review != nil:
		if err = validateReview(rec.Review.input()); err == nil {
			err = c.checkProof(rec.Review)
		}
		if err == nil && rec.Review.Version > 1 && rec.Review.UpdatedAt.Sub(rec.Review.Created) > c.reviewWindow() {
			err = fmt.Errorf("%w: review %s: version %d was signed after the edit window of %s", ErrInvalid, rec.Subject, rec.Review.Version, c.reviewWindow())
		}
	case rec.Reply != nil:
		err = validateReply(rec.Reply.Text)
	}
	if err != nil {
		return fmt.Errorf("record %s/%d: %s %s: %w", rec.Origin, rec.Seq, rec.Kind, rec.Subject, err)
	}
	return nil
}
