package web

import (
	"fmt"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/replication"
)

// memberRow is one member as the members table shows it, in the page and
// in /operator/events: every cell is text, ready to show.
type memberRow struct {
	PeerID    string `json:"peer_id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Connected string `json:"connected"` // "yes" or "no"
	LastSeen  string `json:"last_seen"` // "12s ago", "never"
	SeenAt    string `json:"seen_at"`   // RFC 3339, "" when never
	RTT       string `json:"rtt"`       // "3.2 ms", "" when not measured
	Up        bool   `json:"up"`
	// Behind is the catalog replication lag: "up to date" or "12 records
	// behind".
	Behind string `json:"behind"`
	// Lagging is true when records of the member are known and not held.
	Lagging bool `json:"lagging"`
	// CaughtUp is when a catch-up with the member last completed: "caught
	// up 4s ago", or "not yet" when none has this run.
	CaughtUp string `json:"caught_up"`
	// CaughtUpAt is that time in RFC 3339, "" when none.
	CaughtUpAt string `json:"caught_up_at"`
}

// memberRows reads the members' current state and replication lag.
func (wb *Web) memberRows() []memberRow {
	now := wb.now()
	var out []memberRow
	for _, m := range wb.deps.Federation.Members() {
		out = append(out, memberRowOf(m, wb.deps.Replication.Progress(m.PeerID), now))
	}
	return out
}

// memberRowOf formats one member's state and replication progress at now.
func memberRowOf(m federation.MemberState, pr replication.Progress, now time.Time) memberRow {
	row := memberRow{PeerID: m.PeerID.String(), Name: m.Name, Status: m.Status, Connected: "no",
		LastSeen: ago(now, m.LastSeen), Up: m.Connected}
	if m.Connected {
		row.Connected = "yes"
	}
	if !m.LastSeen.IsZero() {
		row.SeenAt = m.LastSeen.UTC().Format(time.RFC3339)
	}
	if m.RTT > 0 {
		row.RTT = fmt.Sprintf("%.1f ms", float64(m.RTT.Microseconds())/1000)
	}
	row.Behind, row.Lagging = lagText(pr.Behind), pr.Behind > 0
	row.CaughtUp = "not yet"
	if !pr.CaughtUp.IsZero() {
		row.CaughtUp = "caught up " + ago(now, pr.CaughtUp)
		row.CaughtUpAt = pr.CaughtUp.UTC().Format(time.RFC3339)
	}
	return row
}

// lagText describes how many records of a member this node lacks.
func lagText(behind uint64) string {
	switch behind {
	case 0:
		return "up to date"
	case 1:
		return "1 record behind"
	}
	return fmt.Sprintf("%d records behind", behind)
}
