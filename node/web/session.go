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

// session is one browser's state. It lives only in a cookie signed with
// HMAC-SHA256, so the node keeps nothing per visitor and sessions survive
// restarts while Options.SessionSecret stays the same. A session starts
// when a page with a POST form is first shown (its CSRF token is tied to
// the session's ID), gets a new ID at every sign-in and sign-out, and ends
// Options.SessionTTL after it was issued.
type session struct {
	// ID is 128 random bits; CSRF tokens are derived from it.
	ID string `json:"id"`
	// Issued is when the session (or its last sign-in) began, Unix seconds.
	Issued int64 `json:"iat"`
	// Merchant is the signed-in merchant's token, sealed (see sessions.seal):
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

// sessions encodes, signs, checks and seals sessions. Its fields are set
// once by newSessions.
type sessions struct {
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
func newSessions(secret []byte, secure bool, port string, ttl time.Duration, now func() time.Time) *sessions {
	s := &sessions{name: "fedmart_session", secure: secure, ttl: ttl, now: now,
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

// newSession returns a session with a fresh random ID, issued now.
func (s *sessions) newSession() *session {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return &session{ID: base64.RawURLEncoding.EncodeToString(b[:]), Issued: s.now().Unix()}
}

// load returns the request's session, or false when it has none, or one
// that is forged, malformed or expired.
func (s *sessions) load(r *http.Request) (*session, bool) {
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
	var sess session
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
func (s *sessions) sign(payload string) string {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(s.name + "\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// errCookieTooLarge is returned when a session outgrows a cookie.
var errCookieTooLarge = errors.New("web: session does not fit in a cookie")

// save sets the session cookie: HttpOnly, SameSite=Lax, Secure over
// https, expiring with the session.
func (s *sessions) save(w http.ResponseWriter, sess *session) error {
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

// start returns the request's session, creating and saving one when it
// has none.
func (s *sessions) start(w http.ResponseWriter, r *http.Request) (*session, error) {
	if sess, ok := s.load(r); ok {
		return sess, nil
	}
	sess := s.newSession()
	return sess, s.save(w, sess)
}

// renew gives sess a new ID and issue time, so that a session fixed
// before a sign-in (or sign-out) is not the one after it. The CSRF token
// changes with the ID.
func (s *sessions) renew(sess *session) {
	fresh := s.newSession()
	sess.ID, sess.Issued = fresh.ID, fresh.Issued
}

// seal encrypts a secret kept in the cookie (AES-256-GCM, random nonce),
// so that a copied cookie does not reveal a long-lived token.
func (s *sessions) seal(label, secret string) string {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(secret)+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(secret), []byte(label)))
}

// open decrypts what seal produced with the same label.
func (s *sessions) open(label, sealed string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", false
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(label))
	return string(plain), err == nil
}

// fingerprint is a keyed hash of a token, safe to keep in a cookie.
func (s *sessions) fingerprint(token string) string {
	m := hmac.New(sha256.New, s.op)
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
