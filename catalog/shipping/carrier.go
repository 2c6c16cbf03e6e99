package shipping

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Carrier is a parcel carrier with the page where a parcel is followed.
type Carrier struct {
	// ID is short, lower-case, stable: "dhl", "ups".
	ID string `json:"id"`
	// Name is what shoppers read.
	Name string `json:"name"`
	// TrackingURL is an https URL with "{tracking}" where the tracking
	// number goes.
	TrackingURL string `json:"tracking_url"`
}

// Carriers is the node's built-in table of common carriers. A charter may
// add more (and may not redefine these).
func Carriers() []Carrier {
	return []Carrier{
		{"colissimo", "Colissimo (La Poste)", "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}"},
		{"dhl", "DHL", "https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?submit=1&tracking-id={tracking}"},
		{"dhl-paket", "DHL Paket (Germany)", "https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={tracking}"},
		{"dpd", "DPD", "https://tracking.dpd.de/status/en_US/parcel/{tracking}"},
		{"evri", "Evri", "https://www.evri.com/track/parcel/{tracking}"},
		{"fedex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={tracking}"},
		{"gls", "GLS", "https://gls-group.com/track/{tracking}"},
		{"postnl", "PostNL", "https://jouw.postnl.nl/track-and-trace/{tracking}"},
		{"royal-mail", "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{tracking}"},
		{"sf-express", "SF Express", "https://www.sf-express.com/chn/en/waybill/waybill-detail/{tracking}"},
		{"ups", "UPS", "https://www.ups.com/track?tracknum={tracking}"},
		{"usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking}"},
	}
}

// Table is a set of carriers by id.
type Table []Carrier

// NewTable is the built-in carriers and the charter's extra ones, which
// must be valid and may not reuse a built-in id.
func NewTable(extra []Carrier) (Table, error) {
	t := Table(Carriers())
	for i, c := range extra {
		if err := c.Check(); err != nil {
			return nil, fmt.Errorf("carriers[%d]: %w", i, err)
		}
		if _, ok := t.Find(c.ID); ok {
			return nil, fmt.Errorf("carriers[%d].id: %q is already a carrier", i, c.ID)
		}
		t = append(t, c)
	}
	slices.SortFunc(t, func(a, b Carrier) int { return strings.Compare(a.ID, b.ID) })
	return t, nil
}

// Find returns the carrier with id.
func (t Table) Find(id string) (Carrier, bool) {
	i := slices.IndexFunc(t, func(c Carrier) bool { return c.ID == id })
	if i < 0 {
		return Carrier{}, false
	}
	return t[i], true
}

// Known reports whether id is in the table.
func (t Table) Known(id string) bool { _, ok := t.Find(id); return ok }

// Check reports what is wrong with c, naming the field.
func (c Carrier) Check() error {
	switch {
	case !isCarrierID(c.ID):
		return fmt.Errorf("id: must be lower-case letters, digits and '-', 1 to 32, not %q", clip(c.ID))
	case strings.TrimSpace(c.Name) == "" || len(c.Name) > 80:
		return fmt.Errorf("name: must be 1 to 80 characters")
	}
	return CheckTrackingTemplate(c.TrackingURL)
}

// CheckTrackingTemplate reports what is wrong with a carrier's tracking
// URL template: it must be an https URL holding "{tracking}" once.
func CheckTrackingTemplate(tmpl string) error {
	if strings.Count(tmpl, "{tracking}") != 1 {
		return fmt.Errorf("tracking_url: must hold {tracking} once, where the tracking number goes")
	}
	return CheckTrackingURL(strings.Replace(tmpl, "{tracking}", "X", 1))
}

// CheckTrackingURL reports what is wrong with a parcel's tracking URL:
// it must be an absolute https URL without credentials.
func CheckTrackingURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || len(s) > 2048:
		return fmt.Errorf("tracking_url: must be a URL of at most 2048 characters")
	case u.Scheme != "https" || u.Host == "":
		return fmt.Errorf("tracking_url: must be an https URL, not %q", clip(s))
	case u.User != nil:
		return fmt.Errorf("tracking_url: must not hold credentials")
	}
	return nil
}

// IsTrackingNumber reports whether s can be a tracking number: 1 to 64
// letters, digits, '-' and ' '.
func IsTrackingNumber(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == ' ') {
			return false
		}
	}
	return true
}

// TrackingLink returns the page where tracking is followed with carrier
// c: the number escaped for where it stands (a path segment, or a query
// or fragment value).
func (c Carrier) TrackingLink(tracking string) string {
	before, after, _ := strings.Cut(c.TrackingURL, "{tracking}")
	esc := url.PathEscape(tracking)
	if strings.ContainsAny(before, "?#") {
		esc = url.QueryEscape(tracking)
	}
	return before + esc + after
}
