package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/replication"
)

func TestMembersPageShowsReplicationLag(t *testing.T) {
	h := newHarness(t)
	h.repl.set(h.other.id, replication.Progress{Head: 12, Mark: 5, Behind: 7, CaughtUp: h.clock.Now().Add(-4 * time.Second)})
	r := h.operator().get("/operator")
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{
		`<tr data-peer="` + h.other.id.String() + `">`,
		`<td class="connected"><span class="state up">yes</span></td>`,
		`<span class="lag behind">7 records behind</span>`,
		`>caught up 4s ago</time>`,
		"/static/dashboard.css?v=",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("members page lacks %s", want)
		}
	}

	h.repl.set(h.other.id, replication.Progress{Head: 12, Mark: 12})
	r = h.operator().get("/operator")
	for _, want := range []string{`<span class="lag current">up to date</span>`, `<td class="caught-up">not yet</td>`} {
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
	h.repl.set(h.other.id, replication.Progress{Head: 3, Mark: 2, Behind: 1, CaughtUp: h.clock.Now().Add(-2 * time.Minute)})
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
	want := memberRow{PeerID: h.other.id.String(), Connected: "yes", Behind: "1 record behind", Lagging: true,
		CaughtUp: "caught up 2m ago", CaughtUpAt: h.clock.Now().Add(-2 * time.Minute).Format(time.RFC3339)}
	if len(rows) != 1 {
		t.Fatalf("members event = %+v", rows)
	}
	got := rows[0]
	if got.PeerID != want.PeerID || got.Connected != want.Connected || got.Behind != want.Behind || got.Lagging != want.Lagging ||
		got.CaughtUp != want.CaughtUp || got.CaughtUpAt != want.CaughtUpAt {
		t.Errorf("members event row = %+v, want the lag of %+v", got, want)
	}
}
