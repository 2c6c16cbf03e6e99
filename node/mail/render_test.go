package mail

import (
	"strings"
	"testing"
)

func sampleOrder() Order {
	return Order{Store: "Alpha Market", StoreURL: "http://alpha.example", ID: "ord_7", URL: "http://alpha.example/orders/ord_7", Shopper: "Ada",
		Parts: []Part{
			{ID: "ord_7-1", Merchant: "Beta Books", Status: "reserved", Items: []Item{{Title: "Go in Action", Quantity: 1, Price: "30.00 EUR", Amount: "30.00 EUR"}}, Shipping: "4.00 EUR", ShippingRate: "Standard", Total: "34.00 EUR"},
			{ID: "ord_7-2", Merchant: "Gamma <Goods> & Co", Items: []Item{{Title: "Skillet", Quantity: 2, Price: "20.00 EUR", Amount: "40.00 EUR"}}, Shipping: "0.00 EUR", Total: "40.00 EUR"},
		},
		Shipping: "4.00 EUR", Total: "74.00 EUR", ShipTo: []string{"Ada Lovelace", "1 Main St", "10115 Berlin", "DE"}}
}

// TestRenderOrderConfirmation shows every part, its items, shipping and
// totals in both bodies, escaped in HTML.
func TestRenderOrderConfirmation(t *testing.T) {
	l, err := Render(KindOrderConfirmation, "en", sampleOrder())
	if err != nil {
		t.Fatal(err)
	}
	if l.Subject != "Alpha Market: your order ord_7 is placed" {
		t.Errorf("subject %q", l.Subject)
	}
	for _, want := range []string{"ord_7-1", "Beta Books", "1 × Go in Action at 30.00 EUR: 30.00 EUR", "Shipping (Standard): 4.00 EUR", "ord_7-2", "2 × Skillet", "Total:    74.00 EUR", "10115 Berlin", "http://alpha.example/orders/ord_7"} {
		if !strings.Contains(l.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, l.Text)
		}
	}
	for _, want := range []string{"Gamma &lt;Goods&gt; &amp; Co", "Go in Action", "74.00 EUR", `href="http://alpha.example/orders/ord_7"`, "10115 Berlin"} {
		if !strings.Contains(l.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, l.HTML)
		}
	}
	if strings.Contains(l.HTML, "<Goods>") {
		t.Error("a merchant's name is not escaped in HTML")
	}
}

// TestRenderNewPart writes the merchant's letter; a javascript: tracking
// or console link never becomes a live link.
func TestRenderNewPart(t *testing.T) {
	o := sampleOrder()
	l, err := Render(KindNewPart, "en", NewPart{Store: "Beta Bazaar", ConsoleURL: "javascript:alert(1)", Merchant: "Beta Books", Order: "ord_7", Part: o.Parts[0], ShipTo: o.ShipTo})
	if err != nil {
		t.Fatal(err)
	}
	if l.Subject != "Beta Bazaar: new order part ord_7-1 to ship" || !strings.Contains(l.Text, "Go in Action") || !strings.Contains(l.Text, "1 Main St") {
		t.Errorf("letter %q\n%s", l.Subject, l.Text)
	}
	if strings.Contains(l.HTML, "javascript:") {
		t.Errorf("a javascript: link survived:\n%s", l.HTML)
	}
}

func TestRenderUnknownKind(t *testing.T) {
	if _, err := Render("nope", "en", nil); err == nil {
		t.Error("an unknown letter rendered")
	}
}
