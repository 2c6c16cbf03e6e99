package dashboard

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/fedmart/fedmart/internal/testwait"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestMembersPageShowsReplicationLag(t *testing.T) {
	h := newHarness(t)
	h.repl.set(h.Other.ID, replication.Progress{Head: 12, Mark: 5, Behind: 7, CaughtUp: h.Clock.Now().Add(-4 * time.Second)})
	r := h.operator().Get("/operator/members")
	webtest.WantStatus(t, r, http.StatusOK)
	for _, want := range []string{
		`<tr data-peer="` + h.Other.ID.String() + `">`,
		`<td class="reach" data-label="Answers"><span class="state up">answering</span></td>`,
		`<span class="lag behind">7 records behind</span>`,
		`>caught up 4 s ago</time>`,
		"/static/dashboard.css?v=",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("members page lacks %s", want)
		}
	}

	if !strings.Contains(r.Body, `<td class="protocol" data-label="Protocol">not known</td>`) {
		t.Error("the members page does not say the level of a build it was not told")
	}

	h.repl.set(h.Other.ID, replication.Progress{Head: 12, Mark: 12})
	h.Fed.Edit(func(_ **federation.SignedCharter, states *[]federation.MemberState) {
		(*states)[0].Protocol = federation.ProtocolLevel
	})
	r = h.operator().Get("/operator/members")
	for _, want := range []string{`<span class="lag current">up to date</span>`, `<td class="caught-up" data-label="Last catch-up">not yet</td>`,
		fmt.Sprintf(`<td class="protocol" data-label="Protocol">up to level %d</td>`, federation.ProtocolLevel)} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("members page lacks %s", want)
		}
	}
}

func TestLagText(t *testing.T) {
	for behind, want := range map[uint64]string{0: "up to date", 1: "1 record behind", 2: "2 records behind", 1500: "1500 records behind"} {
		if got := lagText(behind); got != want {
			t.Errorf("lagText(%d) = %q, want %q", behind, got, want)
		}
	}
}

func TestMembersEventCarriesLag(t *testing.T) {
	h := newHarness(t)
	h.repl.set(h.Other.ID, replication.Progress{Head: 3, Mark: 2, Behind: 1, CaughtUp: h.Clock.Now().Add(-2 * time.Minute)})
	lines := openEvents(t, h, h.operator(), "/operator/events")
	for nextLine(t, lines) != "event: members" {
	}
	data, ok := strings.CutPrefix(nextLine(t, lines), "data: ")
	if !ok {
		t.Fatal("the members event has no data line")
	}
	var rows []memberRow
	if err := json.Unmarshal([]byte(data), &rows); err != nil {
		t.Fatalf("members data %q: %v", data, err)
	}
	want := memberRow{PeerID: h.Other.ID.String(), Reach: "answering", Behind: "1 record behind", Lagging: true,
		CaughtUp: "caught up 2 min ago", CaughtUpAt: h.Clock.Now().Add(-2 * time.Minute).Format(time.RFC3339)}
	if len(rows) != 1 {
		t.Fatalf("members event = %+v", rows)
	}
	got := rows[0]
	if got.PeerID != want.PeerID || got.Reach != want.Reach || got.Behind != want.Behind || got.Lagging != want.Lagging ||
		got.CaughtUp != want.CaughtUp || got.CaughtUpAt != want.CaughtUpAt {
		t.Errorf("members event row = %+v, want the lag of %+v", got, want)
	}
}

// A member is shown by whether it answers, not by whether a connection is
// open; beside it, what this node owes it.
func TestMembersPageShowsReachabilityAndOutbox(t *testing.T) {
	h := newHarness(t)
	other := h.Other.ID.String()
	now := h.Clock.Now()
	cases := []struct {
		name               string
		connected, answers bool
		lastSeen           time.Time
		depth              order.OutboxDepth
		want               []string
	}{
		{"answering, nothing owed", true, true, now.Add(-time.Second), order.OutboxDepth{},
			[]string{`<span class="state up">answering</span>`, `<span class="lag current">nothing owed</span>`, `<td class="parked" data-label="Parked">none</td>`}},
		{"connected, not answering", true, false, now.Add(-12 * time.Second),
			order.OutboxDepth{Peer: other, Messages: 3, Oldest: now.Add(-12 * time.Second)},
			[]string{`<span class="state down"><time datetime="` + now.Add(-12*time.Second).Format(time.RFC3339) + `">not answering for 12 s</time></span>`,
				`<span class="lag behind"><time datetime="` + now.Add(-12*time.Second).Format(time.RFC3339) + `">3 waiting, oldest 12 s</time></span>`}},
		{"not connected, parked", false, false, now.Add(-5 * time.Minute),
			order.OutboxDepth{Peer: other, Messages: 1, Oldest: now.Add(-4 * time.Minute), Parked: 2},
			[]string{`<span class="state down">not connected</span>`, ">1 waiting for 4 min</time>",
				`<a class="parked-count" href="/operator/parked?peer=` + other + `">2 parked</a>`}},
	}
	b := h.operator()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h.Fed.Edit(func(_ **federation.SignedCharter, states *[]federation.MemberState) {
				(*states)[0].Connected, (*states)[0].Reachable, (*states)[0].LastSeen = c.connected, c.answers, c.lastSeen
			})
			h.orders.setOutbox(c.depth)
			r := b.Get("/operator/members")
			webtest.WantStatus(t, r, http.StatusOK)
			for _, want := range c.want {
				if !strings.Contains(r.Body, want) {
					t.Errorf("members page lacks %s", want)
				}
			}
		})
	}
	// An outbox that cannot be read leaves the rest of the table.
	h.orders.setOutboxErr(errors.New("disk on fire"))
	r := b.Get("/operator/members")
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `<span class="lag current">unknown</span>`) || !strings.Contains(r.Body, "Beta Bazaar") {
		t.Error("an unreadable outbox is not shown as unknown")
	}
}

func TestOutboxText(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		d    order.OutboxDepth
		want string
	}{
		{order.OutboxDepth{}, "nothing owed"},
		{order.OutboxDepth{Parked: 3}, "nothing owed"},
		{order.OutboxDepth{Messages: 1, Oldest: now.Add(-3 * time.Second)}, "1 waiting for 3 s"},
		{order.OutboxDepth{Messages: 3, Oldest: now.Add(-12 * time.Second)}, "3 waiting, oldest 12 s"},
		{order.OutboxDepth{Messages: 40, Oldest: now.Add(-3 * time.Hour)}, "40 waiting, oldest 3 h"},
		{order.OutboxDepth{Messages: 2}, "2 waiting"},
		{order.OutboxDepth{Messages: 2, Oldest: now.Add(time.Second)}, "2 waiting, oldest 0 s"}, // a clock behind the queue's
	} {
		if got := outboxText(c.d, now); got != c.want {
			t.Errorf("outboxText(%+v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// The live update carries the new cells.
func TestMembersEventCarriesReachabilityAndOutbox(t *testing.T) {
	h := newHarness(t)
	other := h.Other.ID.String()
	oldest := h.Clock.Now().Add(-90 * time.Second)
	h.orders.setOutbox(order.OutboxDepth{Peer: other, Messages: 2, Oldest: oldest, Parked: 1})
	lines := openEvents(t, h, h.operator(), "/operator/events")
	rows := nextMembers(t, lines)
	if len(rows) != 1 {
		t.Fatalf("members event = %+v", rows)
	}
	got := rows[0]
	if got.Reach != "answering" || !got.Up || got.Outbox != "2 waiting, oldest 1 min" || !got.Owed ||
		got.OutboxAt != oldest.Format(time.RFC3339) || got.Parked != 1 || got.ParkedURL != "/operator/parked?peer="+other {
		t.Errorf("members event row = %+v", got)
	}
	h.Fed.Edit(func(_ **federation.SignedCharter, states *[]federation.MemberState) { (*states)[0].Reachable = false })
	h.orders.setOutbox()
	testwait.For(t, 5*time.Second, func() error {
		got := nextMembers(t, lines)[0]
		if got.Reach != "not answering for 3 s" || got.Up || got.Outbox != "nothing owed" || got.Owed || got.ParkedURL != "" {
			return fmt.Errorf("members event row = %+v", got)
		}
		return nil
	})
}

// nextMembers reads the stream's next "members" event.
func nextMembers(t *testing.T, lines <-chan string) []memberRow {
	t.Helper()
	for nextLine(t, lines) != "event: members" {
	}
	data, ok := strings.CutPrefix(nextLine(t, lines), "data: ")
	if !ok {
		t.Fatal("the members event has no data line")
	}
	var rows []memberRow
	if err := json.Unmarshal([]byte(data), &rows); err != nil {
		t.Fatalf("members data %q: %v", data, err)
	}
	return rows
}
