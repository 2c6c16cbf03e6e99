package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
)

// failure is what the error page shows.
type failure struct {
	Status  int
	Message string
}

// status renders the error page with a status, a title and a message.
func (wb *Web) status(w http.ResponseWriter, r *http.Request, code int, title, msg string) {
	wb.render(w, r, code, "error", &page{Title: title, NoIndex: true, Data: failure{Status: code, Message: msg}})
}

// notFound is the page of every unknown path and unknown listing.
func (wb *Web) notFound(w http.ResponseWriter, r *http.Request) {
	wb.status(w, r, http.StatusNotFound, "Page not found",
		"There is nothing here. The listing may have been taken down, or the link is mistyped.")
}

// statusOf is the one table from errors to page statuses.
func statusOf(err error) int {
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

// fail renders the page for err. Only unexpected errors are logged, and
// their text stays in the log: the page says what the visitor can do.
func (wb *Web) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch code := statusOf(err); code {
	case http.StatusNotFound:
		wb.notFound(w, r)
	case http.StatusBadRequest:
		wb.status(w, r, code, "Bad request", "The request could not be understood. Check the link and try again.")
	case http.StatusServiceUnavailable:
		wb.status(w, r, code, "Not available", "This node cannot answer right now. Try again in a moment.")
	default:
		wb.log.Error("web: request failed", "method", clip(r.Method, maxLoggedMethod), "path", clip(r.URL.Path, maxLoggedPath), "err", err)
		wb.status(w, r, code, "Something went wrong", "The node could not complete the request. Its operator can find the details in its log.")
	}
}

// formUnreadable answers a POST whose body could not be parsed.
func (wb *Web) formUnreadable(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		wb.status(w, r, http.StatusRequestEntityTooLarge, "Form too large",
			fmt.Sprintf("The form sent more than this node accepts (a feed file at most %d MiB). Shorten it and try again.", maxFeedBytes>>20))
		return
	}
	wb.status(w, r, http.StatusBadRequest, "Form unreadable", "The form could not be read. Reload the page and try again.")
}
