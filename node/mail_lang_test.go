package node

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/mail"
)

// TestShopperLanguageMails: a shopper whose account was opened over REST
// with lang zh-CN gets the order confirmation in Chinese; one with a
// language the letters are not written in gets the node's (English); a
// lang that is no tag is refused naming the field.
func TestShopperLanguageMails(t *testing.T) {
	c := startCluster(t, "Alpha")
	a := c.Nodes[0]
	onA, _ := listOn(t, c, 0, "Teahouse", "POT-1", 12800, 10)
	open := func(name, email, lang string) (int, []byte) {
		return req(t, "POST", a.APIURL()+"/v1/shoppers", "/v1/shoppers", "", map[string]string{"name": name, "email": email, "lang": lang})
	}
	if s, b := open("Eve", "eve@example.org", "zh TW"); s != 422 || !strings.Contains(string(b), "lang") {
		t.Errorf("a lang with a space: %d %s", s, b)
	}
	buy := func(name, email, lang string) {
		s, b := open(name, email, lang)
		var out struct{ Token string }
		if s != 201 || json.Unmarshal(b, &out) != nil {
			t.Fatalf("new shopper %s: %d %s", lang, s, b)
		}
		buyAccepted(t, &shopper{t: t, base: a.APIURL(), token: out.Token}, a, onA, "POT-1")
	}
	buy("Li Lei", "li.lei@example.cn", "zh-CN")
	buy("Jean Dupont", "jean@example.fr", "fr")
	var zh, en *mail.Message
	for _, m := range waitMailCount(t, c, 0, mail.KindOrderConfirmation, 2) {
		switch m.To {
		case "li.lei@example.cn":
			zh = &m
		case "jean@example.fr":
			en = &m
		}
	}
	if zh == nil || en == nil {
		t.Fatalf("confirmations: zh %v, en %v", zh, en)
	}
	for _, want := range []string{"您的订单", "合计：", "€128.00"} {
		if !strings.Contains(zh.Subject+zh.Text, want) {
			t.Errorf("the zh-CN shopper's confirmation lacks %q:\n%s\n%s", want, zh.Subject, zh.Text)
		}
	}
	if !strings.Contains(zh.HTML, `lang="zh"`) {
		t.Errorf("the zh-CN shopper's confirmation HTML is not marked Chinese:\n%s", zh.HTML)
	}
	if !strings.Contains(en.Text, "Total:") || strings.Contains(en.Text, "合计") || !strings.Contains(en.HTML, `lang="en"`) {
		t.Errorf("the fr shopper's confirmation is not in the node's English:\n%s", en.Text)
	}
}

// waitMailCount waits until member i's mailbox holds n messages of kind.
func waitMailCount(t *testing.T, c *Cluster, i int, kind string, n int) []mail.Message {
	t.Helper()
	var got []mail.Message
	testwait.For(t, 15*time.Second, func() error {
		if got = mailbox(t, c, i, kind); len(got) < n {
			return fmt.Errorf("%s has %d of %d %s", c.Nodes[i].Name(), len(got), n, kind)
		}
		return nil
	})
	return got
}
