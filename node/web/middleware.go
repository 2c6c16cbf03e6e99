package web

import (
	"net/http"
	"runtime/debug"
)

// contentSecurityPolicy allows only this node's own scripts, styles and
// forms; images may come from the merchants' hosts, over https only (the
// pages show no other image URL, see the storefront's safeImage, and use no data: URL).
const contentSecurityPolicy = "default-src 'self'; img-src 'self' https:; style-src 'self'; " +
	"script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// recover turns a handler panic into a 500 page and one log line.
func (s *Site) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("web: handler panic", "method", Clip(r.Method, MaxLoggedMethod), "path", Clip(r.URL.Path, MaxLoggedPath), "panic", v, "stack", string(debug.Stack()))
				s.Status(w, r, http.StatusInternalServerError, "Something went wrong",
					"The node could not complete the request. Its operator can find the details in its log.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// secureHeaders sets the headers every response carries.
func (s *Site) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		if s.opts.secure() {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// MaxUploadBytes caps the files a form uploads (a merchant's feed, a
// listing's pictures).
const MaxUploadBytes = 32 << 20

// AllowUpload lets a signed-in merchant post a body of up to
// MaxUploadBytes, and a little more for the rest of the form, to the
// paths pattern matches: a path, or a net/http pattern such as
// "/merchant/listings/{id}". Call it before Handler.
func (s *Site) AllowUpload(pattern string) {
	s.uploads.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
}

// AllowSignedPost exempts POSTs to pattern from the CSRF check: their
// handler authenticates them by a token signed by the node that the
// request carries (an e-mail's one-click unsubscribe link, which a mail
// client posts without any session). Call it before Handler.
func (s *Site) AllowSignedPost(pattern string) {
	s.signedPosts.HandleFunc(pattern, func(http.ResponseWriter, *http.Request) {})
}

// signedPostAllowed reports whether r posts to a path AllowSignedPost
// named.
func (s *Site) signedPostAllowed(r *http.Request) bool {
	_, pattern := s.signedPosts.Handler(r)
	return pattern != ""
}

// uploadAllowed reports whether r posts to a path AllowUpload named.
func (s *Site) uploadAllowed(r *http.Request) bool {
	_, pattern := s.uploads.Handler(r)
	return pattern != ""
}

// limitBody caps request bodies at Options.MaxFormBytes, except a signed-in
// merchant's upload to a path AllowUpload named: anyone else's stays
// small, so a stranger cannot make the node read a large body.
func (s *Site) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			limit := s.opts.MaxFormBytes
			if r.Method == http.MethodPost && s.uploadAllowed(r) {
				if sess, ok := s.sessions.Load(r); ok && sess.Merchant != "" {
					limit = max(limit, MaxUploadBytes+1<<20)
				}
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// Bounds on what a log line repeats of a request, whose method and path
// a client chooses (see Clip).
const (
	MaxLoggedMethod = 16
	MaxLoggedPath   = 256
)

// Clip cuts s to at most n bytes, marking the cut.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
