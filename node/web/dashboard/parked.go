package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
)

// Parked messages are order messages a member refused in a way that
// cannot change by sending them again (malformed, forged, someone else's
// part, or a part the member still did not know after a long while). The
// order service keeps them out of the outbox, so that they no longer
// delay the member's other messages, and holds them for the operator, who
// sends one again once the cause is fixed (the member restored its data,
// say) or drops it. Both are POST forms; a drop is confirmed on a page of
// its own first, so that it works without JavaScript.

// parkedRead is how many parked messages the page reads at most, and
// parkedShown how many of them (those of the member asked for) it lists.
const (
	parkedRead  = 1000
	parkedShown = 200
)

// parkedPage is what the parked messages template shows.
type parkedPage struct {
	// Peer and Member are the member the list is narrowed to ("" for all).
	Peer, Member string
	Messages     []parkedRow
	// Total is how many are parked in all (for Peer, when set); it is
	// more than len(Messages) when the list is cut.
	Total int
}

// parkedRow is one parked message, every cell ready to show.
type parkedRow struct {
	Key          string
	Peer, Member string // the member it was for
	Kind, Part   string
	// Refusal names the member's refusal code ("unknown part (code 4)");
	// Reason is the member's own words.
	Refusal, Reason string
	// Parked is when it was parked ("3m ago"), ParkedISO and ParkedDate
	// the same time in full.
	Parked, ParkedISO, ParkedDate string
	// Queued is when it was first queued ("2026-03-01 11:55 UTC").
	Queued, QueuedISO string
	// RetryURL and DropURL are its actions ("" for a malformed key).
	RetryURL, DropURL string
	// Filter is the member the page listing it was narrowed to, which its
	// forms carry so that an action returns there.
	Filter string
}

// messageKinds say what each kind of order message asks of its receiver.
var messageKinds = map[string]string{
	order.KindReserve: "Reserve: hold stock for a checkout",
	order.KindConfirm: "Confirm: turn a hold into an order",
	order.KindCancel:  "Cancel a part",
	order.KindRelease: "Release: free held stock",
	order.KindStatus:  "Status of a part",
}

// parkedNotices confirm an action on a parked message, by "done".
var parkedNotices = map[string]string{
	"retried": "The message is back in the outbox and is sent at once. If the member refuses it again, it is parked again.",
	"dropped": "The message was dropped: nothing more is sent for it.",
}

// parkedRowOf formats one parked message at now, its times in loc.
func parkedRowOf(pm order.ParkedMessage, names map[string]string, now time.Time, loc *time.Location) parkedRow {
	kind := messageKinds[pm.Kind]
	if kind == "" {
		kind = pm.Kind
	}
	row := parkedRow{Key: pm.Key, Peer: pm.Peer, Member: web.PlatformName(names, pm.Peer), Kind: kind, Part: pm.Part,
		Refusal: fmt.Sprintf("%s (code %d)", pm.Code, int(pm.Code)), Reason: pm.Reason,
		Parked: web.Ago(now, pm.ParkedAt), ParkedISO: web.ISO(pm.ParkedAt), ParkedDate: web.FormatTime(pm.ParkedAt, loc),
		Queued: web.FormatTime(pm.CreatedAt, loc), QueuedISO: web.ISO(pm.CreatedAt)}
	if peer, seq, ok := strings.Cut(pm.Key, "/"); ok {
		base := "/operator/parked/" + url.PathEscape(peer) + "/" + url.PathEscape(seq)
		row.RetryURL, row.DropURL = base+"/retry", base+"/drop"
	}
	return row
}

// operatorParked lists the parked messages, those of one member with
// ?peer=: GET /operator/parked.
func (d *Dashboard) operatorParked(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	peer := r.URL.Query().Get("peer")
	list, err := d.deps.Orders.Parked(r.Context(), parkedRead)
	if err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	names, now := d.site.PlatformNames(), d.site.Now()
	v := parkedPage{Peer: peer}
	if peer != "" {
		v.Member = web.PlatformName(names, peer)
	}
	for _, pm := range list {
		if peer != "" && pm.Peer != peer {
			continue
		}
		if v.Total++; len(v.Messages) < parkedShown {
			row := parkedRowOf(pm, names, now, d.site.Zone())
			row.Filter = peer
			v.Messages = append(v.Messages, row)
		}
	}
	if len(list) == parkedRead {
		v.Total = d.parkedTotal(r.Context(), peer, v.Total)
	}
	p := d.dashboardPage(sess, "Parked messages", "/operator", v)
	p.Styles, p.Notice = []string{"dashboard.css"}, web.NoticeIn(r, parkedNotices)
	d.pages.Render(w, r, http.StatusOK, "operator_parked", p)
}

// parkedTotal counts the parked messages (of peer, when set) from the
// outbox's depths, for a list cut at parkedRead; counted is the answer
// when those cannot be read.
func (d *Dashboard) parkedTotal(ctx context.Context, peer string, counted int) int {
	depths, err := d.deps.Orders.Outbox(ctx)
	if err != nil {
		return counted
	}
	total := 0
	for _, d := range depths {
		if peer == "" || d.Peer == peer {
			total += d.Parked
		}
	}
	return max(total, counted)
}

// parkedKey is the key of the parked message a request's path names.
func parkedKey(r *http.Request) string { return r.PathValue("peer") + "/" + r.PathValue("seq") }

// afterParked is where an action on a parked message returns: the list,
// narrowed to the member it was narrowed to, with the notice done.
func afterParked(r *http.Request, done string) string {
	q := url.Values{"done": {done}}
	if peer := r.PostForm.Get("peer"); peer != "" {
		q.Set("peer", peer)
	}
	return "/operator/parked?" + q.Encode()
}

// retryParked puts a parked message back in the outbox:
// POST /operator/parked/{peer}/{seq}/retry.
func (d *Dashboard) retryParked(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	if err := d.deps.Orders.RetryParked(r.Context(), parkedKey(r)); err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	web.SeeOther(w, r, afterParked(r, "retried"))
}

// dropParkedForm asks to confirm dropping a parked message, showing what
// it is: GET /operator/parked/{peer}/{seq}/drop.
func (d *Dashboard) dropParkedForm(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	key := parkedKey(r)
	list, err := d.deps.Orders.Parked(r.Context(), 0)
	if err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	for _, pm := range list {
		if pm.Key == key {
			row := parkedRowOf(pm, d.site.PlatformNames(), d.site.Now(), d.site.Zone())
			row.Filter = r.URL.Query().Get("peer")
			p := d.dashboardPage(sess, "Drop a parked message", "/operator", row)
			p.Styles = []string{"dashboard.css"}
			d.pages.Render(w, r, http.StatusOK, "operator_parked_drop", p)
			return
		}
	}
	d.site.NotFound(w, r)
}

// dropParked forgets a parked message for good:
// POST /operator/parked/{peer}/{seq}/drop.
func (d *Dashboard) dropParked(w http.ResponseWriter, r *http.Request, _ *web.Session) {
	if err := d.deps.Orders.DropParked(r.Context(), parkedKey(r)); err != nil {
		d.site.FailOrder(w, r, err)
		return
	}
	web.SeeOther(w, r, afterParked(r, "dropped"))
}
