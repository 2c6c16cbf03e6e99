package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// operatorEvents streams the members table as server-sent events, one
// "members" event (a JSON array of memberRow) at once and then every
// Options.EventInterval: GET /operator/events. The stream ends when the
// visitor leaves, Close is called, or the operator session ends (then a
// "signedout" event tells the page to reload into the sign-in page).
func (wb *Web) operatorEvents(w http.ResponseWriter, r *http.Request, sess *session) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // tell a proxy in front not to buffer
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: %d\n\n", (2 * wb.opts.EventInterval).Milliseconds())
	tick := time.NewTicker(wb.opts.EventInterval)
	defer tick.Stop()
	for {
		// The server's WriteTimeout would cut the stream; each event gets
		// its own deadline instead (where the writer supports one).
		_ = rc.SetWriteDeadline(time.Now().Add(wb.opts.EventInterval + 10*time.Second))
		event, data := "members", wb.membersJSON()
		if !wb.sessionLive(sess) {
			event, data = "signedout", []byte("{}")
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			return
		}
		if err := rc.Flush(); err != nil || event == "signedout" {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-wb.done:
			return
		case <-tick.C:
		}
	}
}

// membersJSON encodes the members table for one event. JSON holds no
// newline, which would end an event's data line.
func (wb *Web) membersJSON() []byte {
	rows := wb.memberRows()
	if rows == nil {
		rows = []memberRow{}
	}
	b, err := json.Marshal(rows)
	if err != nil { // strings and bools only: cannot happen
		return []byte("[]")
	}
	return b
}

// sessionLive reports whether an operator session is still good: not
// expired, and signed in with the operator token the node has now.
func (wb *Web) sessionLive(sess *session) bool {
	return wb.now().Before(time.Unix(sess.Issued, 0).Add(wb.opts.SessionTTL)) && wb.isOperator(sess)
}
