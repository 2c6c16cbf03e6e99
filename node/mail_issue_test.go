package node

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/mail"
)

// TestIssueMailsBothSides: a shopper who signed up on Alpha in Chinese
// opens two issues about a part homed on Beta. The first: Beta's merchant
// asks for more, the shopper answers, the merchant offers a refund and
// the shopper accepts it. The second: the merchant refuses it, the
// shopper escalates it to Gamma, the arbiter, and Beta applies the
// decision; a third is decided with a refund. Alpha mails the shopper
// each step of the merchant's and the arbiter's in Chinese, the refund as a transactional letter and no
// refund letter besides; Beta mails its merchant each step of the
// shopper's and the arbiter's in English; each step once.
func TestIssueMailsBothSides(t *testing.T) {
	c := startCluster(t, "Alpha", "Beta", "Gamma")
	a, b := c.Nodes[0], c.Nodes[1]
	onB, tokB := listOn(t, c, 1, "Bremen Forge", "PAN-B", 4000, 10)
	profile := catalog.MerchantProfileInput{Name: "Bremen Forge", Email: "orders@bremen.example", Country: "DE",
		Policies: catalog.Policies{ReturnDays: 14, ReturnShipping: catalog.ReturnPaidByShopper}}
	if s, body := req(t, "PUT", b.APIURL()+"/v1/merchant/profile", "/v1/merchant/profile", tokB, profile); s != 200 {
		t.Fatalf("profile: %d %s", s, body)
	}
	testwait.For(t, 15*time.Second, func() error { // the stock record may follow the listing
		if n := stockOf(t, a, onB); n < 2 {
			return fmt.Errorf("Alpha sees %d pans on Beta", n)
		}
		return nil
	})
	_, token, err := a.Orders().CreateShopper(t.Context(), order.ShopperInput{Name: "Li Lei", Email: "li.lei@example.cn", Lang: "zh"})
	if err != nil {
		t.Fatal(err)
	}
	sh := &shopper{t: t, base: a.APIURL(), token: token}
	s, body := sh.checkout(sh.cart(order.ItemInput{ListingID: onB, SKU: "PAN-B", Quantity: 2}), "k", order.CardApprove)
	var o order.Order
	if s != 201 || json.Unmarshal(body, &o) != nil || len(o.Parts) != 1 {
		t.Fatalf("checkout: %d %s", s, body)
	}
	part := o.Parts[0].ID
	waitMail(t, c, 1, mail.KindNewPart)
	shipAndDeliver(t, b, tokB, part)
	waitMail(t, c, 0, mail.KindPartDelivered)

	route := "/v1/orders/{id}/parts/{part}/issues"
	url := a.APIURL() + "/v1/orders/" + o.ID + "/parts/" + part + "/issues"
	open := func(in map[string]any) string {
		t.Helper()
		s, body := req(t, "POST", url, route, token, in)
		var i order.Issue
		if s != 202 || json.Unmarshal(body, &i) != nil {
			t.Fatalf("opening an issue: %d %s", s, body)
		}
		return i.ID
	}
	answer := func(iid string, in map[string]any) {
		t.Helper()
		if s, body := req(t, "POST", b.APIURL()+"/v1/merchant/issues/"+iid+"/answer", "/v1/merchant/issues/{iid}/answer", tokB, in); s != 200 {
			t.Fatalf("answer %v: %d %s", in, s, body)
		}
	}
	reply := func(iid string, in map[string]string) {
		t.Helper()
		testwait.For(t, 15*time.Second, func() error { // the storefront takes a reply once it holds the merchant's step
			if s, body := req(t, "POST", url+"/"+iid+"/reply", route+"/{iid}/reply", token, in); s != 202 {
				return fmt.Errorf("reply %v: %d %s", in, s, body)
			}
			return nil
		})
	}
	// letter waits until node i holds n letters of kind, and returns the
	// newest, whose subject and text say want.
	letter := func(i int, kind string, n int, want ...string) mail.Message {
		t.Helper()
		var got []mail.Message
		testwait.For(t, 15*time.Second, func() error {
			if got = mailbox(t, c, i, kind); len(got) < n {
				return fmt.Errorf("%s has %d letters of %s, want %d", c.Nodes[i].Name(), len(got), kind, n)
			}
			return nil
		})
		newest := got[0]
		for _, w := range want {
			if !strings.Contains(newest.Subject+"\n"+newest.Text, w) || !strings.Contains(newest.Subject+"\n"+html.UnescapeString(htmlTags.ReplaceAllString(newest.HTML, "")), w) && !strings.Contains(newest.HTML, `href="`+w) {
				t.Errorf("%s's %s letter lacks %q: %q\n%s", c.Nodes[i].Name(), kind, w, newest.Subject, newest.Text)
			}
		}
		return newest
	}

	i1 := open(map[string]any{"category": "damaged", "description": "One pan arrived dented.", "remedy": "refund", "amount": 1500})
	opened := letter(1, mail.KindMerchantIssue, 1, "new issue about part "+part, "One pan arrived dented.", "a refund of €15.00", "Answer by ", b.APIURL()+"/merchant/issues")
	if opened.To != "orders@bremen.example" || !strings.Contains(opened.HTML, `lang="en"`) {
		t.Errorf("the merchant's letter goes to %q:\n%s", opened.To, opened.HTML)
	}
	toShopper := letter(0, mail.KindIssueUpdate, 1, "已受理", "商品损坏", "退款 €15.00", a.APIURL()+"/orders/"+o.ID)
	if toShopper.To != "li.lei@example.cn" || !strings.Contains(toShopper.HTML, `lang="zh"`) || toShopper.Unsubscribe == "" {
		t.Errorf("the shopper's letter to %q, unsubscribe %q:\n%s", toShopper.To, toShopper.Unsubscribe, toShopper.HTML)
	}
	answer(i1, map[string]any{"action": "ask_info", "text": "Which pan, please?"})
	letter(0, mail.KindIssueUpdate, 2, "补充信息", "Which pan, please?")
	reply(i1, map[string]string{"action": "info", "text": "The second one."})
	letter(1, mail.KindMerchantIssue, 2, "the shopper answered", "The second one.")
	answer(i1, map[string]any{"action": "offer", "remedy": "refund", "amount": 1500, "text": "Sorry about the dent."})
	letter(0, mail.KindIssueUpdate, 3, "退款 €15.00", "Sorry about the dent.")
	reply(i1, map[string]string{"action": "accept"})
	refund := letter(0, mail.KindIssueRefund, 1, "€15.00 将按原支付方式退还给您", "已解决")
	if refund.Unsubscribe != "" {
		t.Errorf("the refund's letter is a notification: %q", refund.Unsubscribe)
	}
	letter(1, mail.KindMerchantIssue, 3, "accepted your offer", "The refund of €15.00 is paid")

	i2 := open(map[string]any{"category": "missing_parts", "description": "No lid.", "remedy": "replacement"})
	letter(1, mail.KindMerchantIssue, 4, "No lid.")
	letter(0, mail.KindIssueUpdate, 4, "缺少部件")
	answer(i2, map[string]any{"action": "refuse", "text": "The pan is sold without a lid."})
	letter(0, mail.KindIssueUpdate, 5, "被拒绝", "The pan is sold without a lid.")
	testwait.For(t, 15*time.Second, func() error {
		if s, body := req(t, "POST", url+"/"+i2+"/escalate", route+"/{iid}/escalate", token, map[string]string{"text": "The listing shows a lid."}); s != 202 {
			return fmt.Errorf("escalate: %d %s", s, body)
		}
		return nil
	})
	letter(1, mail.KindMerchantIssue, 5, "went to the arbiter", "The listing shows a lid.")
	letter(0, mail.KindIssueUpdate, 6, "已提交仲裁")
	if _, err := b.Orders().ApplyIssueDecision(t.Context(), part, i2, order.IssueDecision{Remedy: order.RemedyNone, Text: "The listing says no lid."}); err != nil {
		t.Fatal(err)
	}
	letter(1, mail.KindMerchantIssue, 6, "the arbiter decided", "no remedy is owed", "The listing says no lid.")
	letter(0, mail.KindIssueUpdate, 7, "仲裁方已", "无需任何补救", "The listing says no lid.")

	// A third, refused, escalated and decided with a refund: the shopper's
	// letter of the decision is the refund's, transactional.
	i3 := open(map[string]any{"category": "not_as_described", "description": "Not cast iron.", "remedy": "refund"})
	letter(0, mail.KindIssueUpdate, 8, "与描述不符")
	answer(i3, map[string]any{"action": "refuse", "text": "It is cast iron."})
	letter(0, mail.KindIssueUpdate, 9, "被拒绝")
	testwait.For(t, 15*time.Second, func() error {
		if s, body := req(t, "POST", url+"/"+i3+"/escalate", route+"/{iid}/escalate", token, nil); s != 202 {
			return fmt.Errorf("escalate: %d %s", s, body)
		}
		return nil
	})
	letter(0, mail.KindIssueUpdate, 10, "已提交仲裁")
	if _, err := b.Orders().ApplyIssueDecision(t.Context(), part, i3, order.IssueDecision{Remedy: order.RemedyRefund, Amount: 1000, Text: "Half cast iron."}); err != nil {
		t.Fatal(err)
	}
	decided := letter(0, mail.KindIssueRefund, 2, "仲裁方已", "€10.00 将按原支付方式退还给您", "Half cast iron.")
	if decided.Unsubscribe != "" {
		t.Errorf("the decided refund's letter is a notification: %q", decided.Unsubscribe)
	}
	letter(1, mail.KindMerchantIssue, 9, "the arbiter decided", "a refund of €10.00", "The refund of €10.00 is paid")

	// The home's scan of deadlines (federation/order, remindIssues) tells
	// the mailer of a deadline close to expiry; told twice (a restore
	// indexes it again), the merchant gets one reminder.
	hp, err := b.Orders().HomePartOf(t.Context(), "", part)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for k := range hp.Issues {
			if hp.Issues[k].ID != i1 {
				continue
			}
			no := order.Notice{ID: "home/" + part + "/issue/" + i1 + "/due/" + order.DueRespond, Kind: order.NoticeIssueDue, Home: &hp, Issue: &hp.Issues[k], Due: order.DueRespond}
			if err := b.db.Update(func(txn *badger.Txn) error { return mailer{b}.Notify(txn, no) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	due := letter(1, mail.KindIssueDue, 1, "still waits for your first answer", "due by "+issueTime(letterFmt(b.cfg.Mail.Language), hp.Issues[0].RespondBy), "One pan arrived dented.")
	if due.To != "orders@bremen.example" || due.Key != "home/"+part+"/issue/"+i1+"/due/respond" {
		t.Errorf("the reminder: to %q, key %q", due.To, due.Key)
	}

	// Each step once, however often its status arrived; the refund told
	// by the issue's letter alone; no reply of the shopper's mailed back
	// to them.
	for _, k := range []struct {
		node int
		kind string
		n    int
	}{{0, mail.KindIssueUpdate, 10}, {0, mail.KindIssueRefund, 2}, {0, mail.KindPartPartlyRefunded, 0}, {0, mail.KindPartRefunded, 0},
		{1, mail.KindMerchantIssue, 9}, {1, mail.KindIssueDue, 1}, {0, mail.KindPartDelivered, 1}} {
		got := mailbox(t, c, k.node, k.kind)
		keys := map[string]bool{}
		for _, m := range got {
			if keys[m.Key] {
				t.Errorf("%s: key %s twice", k.kind, m.Key)
			}
			keys[m.Key] = true
		}
		if len(got) != k.n {
			var subj []string
			for _, m := range got {
				subj = append(subj, m.Subject)
			}
			t.Errorf("%s: %d letters of %s, want %d: %q", c.Nodes[k.node].Name(), len(got), k.kind, k.n, subj)
		}
	}
}

// htmlTags match HTML tags, to read a letter's HTML body's words.
var htmlTags = regexp.MustCompile(`<[^>]*>`)
