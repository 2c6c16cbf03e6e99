package web

import (
	"net/http"
	"runtime/debug"
)

// contentSecurityPolicy allows only this node's own scripts, styles and
// forms; images may come from the merchants' hosts, over https only (the
// pages show no other image URL, see safeImage, and use no data: URL).
const contentSecurityPolicy = "default-src 'self'; img-src 'self' https:; style-src 'self'; " +
	"script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// recover turns a handler panic into a 500 page and one log line.
func (wb *Web) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				wb.log.Error("web: handler panic", "method", clip(r.Method, maxLoggedMethod), "path", clip(r.URL.Path, maxLoggedPath), "panic", v, "stack", string(debug.Stack()))
				wb.status(w, r, http.StatusInternalServerError, "Something went wrong",
					"The node could not complete the request. Its operator can find the details in its log.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// secureHeaders sets the headers every response carries.
func (wb *Web) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		if wb.opts.secure() {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody caps request bodies at Options.MaxFormBytes, except a signed-in
// merchant's feed upload, which may hold a feed of maxFeedBytes: anyone
// else's stays small, so a stranger cannot make the node read a large body.
func (wb *Web) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			limit := wb.opts.MaxFormBytes
			if r.Method == http.MethodPost && r.URL.Path == feedUploadPath {
				if sess, ok := wb.sessions.load(r); ok && sess.Merchant != "" {
					limit = max(limit, maxFeedBytes+1<<20)
				}
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// Bounds on what a log line repeats of a request, whose method and path
// a client chooses.
const (
	maxLoggedMethod = 16
	maxLoggedPath   = 256
)

// clip cuts s to at most n bytes, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
