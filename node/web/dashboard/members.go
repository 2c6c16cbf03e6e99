package dashboard

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/fedmart/fedmart/node/web"
)

// A member is shown by whether it answers, not by whether a connection to
// it is open: a connection can stay open for a long while after the member
// behind it stopped answering pings (a cut cable, a frozen process), and
// only the pings tell. Beside it, what this node owes the member: the
// order messages in its outbox that the member has not acknowledged yet
// (which drain by themselves once it answers again) and the parked ones
// it refused for good (which wait for the operator, on the parked page).

// memberRow is one member as the members table shows it, in the page and
// in /operator/events: every cell is text, ready to show.
type memberRow struct {
	PeerID string `json:"peer_id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	// Protocol is the highest protocol level the member's build speaks:
	// "up to level 2", or "not known" while it is not connected.
	Protocol string `json:"protocol"`
	// Reach is "answering", "not answering for 12s" or "not connected";
	// Up is true when the member answers. ReachAt is since when it has
	// not answered (its last answer), RFC 3339, "" when it answers or
	// never did.
	Reach    string `json:"reach"`
	ReachAt  string `json:"reach_at"`
	Up       bool   `json:"up"`
	LastSeen string `json:"last_seen"` // "12s ago", "never"
	SeenAt   string `json:"seen_at"`   // RFC 3339, "" when never
	RTT      string `json:"rtt"`       // "3.2 ms", "" when not measured
	// Outbox is what this node's outbox holds for the member: "nothing
	// owed", "3 waiting, oldest 12s", or "unknown" when it could not be
	// read; Owed is true when messages wait, OutboxAt is when the oldest
	// was queued (RFC 3339, "" when none).
	Outbox   string `json:"outbox"`
	Owed     bool   `json:"owed"`
	OutboxAt string `json:"outbox_at"`
	// Parked counts the messages the member refused for good; ParkedURL
	// lists them ("" when none).
	Parked    int    `json:"parked"`
	ParkedURL string `json:"parked_url"`
	// Behind is the catalog replication lag: "up to date" or "12 records
	// behind".
	Behind string `json:"behind"`
	// Lagging is true when records of the member are known and not held;
	// BehindCount is how many.
	Lagging     bool   `json:"lagging"`
	BehindCount uint64 `json:"-"`
	// CaughtUp is when a catch-up with the member last completed: "caught
	// up 4s ago", or "not yet" when none has this run.
	CaughtUp string `json:"caught_up"`
	// CaughtUpAt is that time in RFC 3339, "" when none.
	CaughtUpAt string `json:"caught_up_at"`
}

// memberRows reads the members' current state, what this node owes each,
// and their replication lag. An outbox that cannot be read is logged and
// shown as unknown: the rest of the table still tells the operator a lot.
func (d *Dashboard) memberRows(ctx context.Context) []memberRow {
	now := d.site.Now()
	depths, err := d.deps.Orders.Outbox(ctx)
	if err != nil {
		d.site.Log().Error("web: reading the outbox", "err", err)
	}
	byPeer := make(map[string]order.OutboxDepth, len(depths))
	for _, d := range depths {
		byPeer[d.Peer] = d
	}
	var out []memberRow
	for _, m := range d.deps.Federation.Members() {
		row := memberRowOf(m, d.deps.Replication.Progress(m.PeerID), now)
		if err != nil {
			row.Outbox = "unknown"
		} else {
			row.outbox(byPeer[m.PeerID.String()], now)
		}
		out = append(out, row)
	}
	return out
}

// memberRowOf formats one member's state and replication progress at now;
// the outbox cells say nothing is owed until outbox fills them.
func memberRowOf(m federation.MemberState, pr replication.Progress, now time.Time) memberRow {
	row := memberRow{PeerID: m.PeerID.String(), Name: m.Name, Status: m.Status, LastSeen: web.Ago(now, m.LastSeen),
		Up: m.Connected && m.Reachable, Outbox: "nothing owed"}
	row.Reach, row.ReachAt = reachText(m, now)
	if !m.LastSeen.IsZero() {
		row.SeenAt = m.LastSeen.UTC().Format(time.RFC3339)
	}
	if m.RTT > 0 {
		row.RTT = fmt.Sprintf("%.1f ms", float64(m.RTT.Microseconds())/1000)
	}
	row.Protocol = "not known"
	if m.Protocol > 0 {
		row.Protocol = fmt.Sprintf("up to level %d", m.Protocol)
	}
	row.Behind, row.Lagging, row.BehindCount = lagText(pr.Behind), pr.Behind > 0, pr.Behind
	row.CaughtUp = "not yet"
	if !pr.CaughtUp.IsZero() {
		row.CaughtUp = "caught up " + web.Ago(now, pr.CaughtUp)
		row.CaughtUpAt = pr.CaughtUp.UTC().Format(time.RFC3339)
	}
	return row
}

// reachText says whether a member answers at now, and since when it has
// not (its last answer, RFC 3339; "" when it answers or never did).
func reachText(m federation.MemberState, now time.Time) (text, since string) {
	switch {
	case !m.Connected:
		return "not connected", ""
	case m.Reachable:
		return "answering", ""
	case m.LastSeen.IsZero():
		return "not answering", ""
	}
	return "not answering for " + web.Elapsed(now.Sub(m.LastSeen)), m.LastSeen.UTC().Format(time.RFC3339)
}

// outbox fills the outbox and parked cells from what this node owes the
// member.
func (row *memberRow) outbox(d order.OutboxDepth, now time.Time) {
	row.Outbox, row.Owed, row.Parked = outboxText(d, now), d.Messages > 0, d.Parked
	if d.Messages > 0 && !d.Oldest.IsZero() {
		row.OutboxAt = d.Oldest.UTC().Format(time.RFC3339)
	}
	if d.Parked > 0 {
		row.ParkedURL = "/operator/parked?peer=" + url.QueryEscape(row.PeerID)
	}
}

// outboxText describes the messages waiting for a member at now: "nothing
// owed", "1 waiting for 3s", "3 waiting, oldest 12s".
func outboxText(d order.OutboxDepth, now time.Time) string {
	age := ""
	if !d.Oldest.IsZero() {
		age = web.Elapsed(now.Sub(d.Oldest))
	}
	switch {
	case d.Messages == 0:
		return "nothing owed"
	case age == "":
		return fmt.Sprintf("%d waiting", d.Messages)
	case d.Messages == 1:
		return "1 waiting for " + age
	}
	return fmt.Sprintf("%d waiting, oldest %s", d.Messages, age)
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
