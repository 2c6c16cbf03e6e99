package mail

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message a test SMTP server accepted.
type received struct {
	from  string
	rcpts []string
	user  string // who authenticated, if anyone
	tls   bool
	data  []byte
}

// smtpServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1 that
// keeps what it accepts. refuse, while above zero, answers that many DATA
// commands with 451 (try again later); fail answers every one with 550.
type smtpServer struct {
	srv  *smtp.Server
	addr *net.TCPAddr
	// user and pass, when set, are required (AUTH PLAIN).
	user, pass string
	// roots trust the server's certificate, for clients.
	roots *x509.CertPool

	// mu guards got, refuse, fail and tries.
	mu     sync.Mutex
	got    []received
	refuse int
	fail   bool
	tries  int
}

// startSMTP starts a server offering STARTTLS with a certificate for
// 127.0.0.1; implicit, when true, speaks TLS from the first byte.
func startSMTP(t *testing.T, implicit bool) *smtpServer {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	ts.StartTLS() // only for its certificate for 127.0.0.1
	cert, roots := ts.TLS.Certificates[0], x509.NewCertPool()
	roots.AddCert(ts.Certificate())
	ts.Close()
	s := &smtpServer{roots: roots}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, c: c}, nil }))
	s.srv.Domain = "localhost"
	s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	s.srv.AllowInsecureAuth = false
	var l net.Listener
	var err error
	if implicit {
		l, err = tls.Listen("tcp", "127.0.0.1:0", s.srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().(*net.TCPAddr)
	go func() { _ = s.srv.Serve(l) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// config is a mail config that reaches the server.
func (s *smtpServer) config(mode string) Config {
	c := DefaultConfig()
	c.Host, c.Port, c.TLS, c.From = "127.0.0.1", s.addr.Port, mode, "Alpha Market <shop@alpha.example>"
	return c
}

func (s *smtpServer) tlsConfig() *tls.Config {
	return &tls.Config{RootCAs: s.roots, ServerName: "127.0.0.1"}
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

func (s *smtpServer) attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tries
}

func (s *smtpServer) String() string { return "127.0.0.1:" + strconv.Itoa(s.addr.Port) }

// session is one SMTP connection.
type session struct {
	s    *smtpServer
	c    *smtp.Conn
	user string
	cur  received
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.user || pass != x.s.pass {
			return errors.New("invalid username or password")
		}
		x.user = user
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.user != "" && x.user == "" {
		return smtp.ErrAuthRequired
	}
	_, isTLS := x.c.TLSConnectionState()
	x.cur = received{from: from, user: x.user, tls: isTLS}
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.cur.rcpts = append(x.cur.rcpts, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.tries++
	switch {
	case x.s.fail:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	case x.s.refuse > 0:
		x.s.refuse--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	x.cur.data = b
	x.s.got = append(x.s.got, x.cur)
	return nil
}

func (x *session) Reset()        { x.cur = received{} }
func (x *session) Logout() error { return nil }
