package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"

	"github.com/fedmart/fedmart/node/web"
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
// The stream ends when the visitor leaves, the site closes, or the
// operator session ends (then a "signedout" event tells the page to
// reload into the sign-in page).
func (d *Dashboard) operatorEvents(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	var sentPeriods []byte // the last "settlement" data sent
	query := r.URL.Query()
	periodsToo := query.Get("settlement") != ""
	d.site.Stream(w, r, d.opts.EventInterval, func(w io.Writer) bool {
		if !d.sessionLive(sess) {
			fmt.Fprint(w, "event: signedout\ndata: {}\n\n")
			return false
		}
		if _, err := fmt.Fprintf(w, "event: members\ndata: %s\n\n", d.membersJSON(r.Context())); err != nil {
			return false
		}
		if !periodsToo {
			return true
		}
		if periods, ok := d.settlementJSON(r.Context(), query); ok && !bytes.Equal(periods, sentPeriods) {
			if _, err := fmt.Fprintf(w, "event: settlement\ndata: %s\n\n", periods); err != nil {
				return false
			}
			sentPeriods = periods
		}
		return true
	})
}

// membersJSON encodes the members table for one event. JSON holds no
// newline, which would end an event's data line.
func (d *Dashboard) membersJSON(ctx context.Context) []byte {
	rows := d.memberRows(ctx)
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
	Periods []web.PeriodRow `json:"periods"`
}

// settlementJSON encodes the settlement event of the page q follows: one
// period's with ?period=, the index's otherwise. ok is false when there
// is nothing to send: the periods or statements could not be read (no
// charter yet, or a failure the pages report on their own), or the
// period is unknown.
func (d *Dashboard) settlementJSON(ctx context.Context, q url.Values) (data []byte, ok bool) {
	list, err := d.deps.Settlement.Periods(ctx)
	if err != nil {
		return nil, false
	}
	var ev settlementEvent
	if name := q.Get("period"); name != "" {
		i := slices.IndexFunc(list, func(ps settlement.PeriodStatus) bool { return ps.Period == name })
		if i < 0 {
			return nil, false
		}
		sts, err := d.deps.Settlement.Statements(ctx, name)
		if err != nil {
			return nil, false
		}
		row := d.site.PeriodRow(list[i])
		ev = settlementEvent{Version: periodVersion(row, sts), Periods: []web.PeriodRow{row}}
	} else {
		v := settlementIndexOf(list, settlementQueryOf(q), d.site.Zone())
		ev = settlementEvent{Version: v.Version, Periods: v.Periods}
	}
	if ev.Periods == nil {
		ev.Periods = []web.PeriodRow{}
	}
	b, err := json.Marshal(ev)
	if err != nil { // strings only: cannot happen
		return nil, false
	}
	return b, true
}

// sessionLive reports whether an operator session is still good: not
// expired, and signed in with the operator token the node has now.
func (d *Dashboard) sessionLive(sess *web.Session) bool {
	return !d.sessions.Expired(sess) && d.isOperator(sess)
}
