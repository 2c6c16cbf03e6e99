package mail

import (
	"strings"
	"testing"
)

// TestRenderNotes writes both letters of a conversation: the text with
// its line breaks in both bodies, escaped in HTML; a hostile merchant
// name stays on the subject's line; the letters are notifications.
func TestRenderNotes(t *testing.T) {
	n := NoteLetter{Store: "Alpha Market", URL: "http://alpha.example/orders/ord_7", To: "Ada", From: "Evil\r\nBcc: x@example.org",
		Order: "ord_7", Part: "ord_7-1", Text: "Is it <b>cast</b> iron?\nThanks", Attachments: []string{"https://img.example/a.jpg", "javascript:alert(1)"}}
	l, err := Render(KindNoteToShopper, "en", n)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(l.Subject, "\r\n") || !strings.HasPrefix(l.Subject, "Alpha Market: Evil Bcc:") {
		t.Errorf("subject %q", l.Subject)
	}
	for _, want := range []string{"Is it <b>cast</b> iron?\nThanks", "Picture: https://img.example/a.jpg", "http://alpha.example/orders/ord_7", "part ord_7-1"} {
		if !strings.Contains(l.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, l.Text)
		}
	}
	if !strings.Contains(l.HTML, "Is it &lt;b&gt;cast&lt;/b&gt; iron?\nThanks") || strings.Contains(l.HTML, "<b>cast") || strings.Contains(l.HTML, "javascript:") {
		t.Errorf("HTML:\n%s", l.HTML)
	}
	n.From = "the shopper"
	m, err := Render(KindNoteToMerchant, "en", n)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Alpha Market: a shopper wrote to you about part ord_7-1" || !strings.Contains(m.Text, "Thanks") || !strings.Contains(m.HTML, "iron?") {
		t.Errorf("merchant's letter %q\n%s", m.Subject, m.Text)
	}
	if !IsNotification(KindNoteToShopper) || !IsNotification(KindNoteToMerchant) || IsNotification(KindOrderConfirmation) || IsNotification(KindNewPart) {
		t.Error("notification kinds")
	}
}
