package storefront

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// TestShopperWritesToAnotherPlatform: the shopper writes about a part
// homed on Beta Bazaar while Beta is down; the message shows on the order
// page at once and reaches Beta's merchant when Beta is back, without the
// shopper's address; the merchant's answer then shows on the order page.
func TestShopperWritesToAnotherPlatform(t *testing.T) {
	h := newHarness(t)
	chair := h.ListOther(webtest.Input("Oak chair", "Woodco", "Home", 12000, 2))
	b, at := h.buy(1, chair)
	part := strings.TrimPrefix(at, "/orders/") + "-1"
	h.Unreachable(true)
	action := at + "/parts/" + part + "/messages"
	webtest.WantRedirect(t, b.Submit(at, action, url.Values{"text": {"Does the chair come assembled?"}}), at+"?done=message-sent#messages-"+part)
	p := partOf(b.Get(at).Body, part)
	wantAll(t, "the order page while Beta is down", p, "Does the chair come assembled?", "Write to Beta Seller")
	merchant := func() (order.Thread, error) {
		return h.Other.Orders.MerchantThread(t.Context(), chair.Merchant, part, false)
	}
	if th, err := merchant(); err != nil || len(th.Messages) != 0 {
		t.Fatalf("Beta holds %d messages while down: %v", len(th.Messages), err)
	}
	h.Unreachable(false)
	var th order.Thread
	testwait.For(t, 15*time.Second, func() (err error) {
		if th, err = merchant(); err == nil && len(th.Messages) != 1 {
			err = fmt.Errorf("Beta holds %d messages", len(th.Messages))
		}
		return err
	})
	if m := th.Messages[0]; m.Text != "Does the chair come assembled?" || m.By != order.ByShopper || th.Unread != 1 {
		t.Errorf("Beta's thread: %+v", th)
	}
	h.Clock.Advance(time.Minute)
	if _, err := h.Other.Orders.WriteMerchantNote(t.Context(), chair.Merchant, part, order.NoteInput{Text: "It does: no tools needed."}); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 15*time.Second, func() error {
		if p := partOf(b.Get(at).Body, part); !strings.Contains(p, "It does: no tools needed.") {
			return fmt.Errorf("no answer on the order page yet")
		}
		return nil
	})
}
