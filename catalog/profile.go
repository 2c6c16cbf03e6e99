package catalog

import (
	"crypto/sha256"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog/shipping"
)

// A merchant's profile and its shipping profiles are published records
// like listings: signed by the merchant's home node, replicated by gossip
// and catch-up, one current version per id (records of kind
// KindMerchant and KindShipping, whose Subject is the id). Every
// storefront quotes shipping and shows policies from its copy; the home
// node quotes again from its own at reserve.

// Return shipping: who pays to send a return back.
const (
	ReturnPaidByShopper  = "shopper"
	ReturnPaidByMerchant = "merchant"
)

// Policies are a merchant's terms of sale as every storefront shows them.
type Policies struct {
	// ReturnDays is the return window after delivery; 0 means no returns.
	ReturnDays int `json:"return_days"`
	// ReturnShipping says who pays a return's shipping: "shopper" or
	// "merchant".
	ReturnShipping string `json:"return_shipping"`
	// RestockingFeeBPS is kept from a return's refund, in basis points.
	RestockingFeeBPS int `json:"restocking_fee_bps"`
	// HandlingDays is the business days from order to dispatch.
	HandlingDays int `json:"handling_days"`
	// Legal is free text for legal notices (imprint, registration).
	Legal string `json:"legal,omitempty"`
}

// MerchantProfile is a merchant as every member sees it.
type MerchantProfile struct {
	// ID is the global merchant id, <platform>.<merchant>.
	ID string `json:"id"`
	// Platform is the peer ID of the merchant's home node.
	Platform string `json:"platform"`
	// Merchant is the merchant's id on its home node.
	Merchant string `json:"merchant"`
	// Name is the display name.
	Name string `json:"name"`
	// Description is a short text about the merchant.
	Description string `json:"description,omitempty"`
	// LogoURL is an absolute https URL or an uploaded image's reference.
	LogoURL string `json:"logo_url,omitempty"`
	// Country is where the merchant ships from (ISO 3166-1 alpha-2).
	Country string `json:"country,omitempty"`
	// Email is the customer-service address.
	Email string `json:"email,omitempty"`
	// Policies are the terms of sale.
	Policies Policies `json:"policies"`
	// DefaultShipping is the id of the shipping profile listings use when
	// they name none.
	DefaultShipping string `json:"default_shipping,omitempty"`
	// Version counts the profile's changes, from 1.
	Version uint64 `json:"version"`
	// UpdatedAt is when the home node signed it.
	UpdatedAt time.Time `json:"updated_at"`
}

// MerchantProfileInput is what a merchant sends to set its profile.
type MerchantProfileInput struct {
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	LogoURL         string   `json:"logo_url"`
	Country         string   `json:"country"`
	Email           string   `json:"email"`
	Policies        Policies `json:"policies"`
	DefaultShipping string   `json:"default_shipping"`
}

// ShippingProfile is a merchant's shipping profile as every member sees
// it: the rules (package shipping) with the record's version and time.
type ShippingProfile struct {
	shipping.Profile
	// Platform is the peer ID of the merchant's home node.
	Platform string `json:"platform"`
	// Version counts the profile's changes, from 1.
	Version uint64 `json:"version"`
	// UpdatedAt is when the home node signed it.
	UpdatedAt time.Time `json:"updated_at"`
}

// ShippingProfileInput is what a merchant sends to create or replace a
// shipping profile.
type ShippingProfileInput struct {
	Name  string          `json:"name"`
	Zones []shipping.Zone `json:"zones"`
}

// Limits of a merchant profile, in characters.
const (
	maxProfileDescription = 2000
	maxLegal              = 5000
	maxEmail              = 254
	maxHandlingDays       = 60
	maxReturnDays         = 365
)

// FormatMerchantID joins a home node's peer ID and a merchant id into a
// global merchant id, <platform>.<merchant>.
func FormatMerchantID(platform, merchant string) string { return platform + "." + merchant }

// ParseMerchantID splits a global merchant id. Errors wrap ErrInvalid.
func ParseMerchantID(id string) (platform, merchant string, err error) {
	platform, merchant, ok := strings.Cut(id, ".")
	if !ok || checkPeerID(platform) != nil || !isLocalID(merchant) {
		return "", "", fmt.Errorf("%w: merchant id %q: want <platform>.<merchant>", ErrInvalid, clip(id))
	}
	return platform, merchant, nil
}

// validateMerchantProfile checks in against cfg.
func validateMerchantProfile(cfg Config, in MerchantProfileInput, self, merchant string) error {
	v := &validator{cfg: cfg}
	v.text("name", in.Name, true, maxMerchantName, false)
	v.text("description", in.Description, false, maxProfileDescription, true)
	if in.LogoURL != "" {
		v.images([]string{in.LogoURL})
		for i := range v.errs {
			if v.errs[i].Field == "images[0]" {
				v.errs[i].Field = "logo_url"
			}
		}
	}
	if in.Country != "" && !shipping.IsCountry(in.Country) {
		v.add("country", "must be an ISO 3166-1 alpha-2 country code in capitals, not %q", clip(in.Country))
	}
	if in.Email != "" {
		a, err := mail.ParseAddress(in.Email)
		if err != nil || a.Address != in.Email || len(in.Email) > maxEmail {
			v.add("email", "must be a plain e-mail address such as help@example.com, not %q", clip(in.Email))
		}
	}
	p := in.Policies
	if p.ReturnDays < 0 || p.ReturnDays > maxReturnDays {
		v.add("policies.return_days", "must be between 0 (no returns) and %d, not %d", maxReturnDays, p.ReturnDays)
	}
	if p.ReturnShipping != ReturnPaidByShopper && p.ReturnShipping != ReturnPaidByMerchant {
		v.add("policies.return_shipping", "must be %q or %q, not %q", ReturnPaidByShopper, ReturnPaidByMerchant, clip(p.ReturnShipping))
	}
	if p.RestockingFeeBPS < 0 || p.RestockingFeeBPS > 10000 {
		v.add("policies.restocking_fee_bps", "must be between 0 and 10000 basis points, not %d", p.RestockingFeeBPS)
	}
	if p.HandlingDays < 0 || p.HandlingDays > maxHandlingDays {
		v.add("policies.handling_days", "must be between 0 and %d business days, not %d", maxHandlingDays, p.HandlingDays)
	}
	v.text("policies.legal", p.Legal, false, maxLegal, true)
	if in.DefaultShipping != "" {
		if pl, m, _, err := ParseID(in.DefaultShipping); err != nil || pl != self || m != merchant {
			v.add("default_shipping", "must be the id of one of this merchant's shipping profiles, not %q", clip(in.DefaultShipping))
		}
	}
	return v.result()
}

// validateShippingProfile checks in against lim; known, when not nil,
// says which carrier ids exist.
func validateShippingProfile(in ShippingProfileInput, lim shipping.Limits, known func(string) bool) error {
	v := &validator{}
	shipping.Check(shipping.Profile{Name: in.Name, Zones: in.Zones}, lim, known, func(f, m string) { v.add(f, "%s", m) })
	return v.result()
}

// profileOf builds the profile a merchant's input describes.
func profileOf(in MerchantProfileInput) *MerchantProfile {
	return &MerchantProfile{Name: strings.TrimSpace(in.Name), Description: in.Description, LogoURL: in.LogoURL,
		Country: in.Country, Email: in.Email, Policies: in.Policies, DefaultShipping: in.DefaultShipping}
}

// input is the inverse of profileOf.
func (p *MerchantProfile) input() MerchantProfileInput {
	return MerchantProfileInput{Name: p.Name, Description: p.Description, LogoURL: p.LogoURL, Country: p.Country,
		Email: p.Email, Policies: p.Policies, DefaultShipping: p.DefaultShipping}
}

// shippingOf builds the profile a merchant's input describes, with deep
// copies.
func shippingOf(in ShippingProfileInput) *ShippingProfile {
	zs := make([]shipping.Zone, len(in.Zones))
	for i, z := range in.Zones {
		z.Countries, z.Regions = slices.Clone(z.Countries), slices.Clone(z.Regions)
		z.Rates = slices.Clone(z.Rates)
		for j := range z.Rates {
			z.Rates[j].Bands = slices.Clone(z.Rates[j].Bands)
			z.Rates[j].Carriers = slices.Clone(z.Rates[j].Carriers)
		}
		zs[i] = z
	}
	return &ShippingProfile{Profile: shipping.Profile{Name: strings.TrimSpace(in.Name), Zones: zs}}
}

// profileContent is what a digest of a profile covers: everything the
// merchant controls, without identity, version or time.
func profileContent(m *MerchantProfile, s *ShippingProfile) digest {
	switch {
	case m != nil:
		cp := *m
		cp.ID, cp.Platform, cp.Merchant, cp.Version, cp.UpdatedAt = "", "", "", 0, time.Time{}
		return contentSum(&cp)
	case s != nil:
		cp := *s
		cp.ID, cp.Merchant, cp.Platform, cp.Version, cp.UpdatedAt = "", "", "", 0, time.Time{}
		return contentSum(&cp)
	}
	return digest{}
}

func contentSum(v any) digest { return sha256.Sum256(mustJSON(v)) }
