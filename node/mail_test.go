package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/mail"
)

// mailbox reads a member's mailbox over REST (checked against the spec)
// and returns its messages of kind, with their bodies.
func mailbox(t *testing.T, c *Cluster, i int, kind string) []mail.Message {
	t.Helper()
	n := c.Nodes[i]
	s, b := req(t, "GET", n.APIURL()+"/v1/mail/messages?limit=100", "/v1/mail/messages", c.Tokens[i], nil)
	var page struct{ Messages []mail.Summary }
	if s != 200 || json.Unmarshal(b, &page) != nil {
		t.Fatalf("mailbox of %s: %d %s", n.Name(), s, b)
	}
	var out []mail.Message
	for _, m := range page.Messages {
		if m.Kind != kind {
			continue
		}
		s, b := req(t, "GET", n.APIURL()+"/v1/mail/messages/"+m.ID, "/v1/mail/messages/{id}", c.Tokens[i], nil)
		var full mail.Message
		if s != 200 || json.Unmarshal(b, &full) != nil {
			t.Fatalf("message %s: %d %s", m.ID, s, b)
		}
		out = append(out, full)
	}
	return out
}

// waitMail waits until member i's mailbox holds a message of kind in the
// local mailbox, and returns every such message.
func waitMail(t *testing.T, c *Cluster, i int, kind string) []mail.Message {
	t.Helper()
	var got []mail.Message
	testwait.For(t, 15*time.Second, func() error {
		got = mailbox(t, c, i, kind)
		if len(got) == 0 || got[0].Status != mail.StatusMailbox {
			return fmt.Errorf("%s has no %s in its mailbox: %+v", c.Nodes[i].Name(), kind, got)
		}
		return nil
	})
	return got
}

// TestCheckoutMailsShopperAndMerchant: a checkout on Alpha of a part
// homed on Beta puts the shopper's confirmation in Alpha's mailbox and
// the merchant's new part in Beta's (to its profile's address); shipping
// it puts the tracking link in Alpha's. Each event mails once.
func TestCheckoutMailsShopperAndMerchant(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a := c.Nodes[0]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 10)
	s, b := req(t, "PUT", c.Nodes[1].APIURL()+"/v1/merchant/profile", "/v1/merchant/profile", tokB,
		map[string]any{"name": "Bremen Forge", "email": "orders@bremen.example", "country": "DE", "policies": map[string]any{"return_days": 14, "return_shipping": "shopper"}})
	if s != 200 {
		t.Fatalf("profile: %d %s", s, b)
	}
	testwait.For(t, 15*time.Second, func() error {
		_, err := a.Catalog().MerchantProfile(t.Context(), c.Nodes[1].PeerID().String(), mustMerchantOf(t, c.Nodes[1], onB))
		return err
	})
	sh := newShopper(t, a, "Ada Lovelace")
	part := buyAccepted(t, sh, c.Nodes[1], onB, "PAN-B")
	id := part[:strings.LastIndexByte(part, '-')]

	conf := waitMail(t, c, 0, mail.KindOrderConfirmation)
	if len(conf) != 1 || conf[0].To != "ada.lovelace@example.org" || conf[0].ToName != "Ada Lovelace" || !strings.Contains(conf[0].Subject, id) {
		t.Fatalf("confirmation: %+v", conf)
	}
	for _, want := range []string{part, "Bremen Forge", "1 × Bremen Forge pan at €49.99", "Total:", a.APIURL() + "/orders/" + id} {
		if !strings.Contains(conf[0].Text, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, conf[0].Text)
		}
	}
	if !strings.Contains(conf[0].HTML, "Bremen Forge pan") {
		t.Errorf("confirmation HTML:\n%s", conf[0].HTML)
	}
	np := waitMail(t, c, 1, mail.KindNewPart)
	if len(np) != 1 || np[0].To != "orders@bremen.example" || !strings.Contains(np[0].Text, part) || !strings.Contains(np[0].Text, "/merchant/orders") {
		t.Fatalf("merchant's new part: %+v", np)
	}
	if got := mailbox(t, c, 1, mail.KindOrderConfirmation); len(got) != 0 {
		t.Errorf("the home mailed the shopper: %+v", got)
	}

	merchantAct(t, c.Nodes[1], tokB, part, "ship", map[string]string{"carrier": "dhl-paket", "tracking": "JD014600"})
	shipped := waitMail(t, c, 0, mail.KindPartShipped)
	if len(shipped) != 1 || !strings.Contains(shipped[0].Text, "JD014600") || !strings.Contains(shipped[0].Subject, "Bremen Forge shipped") {
		t.Fatalf("shipped: %+v", shipped)
	}
	if o := sh.order(id); !strings.HasPrefix(o.Parts[0].TrackingURL, "https://www.dhl.de/") || !strings.Contains(shipped[0].Text, o.Parts[0].TrackingURL) {
		t.Errorf("shipped mail lacks the tracking link %q:\n%s", o.Parts[0].TrackingURL, shipped[0].Text)
	}
	merchantAct(t, c.Nodes[1], tokB, part, "deliver", nil)
	testwait.For(t, 10*time.Second, func() error {
		if o := sh.order(id); o.Parts[0].Status != order.StatusDelivered {
			return fmt.Errorf("part %s", o.Parts[0].Status)
		}
		return nil
	})
	if got := mailbox(t, c, 0, mail.KindPartDelivered); len(got) != 1 || !strings.Contains(got[0].Subject, "delivered") || !strings.Contains(got[0].Text, "return") {
		t.Errorf("the delivered mail: %+v", got)
	}
	merchantAct(t, c.Nodes[1], tokB, part, "refund", nil)
	testwait.For(t, 10*time.Second, func() error {
		if got := mailbox(t, c, 0, mail.KindPartRefunded); len(got) != 1 {
			return fmt.Errorf("%d refund mails", len(got))
		}
		return nil
	})
	if got := mailbox(t, c, 0, mail.KindPartRefunded); !strings.HasPrefix(got[0].Subject, "Alpha") || !strings.Contains(got[0].Subject, "refunded") || !strings.Contains(got[0].HTML, "goes back to you") {
		t.Errorf("the refund mail: %q", got[0].Subject)
	}
	n := 0
	for _, k := range []string{mail.KindOrderConfirmation, mail.KindPartShipped, mail.KindPartDelivered, mail.KindPartRefunded} {
		n += len(mailbox(t, c, 0, k))
	}
	if n += len(mailbox(t, c, 1, mail.KindNewPart)); n != 5 {
		t.Errorf("%d messages, want 5: one per event", n)
	}
	if s, _ := req(t, "GET", a.APIURL()+"/v1/mail/messages", "", "", nil); s != 401 {
		t.Errorf("the mailbox without the operator token: %d", s)
	}
	if s, _ := req(t, "GET", a.APIURL()+"/v1/mail/messages/000000000000000000000000", "/v1/mail/messages/{id}", c.Tokens[0], nil); s != 404 {
		t.Errorf("an unknown message: %d", s)
	}
	if s, _ := req(t, "GET", a.APIURL()+"/v1/mail/messages?cursor=nope", "/v1/mail/messages", c.Tokens[0], nil); s != 422 {
		t.Errorf("a bad cursor: %d", s)
	}
}
