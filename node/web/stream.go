package web

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// Server-sent events: a page that shows live data opens an EventSource
// on a stream the server writes events to at once and then at a steady
// interval. The stream ends when the visitor leaves, when the site
// closes (Close, at shutdown), or when the page's own send says so.

// Stream answers r with an event stream: it sends the headers and the
// browser's reconnection delay, then calls send at once and every
// interval, flushing after each call, until the client leaves, the site
// closes, send returns false, or the client cannot be written to.
// send writes whole events ("event: NAME\ndata: JSON\n\n").
func (s *Site) Stream(w http.ResponseWriter, r *http.Request, interval time.Duration, send func(w io.Writer) (more bool)) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // tell a proxy in front not to buffer
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: %d\n\n", (2 * interval).Milliseconds())
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		// The server's WriteTimeout would cut the stream; each event gets
		// its own deadline instead (where the writer supports one).
		_ = rc.SetWriteDeadline(time.Now().Add(interval + 10*time.Second))
		more := send(w)
		if err := rc.Flush(); err != nil || !more {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-tick.C:
		}
	}
}
