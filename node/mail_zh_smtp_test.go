package node

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/mail"
	"github.com/fedmart/fedmart/node/web/locale"
)

// relay is a real SMTP server (emersion/go-smtp) on 127.0.0.1, without
// TLS, that keeps the messages it accepts by recipient.
type relay struct {
	mu  sync.Mutex
	got map[string][][]byte
}

func startRelay(t *testing.T) (*relay, int) {
	t.Helper()
	r := &relay{got: map[string][][]byte{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }))
	srv.Domain = "localhost"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r, l.Addr().(*net.TCPAddr).Port
}

// messages are what rcpt was sent, in the order they arrived.
func (r *relay) messages(rcpt string) [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.got[rcpt]...)
}

type relaySession struct {
	r     *relay
	rcpts []string
}

func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpts = append(s.rcpts, to)
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	for _, to := range s.rcpts {
		s.r.got[to] = append(s.r.got[to], b)
	}
	return nil
}
func (s *relaySession) Reset()        { s.rcpts = nil }
func (s *relaySession) Logout() error { return nil }

// decoded reads a message as a mail client shows it: the subject
// decoded, and its text and HTML bodies decoded from their transfer
// encoding.
func decoded(t *testing.T, raw []byte) (subject, text, html string) {
	t.Helper()
	m, err := netmail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	var walk func(h map[string][]string, body io.Reader)
	walk = func(h map[string][]string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(netmail.Header(h).Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(p.Header, p)
			}
		}
		if strings.EqualFold(netmail.Header(h).Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		switch mt {
		case "text/plain":
			text += string(b)
		case "text/html":
			html += string(b)
		}
	}
	walk(m.Header, m.Body)
	return subject, text, html
}

// TestChineseShopperMailOverSMTP: a shopper who opened the account in
// zh-CN receives the order confirmation, through a real SMTP server, in
// Chinese with the money written as zh-CN writes it (CLDR): "€1,234.50".
func TestChineseShopperMailOverSMTP(t *testing.T) {
	r, port := startRelay(t)
	c := startClusterWith(t, func(cfg *Config) {
		cfg.Mail.Host, cfg.Mail.Port, cfg.Mail.TLS, cfg.Mail.From = "127.0.0.1", port, mail.TLSNone, "Alpha <shop@alpha.example>"
	}, "Alpha")
	a := c.Nodes[0]
	onA, _ := listOn(t, c, 0, "Teahouse", "POT-1", 123450, 10)
	s, b := req(t, "POST", a.APIURL()+"/v1/shoppers", "/v1/shoppers", "", map[string]string{"name": "Li Lei", "email": "li.lei@example.cn", "lang": "zh-CN"})
	var out struct{ Token string }
	if s != 201 || json.Unmarshal(b, &out) != nil {
		t.Fatalf("new shopper: %d %s", s, b)
	}
	buyAccepted(t, &shopper{t: t, base: a.APIURL(), token: out.Token}, a, onA, "POT-1")
	// The confirmation is the letter whose subject names the order as
	// placed; the part's acceptance may arrive before or after it.
	var subject, text, html string
	testwait.For(t, 30*time.Second, func() error {
		got := r.messages("li.lei@example.cn")
		for _, raw := range got {
			if s, tx, h := decoded(t, raw); strings.Contains(s, "已下单") {
				subject, text, html = s, tx, h
				return nil
			}
		}
		return fmt.Errorf("%d letters to li.lei@example.cn, no confirmation yet", len(got))
	})
	for _, want := range []string{"您的订单", "合计：", "€1,234.50"} {
		if !strings.Contains(subject+text, want) {
			t.Errorf("the confirmation lacks %q:\n%s\n%s", want, subject, text)
		}
	}
	if !strings.Contains(html, "€1,234.50") || !strings.Contains(html, `lang="zh"`) {
		t.Errorf("the HTML body is not Chinese with CLDR money:\n%s", html)
	}
	if strings.Contains(text, "Total") || strings.Contains(text, "1234.50") {
		t.Errorf("the confirmation has English words or unformatted money:\n%s", text)
	}
}

// Letters write money and times as the pages in their language do: yuan
// are "¥" in Chinese and "CN¥" in English, times CLDR's.
func TestLetterFormat(t *testing.T) {
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		lang, cny, eur, at string
	}{
		{"zh", "¥1,234.50", "€1,234.50", "2026年11月25日 12:00 UTC"},
		{"zh-CN", "¥1,234.50", "€1,234.50", "2026年11月25日 12:00 UTC"},
		{"en", "CN¥1,234.50", "€1,234.50", "Nov 25, 2026, 12:00 PM UTC"},
		{"", "CN¥1,234.50", "€1,234.50", "Nov 25, 2026, 12:00 PM UTC"},
	} {
		f := letterFmt(tt.lang)
		if got := f.money(123450, "CNY"); got != tt.cny {
			t.Errorf("%q: yuan %q, want %q", tt.lang, got, tt.cny)
		}
		if got := f.money(123450, "EUR"); got != tt.eur {
			t.Errorf("%q: euros %q, want %q", tt.lang, got, tt.eur)
		}
		if got := f.time(at); got != tt.at {
			t.Errorf("%q: time %q, want %q", tt.lang, got, tt.at)
		}
	}
	if letterFmt("zh").tag() != locale.Chinese {
		t.Error("a Chinese letter is not zh-CN")
	}
}
