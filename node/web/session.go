package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Session is one browser's state. It lives only in a cookie signed with
// HMAC-SHA256, so the node keeps nothing per visitor and sessions survive
// restarts while Options.SessionSecret stays the same. A session starts
// when a page with a POST form is first shown (its CSRF token is tied to
// the session's ID), gets a new ID at every sign-in and sign-out, and ends
// Options.SessionTTL after it was issued.
type Session struct {
	// ID is 128 random bits; CSRF tokens are derived from it.
	ID string `json:"id"`
	// Issued is when the session (or its last sign-in) began, Unix seconds.
	Issued int64 `json:"iat"`
	// Merchant is the signed-in merchant's token, sealed (see Sessions.Seal):
	// kept so that a rotated token ends the session at once.
	Merchant string `json:"m,omitempty"`
	// Operator is the HMAC of the operator token the operator signed in
	// with, so that a changed token ends the session.
	Operator string `json:"o,omitempty"`
	// Values hold what later pages keep per visitor (shopper, cart).
	Values map[string]string `json:"v,omitempty"`
}

// maxCookieBytes keeps the cookie under the 4 KiB browsers keep.
const maxCookieBytes = 3800

// Sessions encodes, signs, checks and seals sessions. Its fields are set
// once by newSessions.
type Sessions struct {
	name   string // cookie name
	secure bool
	ttl    time.Duration
	now    func() time.Time
	mac    []byte // key of the cookie signature
	csrf   []byte // key of CSRF tokens
	op     []byte // key of operator token fingerprints
	aead   cipher.AEAD
}

// newSessions derives one key per purpose from secret. port is the
// explicit port of the pages' URL, "" for the scheme's default: browsers
// share cookies between the ports of one host, so two nodes on one host
// (a demo on localhost) must not use the same cookie name, or signing in
// on one would sign the visitor out of the other.
func newSessions(secret []byte, secure bool, port string, ttl time.Duration, now func() time.Time) *Sessions {
	s := &Sessions{name: "fedmart_session", secure: secure, ttl: ttl, now: now,
		mac: derive(secret, "mac"), csrf: derive(secret, "csrf"), op: derive(secret, "operator")}
	if secure {
		s.name = "__Host-fedmart_session" // Secure, Path=/, no Domain: set by this host only
	}
	if port != "" {
		s.name += "_" + port
	}
	block, _ := aes.NewCipher(derive(secret, "seal")) // a 32-byte key never fails
	s.aead, _ = cipher.NewGCM(block)                  // nor does GCM over AES
	return s
}

// derive returns the key for one purpose: HMAC-SHA256(secret, label).
func derive(secret []byte, label string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("fedmart/web/v1/" + label))
	return m.Sum(nil)
}

// New returns a session with a fresh random ID, issued now.
func (s *Sessions) New() *Session {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return &Session{ID: base64.RawURLEncoding.EncodeToString(b[:]), Issued: s.now().Unix()}
}

// Load returns the request's session, or false when it has none, or one
// that is forged, malformed or expired.
func (s *Sessions) Load(r *http.Request) (*Session, bool) {
	c, err := r.Cookie(s.name)
	if err != nil {
		return nil, false
	}
	payload, sig, ok := strings.Cut(c.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(payload))) {
		return nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, false
	}
	var sess Session
	if json.Unmarshal(raw, &sess) != nil || sess.ID == "" {
		return nil, false
	}
	age := s.now().Sub(time.Unix(sess.Issued, 0))
	if age >= s.ttl || age < -time.Minute {
		return nil, false
	}
	return &sess, true
}

// sign returns the cookie signature of an encoded payload; the cookie's
// name is signed with it, so a value cannot move to another cookie.
func (s *Sessions) sign(payload string) string {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(s.name + "\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// errCookieTooLarge is returned when a session outgrows a cookie.
var errCookieTooLarge = errors.New("web: session does not fit in a cookie")

// Save sets the session cookie: HttpOnly, SameSite=Lax, Secure over
// https, expiring with the session.
func (s *Sessions) Save(w http.ResponseWriter, sess *Session) error {
	raw, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	payload := base64.RawURLEncoding.EncodeToString(raw)
	value := payload + "." + s.sign(payload)
	if len(value) > maxCookieBytes {
		return errCookieTooLarge
	}
	left := time.Unix(sess.Issued, 0).Add(s.ttl).Sub(s.now())
	http.SetCookie(w, &http.Cookie{Name: s.name, Value: value, Path: "/", MaxAge: max(int(left.Seconds()), 1),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// Start returns the request's session, creating and saving one when it
// has none.
func (s *Sessions) Start(w http.ResponseWriter, r *http.Request) (*Session, error) {
	if sess, ok := s.Load(r); ok {
		return sess, nil
	}
	sess := s.New()
	return sess, s.Save(w, sess)
}

// Renew gives sess a new ID and issue time, so that a session fixed
// before a sign-in (or sign-out) is not the one after it. The CSRF token
// changes with the ID.
func (s *Sessions) Renew(sess *Session) {
	fresh := s.New()
	sess.ID, sess.Issued = fresh.ID, fresh.Issued
}

// Seal encrypts a secret kept in the cookie (AES-256-GCM, random nonce),
// so that a copied cookie does not reveal a long-lived token.
func (s *Sessions) Seal(label, secret string) string {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(secret)+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(secret), []byte(label)))
}

// Open decrypts what Seal produced with the same label.
func (s *Sessions) Open(label, sealed string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", false
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(label))
	return string(plain), err == nil
}

// Fingerprint is a keyed hash of a token, safe to keep in a cookie.
func (s *Sessions) Fingerprint(token string) string {
	m := hmac.New(sha256.New, s.op)
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Name is the session cookie's name.
func (s *Sessions) Name() string { return s.name }

// Expired reports whether sess is past Options.SessionTTL, as a session
// held open (an event stream) may become.
func (s *Sessions) Expired(sess *Session) bool {
	return !s.now().Before(time.Unix(sess.Issued, 0).Add(s.ttl))
}
