package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
)

// failure is what the error page shows.
type failure struct {
	Status  int
	Message string
}

// Status renders the error page with a status, a title and a message.
func (s *Site) Status(w http.ResponseWriter, r *http.Request, code int, title, msg string) {
	s.pages.Render(w, r, code, "error", &Page{Title: title, NoIndex: true, Data: failure{Status: code, Message: msg}})
}

// NotFound is the page of every unknown path and unknown listing.
func (s *Site) NotFound(w http.ResponseWriter, r *http.Request) {
	s.Status(w, r, http.StatusNotFound, s.T(r, "failure.not_found"), s.T(r, "failure.not_found_text"))
}

// StatusOf is the one table from errors to page statuses.
func StatusOf(err error) int {
	switch {
	case errors.Is(err, catalog.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, catalog.ErrInvalid), errors.Is(err, search.ErrInvalidQuery):
		return http.StatusBadRequest
	case errors.Is(err, federation.ErrNoCharter), errors.Is(err, catalog.ErrUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Fail renders the page for err. Only unexpected errors are logged, and
// their text stays in the log: the page says what the visitor can do.
func (s *Site) Fail(w http.ResponseWriter, r *http.Request, err error) {
	switch code := StatusOf(err); code {
	case http.StatusNotFound:
		s.NotFound(w, r)
	case http.StatusBadRequest:
		s.Status(w, r, code, s.T(r, "failure.bad_request"), s.T(r, "failure.bad_request_text"))
	case http.StatusServiceUnavailable:
		s.Status(w, r, code, s.T(r, "failure.unavailable"), s.T(r, "failure.unavailable_text"))
	default:
		s.log.Error("web: request failed", "method", Clip(r.Method, MaxLoggedMethod), "path", Clip(r.URL.Path, MaxLoggedPath), "err", err)
		s.Status(w, r, code, s.T(r, "failure.internal"), s.T(r, "failure.internal_text"))
	}
}

// FormUnreadable answers a POST whose body could not be parsed.
func (s *Site) FormUnreadable(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.Status(w, r, http.StatusRequestEntityTooLarge, s.T(r, "failure.too_large"), s.T(r, "failure.too_large_text", "MiB", MaxUploadBytes>>20))
		return
	}
	s.Status(w, r, http.StatusBadRequest, s.T(r, "failure.unreadable"), s.T(r, "failure.unreadable_text"))
}

// FailOrder renders the page for an error of the order service; what it
// does not know, Fail does.
func (s *Site) FailOrder(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, order.ErrNotFound):
		s.NotFound(w, r)
	case errors.Is(err, order.ErrUnavailable):
		s.Status(w, r, http.StatusServiceUnavailable, s.T(r, "failure.unavailable"), s.T(r, "failure.platform_unavailable_text"))
	case errors.Is(err, order.ErrInvalid):
		s.Status(w, r, http.StatusBadRequest, s.T(r, "failure.bad_request"), s.T(r, "failure.bad_request_text"))
	default:
		s.Fail(w, r, err)
	}
}
