package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// CSRF protection: every POST form carries a token derived from the
// session's ID with a key of its own, and the request is refused unless the
// token matches the session cookie that came with it. A forged cross-site
// form cannot read the token; SameSite=Lax cookies are a second line.

// csrfField is the name of the hidden form input; csrfHeader carries the
// token for requests a script sends.
const (
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

// CSRFToken returns the CSRF token of sess.
func (s *Sessions) CSRFToken(sess *Session) string {
	m := hmac.New(sha256.New, s.csrf)
	m.Write([]byte(sess.ID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// validCSRF reports, in constant time, whether token is sess's.
func (s *Sessions) validCSRF(sess *Session, token string) bool {
	return token != "" && hmac.Equal([]byte(token), []byte(s.CSRFToken(sess)))
}

// unsafeMethod reports whether a request may change state.
func unsafeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// ParseForm reads a form body, a multipart one (a file upload) too,
// keeping up to formMemoryBytes of it in memory and the rest in temporary
// files; called again it does nothing.
func ParseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(formMemoryBytes)
	}
	return r.ParseForm()
}

// formMemoryBytes is how much of a multipart body is kept in memory.
const formMemoryBytes = 8 << 20

// checkCSRF refuses, with a 403 page, every state-changing request that
// does not carry its session's CSRF token. It runs before any route, so a
// POST handler added later is protected without doing anything; it also
// parses the form (a multipart one too), so handlers read r.PostForm.
func (s *Site) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !unsafeMethod(r.Method) {
			next.ServeHTTP(w, r)
			return
		}
		if s.signedPostAllowed(r) { // the handler checks the link's signature
			if err := ParseForm(r); err != nil {
				s.FormUnreadable(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		// Without a session no token can be right: refuse before reading
		// a body that may be a large upload.
		sess, ok := s.sessions.Load(r)
		if ok {
			if err := ParseForm(r); err != nil { // the body is already capped
				s.FormUnreadable(w, r, err)
				return
			}
		}
		token := r.Header.Get(csrfHeader)
		if token == "" && ok {
			token = r.PostForm.Get(csrfField)
		}
		if !ok || !s.sessions.validCSRF(sess, token) {
			s.Status(w, r, http.StatusForbidden, "Form refused",
				"This form was not sent from this site's current page, or your session expired. Go back, reload the page and try again.")
			return
		}
		next.ServeHTTP(w, r)
	})
}
