package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/mail"
)

// TestReturnMailsBothSidesInTheirLanguage: a shopper who signed up on
// Alpha in Chinese buys three pans homed on Beta, cancels one, and
// returns one after delivery; Beta's merchant approves with a drop-off
// code and receives it. Alpha mails the shopper each step in Chinese,
// Beta mails its merchant the cancellation and the return request in its
// own language (English), each letter once.
func TestReturnMailsBothSidesInTheirLanguage(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta")
	a, b := c.Nodes[0], c.Nodes[1]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4000, 10)
	profile := catalog.MerchantProfileInput{Name: "Bremen Forge", Email: "orders@bremen.example", Country: "DE",
		Policies: catalog.Policies{ReturnDays: 14, ReturnShipping: catalog.ReturnPaidByShopper, RestockingFeeBPS: 1000}}
	if s, body := req(t, "PUT", b.APIURL()+"/v1/merchant/profile", "/v1/merchant/profile", tokB, profile); s != 200 {
		t.Fatalf("profile: %d %s", s, body)
	}
	testwait.For(t, 15*time.Second, func() error {
		p, err := a.Catalog().MerchantProfile(t.Context(), b.PeerID().String(), mustMerchantOf(t, b, onB))
		if err != nil || p.Policies.ReturnDays != 14 {
			return fmt.Errorf("Beta's merchant on Alpha: %+v %v", p.Policies, err)
		}
		return nil
	})
	_, token, err := a.Orders().CreateShopper(t.Context(), order.ShopperInput{Name: "Li Lei", Email: "li.lei@example.cn", Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	sh := &shopper{t: t, base: a.APIURL(), token: token}
	s, body := sh.checkout(sh.cart(order.ItemInput{ListingID: onB, SKU: "PAN-B", Quantity: 3}), "k", order.CardApprove)
	if s != 201 {
		t.Fatalf("checkout: %d %s", s, body)
	}
	var o order.Order
	if json.Unmarshal(body, &o) != nil || len(o.Parts) != 1 {
		t.Fatalf("order: %s", body)
	}
	oid, part := o.ID, o.Parts[0].ID
	waitMail(t, c, 0, mail.KindPartAccepted)
	waitMail(t, c, 1, mail.KindNewPart)

	one := map[string]any{"lines": []order.Units{{ListingID: onB, SKU: "PAN-B", Quantity: 1}}}
	if s, body := req(t, "POST", a.APIURL()+"/v1/orders/"+oid+"/parts/"+part+"/cancel", "/v1/orders/{id}/parts/{part}/cancel", token, one); s != 200 {
		t.Fatalf("cancel a pan: %d %s", s, body)
	}
	cancelled := waitMail(t, c, 1, mail.KindPartCancelled)
	if cancelled[0].To != "orders@bremen.example" || !strings.Contains(cancelled[0].Subject, "units of part "+part+" cancelled") || !strings.Contains(cancelled[0].Text, "1 × Bremen Forge pan") {
		t.Errorf("the merchant's cancellation letter: %q\n%s", cancelled[0].Subject, cancelled[0].Text)
	}
	partly := waitMail(t, c, 0, mail.KindPartPartlyRefunded)
	if !strings.Contains(partly[0].Subject, "取消部分商品") || !strings.Contains(partly[0].Text, "€40.00 将按原支付方式退还给您") {
		t.Errorf("the shopper's partial cancellation letter: %q\n%s", partly[0].Subject, partly[0].Text)
	}

	shipAndDeliver(t, b, tokB, part)
	waitMail(t, c, 0, mail.KindPartDelivered)
	ret := map[string]any{"lines": []order.Units{{ListingID: onB, SKU: "PAN-B", Quantity: 1}}, "reason": "damaged", "note": "The handle is loose."}
	if s, body := req(t, "POST", a.APIURL()+"/v1/orders/"+oid+"/parts/"+part+"/returns", "/v1/orders/{id}/parts/{part}/returns", token, ret); s != 202 {
		t.Fatalf("return a pan: %d %s", s, body)
	}
	asked := waitMail(t, c, 1, mail.KindReturnRequested)
	if !strings.Contains(asked[0].Text, "Reason: damaged") || !strings.Contains(asked[0].Text, "The handle is loose.") || !strings.Contains(asked[0].Text, b.APIURL()+"/merchant/returns/"+part+"/") {
		t.Errorf("the merchant's return request letter:\n%s", asked[0].Text)
	}
	var rid string
	testwait.For(t, 10*time.Second, func() error {
		p, err := b.Orders().HomePartOf(t.Context(), "", part)
		if err != nil || len(p.Returns) != 1 {
			return fmt.Errorf("Beta's part: %+v %v", p.Returns, err)
		}
		rid = p.Returns[0].ID
		return nil
	})
	returnStep := func(action string, in any) {
		t.Helper()
		route := "/v1/merchant/orders/{id}/returns/{rid}/" + action
		if s, body := req(t, "POST", b.APIURL()+"/v1/merchant/orders/"+part+"/returns/"+rid+"/"+action, route, tokB, in); s != 200 {
			t.Fatalf("%s: %d %s", action, s, body)
		}
	}
	returnStep("approve", map[string]string{"drop_off_code": "DHL-7731"})
	approved := waitMail(t, c, 0, mail.KindReturnApproved)
	if !strings.Contains(approved[0].Subject, "退货已批准") || !strings.Contains(approved[0].Text, "DHL-7731") || !strings.Contains(approved[0].Text, "退货运费由您承担") ||
		!strings.Contains(approved[0].Text, "10% 的重新入库费") || !strings.Contains(approved[0].HTML, `lang="zh"`) {
		t.Errorf("the shopper's approval letter: %q\n%s", approved[0].Subject, approved[0].Text)
	}
	returnStep("received", nil)
	received := waitMail(t, c, 0, mail.KindReturnReceived)
	if !strings.Contains(received[0].Subject, "退款 €36.00") || !strings.Contains(received[0].Text, "已扣除重新入库费 €4.00") {
		t.Errorf("the shopper's receipt letter: %q\n%s", received[0].Subject, received[0].Text)
	}

	// each event mailed once; the return's refund is told by its receipt
	// letter alone; no notification carries an unsubscribe link
	for _, k := range []struct {
		node int
		kind string
	}{{0, mail.KindOrderConfirmation}, {0, mail.KindPartAccepted}, {0, mail.KindPartPartlyRefunded}, {0, mail.KindPartShipped}, {0, mail.KindPartDelivered},
		{0, mail.KindReturnApproved}, {0, mail.KindReturnReceived}, {1, mail.KindNewPart}, {1, mail.KindPartCancelled}, {1, mail.KindReturnRequested}} {
		got := mailbox(t, c, k.node, k.kind)
		if len(got) != 1 {
			t.Errorf("%s: %d letters of %s, want 1", c.Nodes[k.node].Name(), len(got), k.kind)
			continue
		}
		if lang := map[int]string{0: "zh", 1: "en"}[k.node]; !strings.Contains(got[0].HTML, `lang="`+lang+`"`) || got[0].Unsubscribe != "" {
			t.Errorf("%s in the wrong language or with an unsubscribe link (%q):\n%s", k.kind, got[0].Unsubscribe, got[0].HTML)
		}
	}
	if got := mailbox(t, c, 0, mail.KindPartRefunded); len(got) != 0 {
		t.Errorf("a full refund letter for a partial return: %q", got[0].Subject)
	}
}
