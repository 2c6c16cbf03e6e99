package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"reflect"
	"strings"
	"sync"
	texttemplate "text/template"

	"github.com/fedmart/fedmart/internal/storedjson"
)

// Letters Render writes.
const (
	// KindOrderConfirmation tells the shopper the order is placed: every
	// part, its items and shipping, and the totals (data: Order).
	KindOrderConfirmation = "order_confirmation"
	// KindPartAccepted tells the shopper a merchant took a part of the
	// order (data: PartLetter).
	KindPartAccepted = "part_accepted"
	// KindPartRejected tells the shopper a merchant could not take a part,
	// and why (data: PartLetter; Part.Reason).
	KindPartRejected = "part_rejected"
	// KindPartShipped tells the shopper a part left, with the carrier's
	// tracking link (data: PartLetter).
	KindPartShipped = "part_shipped"
	// KindPartDelivered tells the shopper a part arrived (data:
	// PartLetter).
	KindPartDelivered = "part_delivered"
	// KindPartRefunded tells the shopper a part was refunded or
	// cancelled, and how much goes back (data: PartLetter).
	KindPartRefunded = "part_refunded"
	// KindPartPartlyRefunded tells the shopper some of a part was
	// refunded or cancelled, the rest going on (data: PartLetter with
	// Refund).
	KindPartPartlyRefunded = "part_partly_refunded"
	// KindReturnApproved tells the shopper how to send a return back
	// (data: PartLetter with Return).
	KindReturnApproved = "return_approved"
	// KindReturnRefused tells the shopper a return was refused, and why
	// (data: PartLetter with Return).
	KindReturnRefused = "return_refused"
	// KindReturnReceived tells the shopper the merchant has a return back
	// and what its refund gives (data: PartLetter with Return and Refund).
	KindReturnReceived = "return_received"
	// KindNewPart tells a merchant it has a new part to ship (data:
	// NewPart).
	KindNewPart = "new_part"
	// KindPartCancelled tells a merchant the shopper cancelled a part or
	// some of its units (data: NewPart with Refund, or without for the
	// whole part).
	KindPartCancelled = "part_cancelled"
	// KindReturnRequested tells a merchant a shopper asks to return units
	// (data: NewPart with Return).
	KindReturnRequested = "return_requested"
)

// Classes of letters.
const (
	// Transactional letters tell of the recipient's own order: they are
	// always sent.
	Transactional = "transactional"
	// Notification letters (new messages, issue updates, reminders) carry
	// an unsubscribe link and header, and are not sent to an address that
	// unsubscribed.
	Notification = "notification"
)

// letters are the kinds Render writes, each with its class. A new letter
// is one line here and its templates in every language; a letter that a
// recipient may turn off is marked Notification.
var letters = map[string]string{
	KindOrderConfirmation:  Transactional,
	KindPartAccepted:       Transactional,
	KindPartRejected:       Transactional,
	KindPartShipped:        Transactional,
	KindPartDelivered:      Transactional,
	KindPartRefunded:       Transactional,
	KindPartPartlyRefunded: Transactional,
	KindReturnApproved:     Transactional,
	KindReturnRefused:      Transactional,
	KindReturnReceived:     Transactional,
	KindNewPart:            Transactional,
	KindPartCancelled:      Transactional,
	KindReturnRequested:    Transactional,
	KindNoteToShopper:      Notification,
	KindNoteToMerchant:     Notification,
	KindIssueUpdate:        Notification,
	KindIssueRefund:        Transactional,
	KindMerchantIssue:      Notification,
	KindIssueDue:           Notification,
}

// letterData is the type of what each letter of letters says, which
// Mail.Data holds and a stored message keeps as JSON until it is written.
var letterData = map[string]reflect.Type{
	KindOrderConfirmation:  reflect.TypeFor[Order](),
	KindPartAccepted:       reflect.TypeFor[PartLetter](),
	KindPartRejected:       reflect.TypeFor[PartLetter](),
	KindPartShipped:        reflect.TypeFor[PartLetter](),
	KindPartDelivered:      reflect.TypeFor[PartLetter](),
	KindPartRefunded:       reflect.TypeFor[PartLetter](),
	KindPartPartlyRefunded: reflect.TypeFor[PartLetter](),
	KindReturnApproved:     reflect.TypeFor[PartLetter](),
	KindReturnRefused:      reflect.TypeFor[PartLetter](),
	KindReturnReceived:     reflect.TypeFor[PartLetter](),
	KindNewPart:            reflect.TypeFor[NewPart](),
	KindPartCancelled:      reflect.TypeFor[NewPart](),
	KindReturnRequested:    reflect.TypeFor[NewPart](),
	KindNoteToShopper:      reflect.TypeFor[NoteLetter](),
	KindNoteToMerchant:     reflect.TypeFor[NoteLetter](),
	KindIssueUpdate:        reflect.TypeFor[IssueLetter](),
	KindIssueRefund:        reflect.TypeFor[IssueLetter](),
	KindMerchantIssue:      reflect.TypeFor[IssueLetter](),
	KindIssueDue:           reflect.TypeFor[IssueLetter](),
}

// checkData names what is wrong with data as what a letter of kind says.
func checkData(kind string, data any) error {
	want, ok := letterData[kind]
	switch {
	case !ok:
		return fmt.Errorf("%w: mail.kind: no letter %q is written from data", ErrInvalid, clip(kind))
	case reflect.TypeOf(data) != want:
		return fmt.Errorf("%w: mail.data: a %s letter is written from a %s, not a %T", ErrInvalid, kind, want.Name(), data)
	}
	return nil
}

// decodeData reads what a letter of kind says, as a stored message keeps it.
func decodeData(kind string, raw []byte) (any, error) {
	t, ok := letterData[kind]
	if !ok {
		return nil, fmt.Errorf("%w: no letter %q is written from data", ErrInvalid, clip(kind))
	}
	v := reflect.New(t)
	if err := storedjson.Unmarshal(raw, v.Interface()); err != nil {
		return nil, fmt.Errorf("mail: %s letter's data: %w", kind, err)
	}
	return v.Elem().Interface(), nil
}

// IsNotification reports whether letters of kind are notifications,
// which a recipient may unsubscribe from.
func IsNotification(kind string) bool { return letters[kind] == Notification }

// Languages letters are written in; the first is the default.
var Languages = []string{"en", "zh"}

// Language returns the language of Languages that the BCP 47 tag lang
// names, else "": "en" for en, en-GB or en-US; "zh" for zh, zh-CN,
// zh-SG, zh-Hans or zh-Hans-CN (Simplified Chinese, which the letters
// are written in; zh-TW and zh-Hant are not).
func Language(lang string) string {
	lang = strings.ToLower(lang)
	for _, l := range Languages {
		if l == lang {
			return l
		}
	}
	switch base, region, _ := strings.Cut(lang, "-"); {
	case base == "en":
		return "en"
	case base == "zh" && (region == "cn" || region == "sg" || region == "hans" || strings.HasPrefix(region, "hans-")):
		return "zh"
	}
	return ""
}

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
	// Reason is why the part was rejected or cancelled: a code such as
	// out_of_stock, which the letter puts in words, or the home's words.
	Reason string
}

// Refund is one refund or cancellation of some of a part in a letter.
type Refund struct {
	// Cancel is a shopper's cancellation of units (not a merchant's
	// refund); Whole, when it ended the part.
	Cancel, Whole bool
	// Amount is all it gives back, Shipping the part of it for shipping,
	// both written out ("" for no shipping).
	Amount, Shipping string
	// Items are the units it covers, their Amount the units' worth.
	Items  []Item
	Reason string
}

// Return is a shopper's return of units of a part in a letter.
type Return struct {
	ID    string
	Items []Item
	// Reason is one of order.ReturnReasons, which the letter puts in
	// words; Note the shopper's words.
	Reason, Note string
	// Address, LabelURL and DropOffCode say how to send the units back
	// (approved).
	Address, LabelURL, DropOffCode string
	// ShopperPays tells whether the shopper pays the return's shipping.
	ShopperPays bool
	// RestockingFee is the fee the refund keeps, written out: a share
	// ("10%") when approved, an amount when received; "" for none.
	RestockingFee string
	// Refusal is why it was refused.
	Refusal string
	// URL is the return's page (the merchant's console).
	URL string
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
	// Refund and Return, when the letter is about one.
	Refund *Refund
	Return *Return
}

// NewPart is what a merchant learns of a new part.
type NewPart struct {
	// Store is the home platform's name; ConsoleURL the merchant's orders.
	Store, ConsoleURL string
	Merchant          string
	Order             string
	Part              Part
	ShipTo            []string
	// Refund and Return, when the letter is about one.
	Refund *Refund
	Return *Return
}

//go:embed templates
var templateFS embed.FS

// letterTemplates are one language's letters.
type letterTemplates struct {
	text *texttemplate.Template
	html map[string]*htmltemplate.Template
	// footer is the unsubscribe footer of notifications.
	footer *htmltemplate.Template
}

// parsed are the letters of every language, by language.
var parsed = sync.OnceValues(func() (map[string]*letterTemplates, error) {
	out := map[string]*letterTemplates{}
	for _, lang := range Languages {
		t := &letterTemplates{html: map[string]*htmltemplate.Template{}}
		dir := "templates/" + lang + "/"
		var err error
		t.text, err = texttemplate.New("").Funcs(texttemplate.FuncMap{"lang": func() string { return lang }}).ParseFS(templateFS, dir+"*.txt", dir+"words.tmpl")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", lang, err)
		}
		for k := range letters {
			if ok, _ := fs.Glob(templateFS, dir+k+".html"); len(ok) == 0 {
				continue // a notification letter added without its HTML body is caught by the test of every kind
			}
			h, err := htmltemplate.New("").Funcs(htmltemplate.FuncMap{"lang": func() string { return lang }}).
				ParseFS(templateFS, "templates/layout.html", dir+"partials.html", dir+"words.tmpl", dir+k+".html")
			if err != nil {
				return nil, fmt.Errorf("%s: %w", lang, err)
			}
			t.html[k] = h
		}
		if t.footer, err = htmltemplate.ParseFS(templateFS, dir+"footer.html"); err != nil {
			return nil, fmt.Errorf("%s: %w", lang, err)
		}
		out[lang] = t
	}
	return out, nil
})

// Render writes the letter of kind from data in lang (the default
// language when letters are not written in it): the subject (one line,
// at most 200 characters) and the text from templates/<lang>/<kind>.txt,
// the HTML body from templates/<lang>/<kind>.html inside
// templates/layout.html.
func Render(kind, lang string, data any) (Letter, error) {
	t, h, err := templatesOf(kind, lang)
	if err != nil {
		return Letter{}, err
	}
	data = oneLined(data)
	s, err := subject(t, kind, data)
	if err != nil {
		return Letter{}, err
	}
	var text, html bytes.Buffer
	if err := t.text.ExecuteTemplate(&text, kind+".text", data); err != nil {
		return Letter{}, fmt.Errorf("mail: %s text: %w", kind, err)
	}
	if err := h.ExecuteTemplate(&html, "layout", data); err != nil {
		return Letter{}, fmt.Errorf("mail: %s html: %w", kind, err)
	}
	return Letter{Subject: s, Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String()}, nil
}

// renderSubject writes the subject alone of the letter Render writes.
func renderSubject(kind, lang string, data any) (string, error) {
	t, _, err := templatesOf(kind, lang)
	if err != nil {
		return "", err
	}
	return subject(t, kind, oneLined(data))
}

// templatesOf returns the templates of the letter of kind in lang, the
// default language's when letters are not written in it.
func templatesOf(kind, lang string) (*letterTemplates, *htmltemplate.Template, error) {
	all, err := parsed()
	if err != nil {
		return nil, nil, fmt.Errorf("mail: templates: %w", err)
	}
	t := all[Languages[0]]
	if l := Language(lang); l != "" {
		t = all[l]
	}
	h, ok := t.html[kind]
	if !ok {
		return nil, nil, fmt.Errorf("%w: no letter %q", ErrInvalid, kind)
	}
	return t, h, nil
}

// subject writes a subject on one line of at most 200 characters.
func subject(t *letterTemplates, kind string, data any) (string, error) {
	var b bytes.Buffer
	if err := t.text.ExecuteTemplate(&b, kind+".subject", data); err != nil {
		return "", fmt.Errorf("mail: %s subject: %w", kind, err)
	}
	s := oneLine(b.String())
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s, nil
}

// footer renders the unsubscribe footer of a notification in lang: a
// text to append to the text body and HTML to put at the end of the HTML
// body, both from templates/<lang>/footer.*.
func footer(lang, url string) (text, html string, err error) {
	all, err := parsed()
	if err != nil {
		return "", "", err
	}
	t := all[Languages[0]]
	if l := Language(lang); l != "" {
		t = all[l]
	}
	var tb, hb bytes.Buffer
	if err := t.text.ExecuteTemplate(&tb, "footer.text", url); err != nil {
		return "", "", err
	}
	if err := t.footer.ExecuteTemplate(&hb, "footer", url); err != nil {
		return "", "", err
	}
	return tb.String(), hb.String(), nil
}

// oneLined returns data with every name, title and address line on one
// line: another member's hostile name breaks no line of a letter. Kinds
// of data Render does not know are returned as they are.
func oneLined(data any) any {
	switch d := data.(type) {
	case Order:
		return d.clean()
	case PartLetter:
		return PartLetter{Order: d.Order.clean(), Part: d.Part.clean(), Refund: d.Refund.clean(), Return: d.Return.clean()}
	case NoteLetter:
		return d.clean()
	case IssueLetter:
		return d.clean()
	case NewPart:
		d.Store, d.ConsoleURL, d.Merchant, d.Order = oneLine(d.Store), oneLine(d.ConsoleURL), oneLine(d.Merchant), oneLine(d.Order)
		d.Part, d.ShipTo, d.Refund, d.Return = d.Part.clean(), lines(d.ShipTo), d.Refund.clean(), d.Return.clean()
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
	p.Refunded, p.Reason = oneLine(p.Refunded), oneLine(p.Reason)
	p.Items = cleanItems(p.Items)
	return p
}

func cleanItems(in []Item) []Item {
	items := make([]Item, len(in))
	for i, it := range in {
		it.Title, it.Price, it.Amount = oneLine(it.Title), oneLine(it.Price), oneLine(it.Amount)
		items[i] = it
	}
	return items
}

func (r *Refund) clean() *Refund {
	if r == nil {
		return nil
	}
	c := *r
	c.Amount, c.Shipping, c.Reason, c.Items = oneLine(r.Amount), oneLine(r.Shipping), oneLine(r.Reason), cleanItems(r.Items)
	return &c
}

// clean keeps the shopper's note and the return address on their lines
// (the bodies show them as written); the rest goes on one line.
func (r *Return) clean() *Return {
	if r == nil {
		return nil
	}
	c := *r
	c.ID, c.Reason, c.LabelURL, c.DropOffCode, c.RestockingFee = oneLine(r.ID), oneLine(r.Reason), oneLine(r.LabelURL), oneLine(r.DropOffCode), oneLine(r.RestockingFee)
	c.Refusal, c.URL, c.Items = oneLine(r.Refusal), oneLine(r.URL), cleanItems(r.Items)
	return &c
}

func lines(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = oneLine(l)
	}
	return out
}
