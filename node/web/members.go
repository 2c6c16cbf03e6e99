package web

import (
	"fmt"
	"time"

	"github.com/fedmart/fedmart/federation"
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
}

// memberRows reads the members' current state.
func (wb *Web) memberRows() []memberRow {
	now := wb.now()
	var out []memberRow
	for _, m := range wb.deps.Federation.Members() {
		out = append(out, memberRowOf(m, now))
	}
	return out
}

// memberRowOf formats one member's state at now.
func memberRowOf(m federation.MemberState, now time.Time) memberRow {
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
	return row
}
