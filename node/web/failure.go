package web

import (
	"context"
	"errors"
	"fmt"
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
	s.Status(w, r, http.StatusNotFound, "Page not found",
		"There is nothing here. The listing may have been taken down, or the link is mistyped.")
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
		s.Status(w, r, code, "Bad request", "The request could not be understood. Check the link and try again.")
	case http.StatusServiceUnavailable:
		s.Status(w, r, code, "Not available", "This node cannot answer right now. Try again in a moment.")
	default:
		s.log.Error("web: request failed", "method", Clip(r.Method, MaxLoggedMethod), "path", Clip(r.URL.Path, MaxLoggedPath), "err", err)
		s.Status(w, r, code, "Something went wrong", "The node could not complete the request. Its operator can find the details in its log.")
	}
}

// FormUnreadable answers a POST whose body could not be parsed.
func (s *Site) FormUnreadable(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.Status(w, r, http.StatusRequestEntityTooLarge, "Form too large",
			fmt.Sprintf("The form sent more than this node accepts (a feed file at most %d MiB). Shorten it and try again.", MaxUploadBytes>>20))
		return
	}
	s.Status(w, r, http.StatusBadRequest, "Form unreadable", "The form could not be read. Reload the page and try again.")
}

// FailOrder renders the page for an error of the order service; what it
// does not know, Fail does.
func (s *Site) FailOrder(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, order.ErrNotFound):
		s.NotFound(w, r)
	case errors.Is(err, order.ErrUnavailable):
		s.Status(w, r, http.StatusServiceUnavailable, "Not available",
			"A merchant's platform could not be reached. Nothing was changed; try again in a moment.")
	case errors.Is(err, order.ErrInvalid):
		s.Status(w, r, http.StatusBadRequest, "Bad request", "The request could not be understood. Check the link and try again.")
	default:
		s.Fail(w, r, err)
	}
}
