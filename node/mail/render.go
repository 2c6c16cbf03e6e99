package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
)

// Letters Render writes.
const (
	// KindOrderConfirmation tells the shopper the order is placed: every
	// part, its items and shipping, and the totals (data: Order).
	KindOrderConfirmation = "order_confirmation"
	// KindPartShipped tells the shopper a part left, with the carrier's
	// tracking link (data: PartLetter).
	KindPartShipped = "part_shipped"
	// KindPartDelivered tells the shopper a part arrived (data:
	// PartLetter).
	KindPartDelivered = "part_delivered"
	// KindPartRefunded tells the shopper a part was refunded or
	// cancelled, and how much goes back (data: PartLetter).
	KindPartRefunded = "part_refunded"
	// KindNewPart tells a merchant it has a new part to ship (data:
	// NewPart).
	KindNewPart = "new_part"
)

// Order is an order as a letter shows it, every amount written out.
type Order struct {
	// Store is the storefront's name; StoreURL its address.
	Store, StoreURL string
	ID              string
	// URL is the order's page on the storefront.
	URL     string
	Shopper string
	Parts   []Part
	// Shipping and Total are the order's, written with their currency.
	Shipping, Total string
	// ShipTo is the address, one line each.
	ShipTo []string
}

// Part is one merchant's part of an order in a letter.
type Part struct {
	ID, Merchant, Status string
	Items                []Item
	Shipping, Total      string
	// ShippingRate names the rate chosen, when one was.
	ShippingRate                   string
	Carrier, Tracking, TrackingURL string
	// Refunded is what went back to the shopper in all, written out; ""
	// when nothing did.
	Refunded string
}

// Item is a line of a part.
type Item struct {
	Title    string
	Quantity int64
	// Price is the unit price, Amount the line's, both written out.
	Price, Amount string
}

// PartLetter is an order's part that changed, with its order.
type PartLetter struct {
	Order Order
	Part  Part
}

// NewPart is what a merchant learns of a new part.
type NewPart struct {
	// Store is the home platform's name; ConsoleURL the merchant's orders.
	Store, ConsoleURL string
	Merchant          string
	Order             string
	Part              Part
	ShipTo            []string
}

//go:embed templates
var templateFS embed.FS

type letterTemplates struct {
	text *texttemplate.Template
	html map[string]*htmltemplate.Template
}

var parsed = sync.OnceValues(func() (*letterTemplates, error) {
	t := &letterTemplates{html: map[string]*htmltemplate.Template{}}
	var err error
	if t.text, err = texttemplate.New("").ParseFS(templateFS, "templates/*.txt"); err != nil {
		return nil, err
	}
	for _, k := range []string{KindOrderConfirmation, KindPartShipped, KindPartDelivered, KindPartRefunded, KindNewPart, KindNoteToShopper, KindNoteToMerchant} {
		h, err := htmltemplate.New("").ParseFS(templateFS, "templates/layout.html", "templates/"+k+".html")
		if err != nil {
			return nil, err
		}
		t.html[k] = h
	}
	return t, nil
})

// Render writes the letter of kind from data: the subject (one line,
// at most 200 characters) and the text from templates/<kind>.txt, the
// HTML body from templates/<kind>.html inside templates/layout.html.
func Render(kind string, data any) (Letter, error) {
	t, err := parsed()
	if err != nil {
		return Letter{}, fmt.Errorf("mail: templates: %w", err)
	}
	h, ok := t.html[kind]
	if !ok {
		return Letter{}, fmt.Errorf("%w: no letter %q", ErrInvalid, kind)
	}
	data = oneLined(data)
	var subj, text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&subj, kind+".subject", data); err != nil {
		return Letter{}, fmt.Errorf("mail: %s subject: %w", kind, err)
	}
	if err := t.text.ExecuteTemplate(&text, kind+".text", data); err != nil {
		return Letter{}, fmt.Errorf("mail: %s text: %w", kind, err)
	}
	if err := h.ExecuteTemplate(&html, "layout", data); err != nil {
		return Letter{}, fmt.Errorf("mail: %s html: %w", kind, err)
	}
	s := oneLine(subj.String())
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return Letter{Subject: s, Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String()}, nil
}

// oneLined returns data with every name, title and address line on one
// line: another member's hostile name breaks no line of a letter. Kinds
// of data Render does not know are returned as they are.
func oneLined(data any) any {
	switch d := data.(type) {
	case Order:
		return d.clean()
	case PartLetter:
		return PartLetter{Order: d.Order.clean(), Part: d.Part.clean()}
	case NoteLetter:
		return d.clean()
	case NewPart:
		d.Store, d.ConsoleURL, d.Merchant, d.Order = oneLine(d.Store), oneLine(d.ConsoleURL), oneLine(d.Merchant), oneLine(d.Order)
		d.Part, d.ShipTo = d.Part.clean(), lines(d.ShipTo)
		return d
	}
	return data
}

func (o Order) clean() Order {
	o.Store, o.StoreURL, o.ID, o.URL, o.Shopper = oneLine(o.Store), oneLine(o.StoreURL), oneLine(o.ID), oneLine(o.URL), oneLine(o.Shopper)
	o.Shipping, o.Total, o.ShipTo = oneLine(o.Shipping), oneLine(o.Total), lines(o.ShipTo)
	parts := make([]Part, len(o.Parts))
	for i, p := range o.Parts {
		parts[i] = p.clean()
	}
	o.Parts = parts
	return o
}

func (p Part) clean() Part {
	p.ID, p.Merchant, p.Status, p.Shipping, p.Total = oneLine(p.ID), oneLine(p.Merchant), oneLine(p.Status), oneLine(p.Shipping), oneLine(p.Total)
	p.ShippingRate, p.Carrier, p.Tracking, p.TrackingURL = oneLine(p.ShippingRate), oneLine(p.Carrier), oneLine(p.Tracking), oneLine(p.TrackingURL)
	p.Refunded = oneLine(p.Refunded)
	items := make([]Item, len(p.Items))
	for i, it := range p.Items {
		it.Title, it.Price, it.Amount = oneLine(it.Title), oneLine(it.Price), oneLine(it.Amount)
		items[i] = it
	}
	p.Items = items
	return p
}

func lines(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = oneLine(l)
	}
	return out
}
