package order

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/fedmart/fedmart/catalog/shipping"
)

// Part statuses, as the home node states them and the shopper sees them.
const (
	StatusReserved  = "reserved"
	StatusAccepted  = "accepted"
	StatusRejected  = "rejected"
	StatusShipped   = "shipped"
	StatusDelivered = "delivered"
	StatusCancelled = "cancelled"
	StatusRefunded  = "refunded"
)

// Home-only states of a part that no storefront holds an order for: its
// hold expired before a confirm came, or the storefront released it.
// Neither is ever sent; a late confirm of an expired part tries to take
// the stock again.
const (
	statusExpired  = "expired"
	statusReleased = "released"
)

// Reasons a home node gives for a rejection.
const (
	ReasonOutOfStock   = "out_of_stock"
	ReasonPriceChanged = "price_changed"
	ReasonUnavailable  = "unavailable"
	// ReasonNotShippable: a line's merchant does not ship to the
	// address's country.
	ReasonNotShippable = "not_shippable"
)

func knownStatus(s string) bool {
	switch s {
	case StatusReserved, StatusAccepted, StatusRejected, StatusShipped, StatusDelivered, StatusCancelled, StatusRefunded:
		return true
	}
	return false
}

// final reports whether nothing more can happen to a part in status s
// (short of a refund of a delivered part).
func final(s string) bool {
	switch s {
	case StatusRejected, StatusCancelled, StatusRefunded, statusExpired, statusReleased:
		return true
	}
	return false
}

// Money is an amount in minor units of a currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

func (m Money) String() string {
	return fmt.Sprintf("%d.%02d %s", m.Amount/100, m.Amount%100, m.Currency)
}

// Address is where a part is shipped.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
	// Region is the ISO 3166-2 subdivision ("ES-CN") where shipping
	// treats it apart; optional.
	Region string `json:"region,omitempty"`
}

// destination is where a shipping rate is looked up for a.
func (a Address) destination() shipping.Destination {
	return shipping.Destination{Country: a.Country, Region: a.Region}
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate reports every missing or malformed field, named
// "shipping_address.<field>".
func (a Address) Validate() error {
	var errs FieldErrors
	for _, f := range []struct{ name, v string }{{"name", a.Name}, {"line1", a.Line1}, {"city", a.City}, {"postal_code", a.PostalCode}} {
		switch {
		case strings.TrimSpace(f.v) == "":
			errs.add("shipping_address."+f.name, "is required")
		case len(f.v) > 200:
			errs.add("shipping_address."+f.name, "is longer than 200 characters")
		}
	}
	if !shipping.IsCountry(a.Country) {
		errs.add("shipping_address.country", "must be an ISO 3166-1 alpha-2 country code such as \"DE\"")
	}
	if a.Region != "" && (!shipping.IsRegion(a.Region) || !strings.HasPrefix(a.Region, a.Country+"-")) {
		errs.add("shipping_address.region", "must be an ISO 3166-2 code of the country, such as \"ES-CN\" in ES")
	}
	return errs.err()
}

// Part is one merchant's share of an order as the storefront shows it:
// the home node's latest status folded onto what the storefront asked.
type Part struct {
	ID       string `json:"part_id"`
	Platform string `json:"platform"`
	Merchant string `json:"merchant"`
	Status   string `json:"status"`
	Items    []Line `json:"items"`
	// Total is what the shopper pays for the part: its items and its
	// shipping.
	Total Money `json:"total"`
	// Shipping is the part of Total paid for shipping, at ShippingRate.
	Shipping     Money  `json:"shipping,omitzero"`
	ShippingRate string `json:"shipping_rate,omitempty"`
	// Estimate is when the part was expected to arrive, when ordered.
	Estimate *Estimate `json:"estimate,omitempty"`
	// Handling is the merchant's handling time in business days when the
	// part was sold (the longest of its lines'), nil for parts placed
	// before parts kept it: the measured record holds the merchant to it.
	Handling *int   `json:"handling_days,omitempty"`
	Carrier  string `json:"carrier,omitempty"`
	Tracking string `json:"tracking,omitempty"`
	// TrackingURL is where the parcel is followed.
	TrackingURL string `json:"tracking_url,omitempty"`
	Refunded    Money  `json:"refunded,omitzero"`
	// RefundedShipping is the part of Refunded that was shipping.
	RefundedShipping Money `json:"refunded_shipping,omitzero"`
	// Refunds are the part's refunds and partial cancellations, folded
	// from every status that stated one, whatever order they came in.
	Refunds []Refund `json:"refunds,omitempty"`
	// DeliveredAt is when the home stated the part delivered.
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	// Returns are the shopper's returns of the part, as the home last
	// stated each (or as asked, until it answers).
	Returns []Return `json:"returns,omitempty"`
	// Issues are the complaints about the part, as the home last stated
	// each (or as the storefront sent them, until it answers).
	Issues    []Issue   `json:"issues,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Policy    uint64    `json:"policy_version,omitempty"`
	Seq       uint64    `json:"seq,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// apply folds status message m into p. It reports whether m was newer
// than what p holds; an older or repeated status changes nothing but the
// list of refunds, which takes the refund it states if it is new.
func (p *Part) apply(m *Message) bool {
	st := m.Status
	if st == nil {
		return false
	}
	addRefund(&p.Refunds, st.Refund)
	foldReturn(&p.Returns, st.Return)
	foldIssue(&p.Issues, st.Issue)
	if st.Seq <= p.Seq {
		return false
	}
	if !st.DeliveredAt.IsZero() {
		p.DeliveredAt = st.DeliveredAt
	}
	p.Seq, p.Status, p.Reason = st.Seq, st.Status, st.Reason
	p.Carrier, p.Tracking, p.TrackingURL, p.Refunded, p.RefundedShipping = st.Carrier, st.Tracking, st.TrackingURL, st.Refunded, st.RefundedShipping
	if st.Policy != 0 {
		p.Policy = st.Policy
	}
	p.UpdatedAt = m.At
	return true
}

// consistent checks a home's status against what the storefront asked
// for: the home states the part's state, never its merchant, its total or
// the policy it was priced under, which the storefront holds itself.
func (p *Part) consistent(st *Status) error {
	switch {
	case st.Merchant != p.Merchant:
		return fmt.Errorf("status of part %s names merchant %q, the part is %q's", p.ID, st.Merchant, p.Merchant)
	case st.Status != StatusRejected && st.Total != p.Total:
		return fmt.Errorf("status of part %s states a total of %s, the part's is %s", p.ID, st.Total, p.Total)
	case st.Status != StatusRejected && st.Discount.Amount != discountOf(p.Items).Amount:
		return fmt.Errorf("status of part %s states a discount of %s, the part's is %s", p.ID, st.Discount, discountOf(p.Items))
	case st.Status != StatusRejected && st.Shipping.Amount != p.Shipping.Amount:
		return fmt.Errorf("status of part %s states shipping of %s, the part's is %s", p.ID, st.Shipping, p.Shipping)
	case st.Refunded.Amount < 0 || st.Refunded.Amount > p.Total.Amount:
		return fmt.Errorf("status of part %s refunds %s of %s", p.ID, st.Refunded, p.Total)
	case st.RefundedShipping.Amount < 0 || st.RefundedShipping.Amount > min(st.Refunded.Amount, p.Shipping.Amount):
		return fmt.Errorf("status of part %s refunds %s of shipping, of %s refunded and %s paid", p.ID, st.RefundedShipping, st.Refunded, p.Shipping)
	case st.Refund != nil && checkRefundOf(st, p.Items, p.Shipping) != nil:
		return fmt.Errorf("status of part %s: %v", p.ID, checkRefundOf(st, p.Items, p.Shipping))
	case st.Return != nil && checkReturnOf(st.Return, p.Items) != nil:
		return fmt.Errorf("status of part %s: %v", p.ID, checkReturnOf(st.Return, p.Items))
	case st.TrackingURL != "" && shipping.CheckTrackingURL(st.TrackingURL) != nil:
		return fmt.Errorf("status of part %s gives a tracking URL that is not https", p.ID)
	case p.Policy != 0 && st.Policy != 0 && st.Policy != p.Policy:
		return fmt.Errorf("status of part %s is priced under policy %d, the part under %d", p.ID, st.Policy, p.Policy)
	}
	return nil
}

// Fold computes a part's state from its home node's status messages, in
// any order and with repeats: the state of the highest seq.
func Fold(p Part, msgs []*Message) Part {
	for _, m := range msgs {
		if m.Kind == KindStatus && m.Part == p.ID {
			p.apply(m)
		}
	}
	return p
}

// orderStatus derives an order's status from its parts': the least
// advanced live part decides, prefixed "partially_" when other parts ended
// without delivery; an order whose parts all ended takes the most common
// ending.
func orderStatus(parts []Part) string {
	ended := false
	for _, p := range parts {
		ended = ended || final(p.Status)
	}
	for _, s := range []string{StatusReserved, StatusAccepted, StatusShipped, StatusDelivered} {
		for _, p := range parts {
			if p.Status != s {
				continue
			}
			if ended && s != StatusReserved {
				return "partially_" + s
			}
			return s
		}
	}
	return endStatus(parts)
}

func endStatus(parts []Part) string {
	counts := map[string]int{}
	for _, p := range parts {
		counts[p.Status]++
	}
	out, n := StatusCancelled, -1
	for _, s := range []string{StatusRefunded, StatusCancelled, StatusRejected} {
		if counts[s] > n {
			out, n = s, counts[s]
		}
	}
	return out
}
