package federation

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog/shipping"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Member statuses. A suspended member stays listed (so that its history and
// its vote in later amendments are visible) but may not connect, publish or
// open a stream until a later version reinstates it.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// Sale-payable moments a charter's policy may name.
const (
	PayableOnDelivered = "delivered"
	PayableOnAccepted  = "accepted"
)

// Limits on charter contents.
const (
	MinPeriod  = time.Minute
	MaxPeriod  = 31 * 24 * time.Hour
	MaxMembers = 256
	// MaxCarriers caps the carriers a charter adds.
	MaxCarriers = 64
	MaxBPS      = 10000
)

// Charter is the body of one version of the federation's founding document:
// who belongs and on what terms. It is what members sign; see SignedCharter.
type Charter struct {
	FederationID string   `json:"federation_id"`
	Name         string   `json:"name"`
	Version      uint64   `json:"version"`
	Previous     string   `json:"previous,omitempty"` // hex digest of the previous version's body; empty for version 1
	Currency     string   `json:"currency"`
	Period       Duration `json:"period"`
	Policy       Policy   `json:"policy"`
	Members      []Member `json:"members"`
	// Carriers are parcel carriers the alliance adds to the node's
	// built-in table (shipping.Carriers), for merchants to name.
	Carriers []shipping.Carrier `json:"carriers,omitempty"`
	// Service sets the after-sale terms every member's merchants answer
	// complaints under, and who arbitrates them. Zero (a charter written
	// before it existed) is the defaults and no arbiter, and leaves the
	// signed bytes of such a charter as they were.
	Service ServiceTerms `json:"service,omitzero"`
	// Loyalty is the alliance's points programme (loyalty.go); zero: off.
	Loyalty Loyalty `json:"loyalty,omitzero"`
	// Ads is the alliance's sponsored-listings policy (ads.go); zero: off.
	Ads Ads `json:"ads,omitzero"`
	// Reviews sets the rules of shoppers' reviews (reviews.go); zero:
	// the defaults.
	Reviews ReviewTerms `json:"reviews,omitzero"`
	// Content says who may publish federation pages and help articles
	// (content.go); zero: every active member.
	Content ContentTerms `json:"content,omitzero"`
	// Protocol is the protocol level the members speak to each other
	// (see ProtocolLevel); 0 is level 1, and leaves the signed bytes of
	// a charter written before it as they were.
	Protocol int `json:"protocol,omitempty"`
}

// Default service deadlines, used when a charter leaves them zero.
const (
	DefaultFirstResponse = 48 * time.Hour
	DefaultResolution    = 14 * 24 * time.Hour
	// MaxServiceDeadline bounds both deadlines.
	MaxServiceDeadline = 366 * 24 * time.Hour
)

// ServiceTerms are the deadlines of a complaint (an issue on an order
// part) and the member that arbitrates one escalated.
type ServiceTerms struct {
	// FirstResponse is how long a merchant has to answer an issue first;
	// zero means DefaultFirstResponse.
	FirstResponse Duration `json:"first_response,omitempty"`
	// Resolution is how long an issue may stay unresolved; zero means
	// DefaultResolution.
	Resolution Duration `json:"resolution,omitempty"`
	// Arbiter is the peer ID of the active member that decides escalated
	// issues; empty: issues cannot be escalated.
	Arbiter string `json:"arbiter,omitempty"`
}

// Deadlines returns the first-response and resolution deadlines, the
// defaults filled in.
func (t ServiceTerms) Deadlines() (firstResponse, resolution time.Duration) {
	firstResponse, resolution = time.Duration(t.FirstResponse), time.Duration(t.Resolution)
	if firstResponse == 0 {
		firstResponse = DefaultFirstResponse
	}
	if resolution == 0 {
		resolution = DefaultResolution
	}
	return firstResponse, resolution
}

func (t ServiceTerms) validate(c *Charter, draft bool) error {
	for _, d := range []struct {
		field string
		v     Duration
	}{{"charter.service.first_response", t.FirstResponse}, {"charter.service.resolution", t.Resolution}} {
		if d.v < 0 || time.Duration(d.v) > MaxServiceDeadline {
			return invalid(d.field, fmt.Sprintf("must be positive and at most %s (0: the default)", MaxServiceDeadline))
		}
	}
	if first, res := t.Deadlines(); first > res {
		return invalid("charter.service.first_response", fmt.Sprintf("%s is later than the resolution deadline %s", first, res))
	}
	if t.Arbiter == "" {
		return nil
	}
	id, err := peer.Decode(t.Arbiter)
	if err != nil {
		return invalid("charter.service.arbiter", "not a peer ID")
	}
	if m, ok := c.Member(id); !draft && (!ok || m.Status != StatusActive) {
		return invalid("charter.service.arbiter", "must be an active member")
	}
	return nil
}

// Member is one platform of the federation.
type Member struct {
	PeerID string   `json:"peer_id"`
	Name   string   `json:"name"`
	API    string   `json:"api"` // the member's public API and storefront base URL
	Addrs  []string `json:"addrs"`
	Status string   `json:"status"`
}

// Policy is the federation's revenue-share policy, in basis points.
type Policy struct {
	StorefrontCommissionBPS int64      `json:"storefront_commission_bps"`
	FederationFeeBPS        int64      `json:"federation_fee_bps"`
	Treasury                string     `json:"treasury,omitempty"` // peer ID that receives the federation fee
	Overrides               []Override `json:"overrides,omitempty"`
	PayableOn               string     `json:"payable_on"`
	// ShippingShared applies the commission and the fee to shipping too;
	// by default what shoppers pay for shipping goes whole to the
	// merchant's home platform.
	ShippingShared bool `json:"shipping_shared,omitempty"`
	// CommissionBeforeDiscounts computes the commission and the fee on a
	// sale's items before the merchant's offers took their discount off
	// (the merchant bears the whole discount); by default they are
	// computed on what the shopper paid, after the discount.
	CommissionBeforeDiscounts bool `json:"commission_before_discounts,omitempty"`
}

// Override replaces the policy's rates for listings whose category path
// starts with CategoryPrefix; the longest matching prefix wins.
type Override struct {
	CategoryPrefix          string `json:"category_prefix"`
	StorefrontCommissionBPS int64  `json:"storefront_commission_bps"`
	FederationFeeBPS        int64  `json:"federation_fee_bps"`
}

// Duration is a time.Duration written as a Go duration string ("24h").
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"24h\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q", s)
	}
	*d = Duration(v)
	return nil
}

// Canonical returns the exact bytes members sign: the body encoded as JSON
// with Go's deterministic struct field order.
func (c *Charter) Canonical() []byte {
	b, err := json.Marshal(c)
	if err != nil { // cannot happen: the type has no unencodable fields
		panic(fmt.Sprintf("federation: encoding charter: %v", err))
	}
	return b
}

// Digest is the hex SHA-256 of the canonical body; the next version names it
// in Previous, chaining the versions so that no fork can be applied.
func (c *Charter) Digest() string {
	sum := sha256.Sum256(c.Canonical())
	return hex.EncodeToString(sum[:])
}

// Member returns the member with the given peer ID.
func (c *Charter) Member(id peer.ID) (Member, bool) {
	s := id.String()
	for _, m := range c.Members {
		if m.PeerID == s {
			return m, true
		}
	}
	return Member{}, false
}

// IsActive reports whether id is an active member of this version.
func (c *Charter) IsActive(id peer.ID) bool {
	m, ok := c.Member(id)
	return ok && m.Status == StatusActive
}

// ActiveMembers lists the active members in charter order.
func (c *Charter) ActiveMembers() []Member {
	var out []Member
	for _, m := range c.Members {
		if m.Status == StatusActive {
			out = append(out, m)
		}
	}
	return out
}

var federationIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// Validate checks the body on its own (not its signatures); the error names
// the first offending field, as in "charter.members[2].addrs[0]: invalid multiaddr".
func (c *Charter) Validate() error { return c.validate(false) }

// ValidateDraft checks a charter that is still being written: like Validate,
// but it may have no members yet, and a treasury need not be listed yet.
func (c *Charter) ValidateDraft() error { return c.validate(true) }

func (c *Charter) validate(draft bool) error {
	switch {
	case !federationIDPattern.MatchString(c.FederationID):
		return invalid("charter.federation_id", "must be 1-63 lowercase letters, digits or dashes")
	case strings.TrimSpace(c.Name) == "" || len(c.Name) > 100:
		return invalid("charter.name", "must be 1-100 characters")
	case c.Version == 0:
		return invalid("charter.version", "must be 1 or more")
	case c.Version == 1 && c.Previous != "":
		return invalid("charter.previous", "must be empty in version 1")
	case c.Version > 1 && len(c.Previous) != 64:
		return invalid("charter.previous", "must be the hex digest of the previous version")
	case !currencyPattern.MatchString(c.Currency):
		return invalid("charter.currency", "must be a 3-letter ISO 4217 code such as EUR")
	case time.Duration(c.Period) < MinPeriod || time.Duration(c.Period) > MaxPeriod:
		return invalid("charter.period", fmt.Sprintf("must be between %s and %s", MinPeriod, MaxPeriod))
	case c.Protocol < 0 || c.Protocol == 1:
		return invalid("charter.protocol", "must be 2 or more; level 1 is written as no protocol at all, which builds from before protocol levels read too")
	case c.Protocol > ProtocolLevel:
		return invalid("charter.protocol", fmt.Sprintf("this build speaks protocol levels 1 to %d; upgrade fedmart on this member first", ProtocolLevel))
	}
	if err := c.validateMembers(draft); err != nil {
		return err
	}
	if len(c.Carriers) > MaxCarriers {
		return invalid("charter.carriers", fmt.Sprintf("at most %d carriers", MaxCarriers))
	}
	if _, err := shipping.NewTable(c.Carriers); err != nil {
		return invalid("charter."+strings.SplitN(err.Error(), ":", 2)[0], strings.TrimSpace(strings.SplitN(err.Error(), ":", 2)[1]))
	}
	if err := c.Policy.validate(c, draft); err != nil {
		return err
	}
	if err := c.Service.validate(c, draft); err != nil {
		return err
	}
	if err := c.Content.validate(c, draft); err != nil {
		return err
	}
	if err := c.Reviews.validate(); err != nil {
		return err
	}
	if err := c.Loyalty.validate(); err != nil {
		return err
	}
	return c.Ads.validate()
}

func (c *Charter) validateMembers(draft bool) error {
	if len(c.Members) == 0 && draft {
		return nil
	}
	if len(c.Members) == 0 {
		return invalid("charter.members", "must list at least one member")
	}
	if len(c.Members) > MaxMembers {
		return invalid("charter.members", fmt.Sprintf("at most %d members", MaxMembers))
	}
	seen := make(map[string]bool, len(c.Members))
	active := 0
	for i, m := range c.Members {
		field := fmt.Sprintf("charter.members[%d]", i)
		if err := m.validate(field); err != nil {
			return err
		}
		if seen[m.PeerID] {
			return invalid(field+".peer_id", "listed twice")
		}
		seen[m.PeerID] = true
		if m.Status == StatusActive {
			active++
		}
	}
	if active == 0 && !draft {
		return invalid("charter.members", "at least one member must be active")
	}
	return nil
}

func (m Member) validate(field string) error {
	id, err := peer.Decode(m.PeerID)
	if err != nil {
		return invalid(field+".peer_id", "not a peer ID")
	}
	if _, err := id.ExtractPublicKey(); err != nil {
		return invalid(field+".peer_id", "does not embed its public key (use an Ed25519 identity)")
	}
	if strings.TrimSpace(m.Name) == "" || len(m.Name) > 100 {
		return invalid(field+".name", "must be 1-100 characters")
	}
	if u, err := url.Parse(m.API); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid(field+".api", "must be an absolute http(s) URL")
	}
	if len(m.Addrs) == 0 {
		return invalid(field+".addrs", "must list at least one multiaddr")
	}
	for j, a := range m.Addrs {
		if _, err := ma.NewMultiaddr(a); err != nil {
			return invalid(fmt.Sprintf("%s.addrs[%d]", field, j), "invalid multiaddr")
		}
	}
	if m.Status != StatusActive && m.Status != StatusSuspended {
		return invalid(field+".status", `must be "active" or "suspended"`)
	}
	return nil
}

func (p Policy) validate(c *Charter, draft bool) error {
	if err := validateRates("charter.policy", p.StorefrontCommissionBPS, p.FederationFeeBPS); err != nil {
		return err
	}
	if p.Treasury != "" {
		id, err := peer.Decode(p.Treasury)
		if err != nil {
			return invalid("charter.policy.treasury", "not a peer ID")
		}
		if _, ok := c.Member(id); !ok && !draft {
			return invalid("charter.policy.treasury", "must be a member")
		}
	}
	if p.PayableOn != PayableOnDelivered && p.PayableOn != PayableOnAccepted {
		return invalid("charter.policy.payable_on", `must be "delivered" or "accepted"`)
	}
	seen := map[string]bool{}
	for i, o := range p.Overrides {
		field := fmt.Sprintf("charter.policy.overrides[%d]", i)
		if strings.TrimSpace(o.CategoryPrefix) == "" || seen[o.CategoryPrefix] {
			return invalid(field+".category_prefix", "must be a non-empty category path, listed once")
		}
		seen[o.CategoryPrefix] = true
		if err := validateRates(field, o.StorefrontCommissionBPS, o.FederationFeeBPS); err != nil {
			return err
		}
	}
	return nil
}

func validateRates(field string, commission, fee int64) error {
	switch {
	case commission < 0 || commission > MaxBPS:
		return invalid(field+".storefront_commission_bps", "must be between 0 and 10000")
	case fee < 0 || fee > MaxBPS:
		return invalid(field+".federation_fee_bps", "must be between 0 and 10000")
	case commission+fee > MaxBPS:
		return invalid(field, "commission plus fee must not exceed 10000 basis points")
	}
	return nil
}

func invalid(field, msg string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, field, msg)
}
