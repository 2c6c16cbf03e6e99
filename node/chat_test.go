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

// TestConversationAcrossMembers: a shopper on Alpha writes to the
// merchant of a part homed on Beta (over REST); Beta's merchant finds it
// in its conversations, reads it and answers; Alpha's shopper sees the
// answer. Each side's mailbox holds its reader's letter, once, and no
// letter or message carries the other side's address.
func TestConversationAcrossMembers(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4999, 10)
	s, body := req(t, "PUT", b.APIURL()+"/v1/merchant/profile", "/v1/merchant/profile", tokB,
		map[string]any{"name": "Bremen Forge", "email": "orders@bremen.example", "country": "DE", "policies": map[string]any{"return_days": 14, "return_shipping": "shopper"}})
	if s != 200 {
		t.Fatalf("profile: %d %s", s, body)
	}
	testwait.For(t, 15*time.Second, func() error {
		_, err := a.Catalog().MerchantProfile(t.Context(), b.PeerID().String(), mustMerchantOf(t, b, onB))
		return err
	})
	sh := newShopper(t, a, "Ada Lovelace")
	part := buyAccepted(t, sh, b, onB, "PAN-B")
	id := part[:strings.LastIndexByte(part, '-')]

	route := "/v1/orders/{id}/parts/{part}/messages"
	url := a.APIURL() + "/v1/orders/" + id + "/parts/" + part + "/messages"
	if s, body := req(t, "POST", url, route, sh.token, map[string]any{"text": "  "}); s != 422 || !strings.Contains(string(body), `"text"`) {
		t.Fatalf("an empty message: %d %s", s, body)
	}
	if s, body := req(t, "POST", url, route, sh.token, map[string]any{"text": "look", "attachments": []string{"http://img.example/a.jpg"}}); s != 422 || !strings.Contains(string(body), `"attachments[0]"`) {
		t.Fatalf("an http picture: %d %s", s, body)
	}
	s, body = req(t, "POST", url, route, sh.token, map[string]any{"text": "Is the handle cast iron too?", "attachments": []string{"https://img.example/a.jpg"}})
	var mine order.ChatMessage
	if s != 202 || json.Unmarshal(body, &mine) != nil || mine.By != order.ByShopper {
		t.Fatalf("writing: %d %s", s, body)
	}

	// Beta's merchant finds it, reads it and answers.
	var list struct{ Conversations []order.Conversation }
	testwait.For(t, 15*time.Second, func() error {
		s, body := req(t, "GET", b.APIURL()+"/v1/merchant/conversations", "/v1/merchant/conversations", tokB, nil)
		if s != 200 || json.Unmarshal(body, &list) != nil || len(list.Conversations) != 1 || list.Conversations[0].Unread != 1 {
			return fmt.Errorf("Beta's conversations: %d %s", s, body)
		}
		return nil
	})
	if cv := list.Conversations[0]; cv.Part != part || cv.Last.ID != mine.ID || cv.Order != id {
		t.Errorf("conversation: %+v", cv)
	}
	mroute := "/v1/merchant/orders/{id}/messages"
	murl := b.APIURL() + "/v1/merchant/orders/" + part + "/messages"
	var th order.Thread
	if s, body := req(t, "GET", murl+"?mark_read=true", mroute, tokB, nil); s != 200 || json.Unmarshal(body, &th) != nil || len(th.Messages) != 1 || th.Messages[0].Text != mine.Text {
		t.Fatalf("Beta's thread: %d %s", s, body)
	}
	if s, body := req(t, "GET", murl, mroute, tokB, nil); s != 200 || json.Unmarshal(body, &th) != nil || th.Unread != 0 {
		t.Fatalf("Beta's thread once read: %d %s", s, body)
	}
	if s, body := req(t, "GET", murl+"?mark_read=yes", mroute, tokB, nil); s != 400 || !strings.Contains(string(body), "mark_read") {
		t.Errorf("mark_read=yes: %d %s", s, body)
	}
	s, body = req(t, "POST", murl, mroute, tokB, map[string]any{"text": "Yes, one piece of iron."})
	var answer order.ChatMessage
	if s != 202 || json.Unmarshal(body, &answer) != nil || answer.By != order.ByMerchant {
		t.Fatalf("answering: %d %s", s, body)
	}
	testwait.For(t, 15*time.Second, func() error {
		s, body := req(t, "GET", url, route, sh.token, nil)
		if s != 200 || json.Unmarshal(body, &th) != nil || len(th.Messages) != 2 {
			return fmt.Errorf("Alpha's thread: %d %s", s, body)
		}
		return nil
	})
	if th.Messages[1].ID != answer.ID || th.Unread != 1 {
		t.Errorf("Alpha's thread: %+v", th)
	}
	// Another shopper cannot read or write it.
	other := newShopper(t, a, "Eve")
	if s, _ := req(t, "GET", url, route, other.token, nil); s != 404 {
		t.Errorf("another shopper reads the thread: %d", s)
	}

	toMerchant := waitMail(t, c, 1, mail.KindNoteToMerchant)
	if len(toMerchant) != 1 || toMerchant[0].To != "orders@bremen.example" || !strings.Contains(toMerchant[0].Text, mine.Text) ||
		!strings.Contains(toMerchant[0].Text, b.APIURL()+"/merchant/orders/"+part+"/messages") || strings.Contains(toMerchant[0].Text, "ada.lovelace") {
		t.Errorf("merchant's letter: %+v", toMerchant)
	}
	toShopper := waitMail(t, c, 0, mail.KindNoteToShopper)
	if len(toShopper) != 1 || toShopper[0].To != "ada.lovelace@example.org" || !strings.Contains(toShopper[0].Subject, "Bremen Forge") ||
		!strings.Contains(toShopper[0].HTML, "one piece of iron") || strings.Contains(toShopper[0].Text, "bremen.example") {
		t.Errorf("shopper's letter: %+v", toShopper)
	}
	// A message is a notification: it carries the storefront's own link
	// to turn them off, whole, as a mail client needs it.
	if u := toShopper[0].Unsubscribe; !strings.HasPrefix(u, c.Nodes[0].APIURL()+"/mail/unsubscribe?") {
		t.Errorf("the shopper's letter's unsubscribe link is %q", u)
	}
}
