package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/fedmart/fedmart/settlement"
)

// operatorEvents streams the dashboard's live data as server-sent events,
// at once and then every Options.EventInterval: GET /operator/events.
//
//   - "members" (every time): a JSON array of memberRow, the members table.
//   - "settlement" (asked for with ?settlement=1, as the settlement pages
//     do, since it reads every period's statuses; sent at once and then
//     whenever it changed): a settlementEvent, the version of the page the
//     rest of the query names (the index's show and before, or one period)
//     as the server would render it now, and that page's periods. A page
//     whose version differs fetches itself again.
//
// The stream ends when the visitor leaves, Close is called, or the
// operator session ends (then a "signedout" event tells the page to
// reload into the sign-in page).
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
	var sentPeriods []byte // the last "settlement" data sent
	query := r.URL.Query()
	periodsToo := query.Get("settlement") != ""
	for {
		// The server's WriteTimeout would cut the stream; each event gets
		// its own deadline instead (where the writer supports one).
		_ = rc.SetWriteDeadline(time.Now().Add(wb.opts.EventInterval + 10*time.Second))
		if !wb.sessionLive(sess) {
			fmt.Fprint(w, "event: signedout\ndata: {}\n\n")
			_ = rc.Flush()
			return
		}
		if _, err := fmt.Fprintf(w, "event: members\ndata: %s\n\n", wb.membersJSON(r.Context())); err != nil {
			return
		}
		if periodsToo {
			if periods, ok := wb.settlementJSON(r.Context(), query); ok && !bytes.Equal(periods, sentPeriods) {
				if _, err := fmt.Fprintf(w, "event: settlement\ndata: %s\n\n", periods); err != nil {
					return
				}
				sentPeriods = periods
			}
		}
		if err := rc.Flush(); err != nil {
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
func (wb *Web) membersJSON(ctx context.Context) []byte {
	rows := wb.memberRows(ctx)
	if rows == nil {
		rows = []memberRow{}
	}
	b, err := json.Marshal(rows)
	if err != nil { // strings, bools and ints only: cannot happen
		return []byte("[]")
	}
	return b
}

// settlementEvent is the data of a "settlement" event.
type settlementEvent struct {
	// Version is the version of the page followed (the index's or a
	// period's Version).
	Version string `json:"version"`
	// Periods are the periods that page lists (the period itself on a
	// period's page), newest first.
	Periods []periodRow `json:"periods"`
}

// settlementJSON encodes the settlement event of the page q follows: one
// period's with ?period=, the index's otherwise. ok is false when there
// is nothing to send: the periods or statements could not be read (no
// charter yet, or a failure the pages report on their own), or the
// period is unknown.
func (wb *Web) settlementJSON(ctx context.Context, q url.Values) (data []byte, ok bool) {
	list, err := wb.deps.Settlement.Periods(ctx)
	if err != nil {
		return nil, false
	}
	var ev settlementEvent
	if name := q.Get("period"); name != "" {
		i := slices.IndexFunc(list, func(ps settlement.PeriodStatus) bool { return ps.Period == name })
		if i < 0 {
			return nil, false
		}
		sts, err := wb.deps.Settlement.Statements(ctx, name)
		if err != nil {
			return nil, false
		}
		row := periodRowOf(list[i])
		ev = settlementEvent{Version: periodVersion(row, sts), Periods: []periodRow{row}}
	} else {
		v := settlementIndexOf(list, settlementQueryOf(q))
		ev = settlementEvent{Version: v.Version, Periods: v.Periods}
	}
	if ev.Periods == nil {
		ev.Periods = []periodRow{}
	}
	b, err := json.Marshal(ev)
	if err != nil { // strings only: cannot happen
		return nil, false
	}
	return b, true
}

// sessionLive reports whether an operator session is still good: not
// expired, and signed in with the operator token the node has now.
func (wb *Web) sessionLive(sess *session) bool {
	return wb.now().Before(time.Unix(sess.Issued, 0).Add(wb.opts.SessionTTL)) && wb.isOperator(sess)
}
