package dashboard

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node/web"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// withParked parks two messages for Beta and one for a member the charter
// does not name.
func withParked(t *testing.T, h *harness) (beta1, beta2, stranger order.ParkedMessage) {
	t.Helper()
	other, gone := h.Other.ID.String(), webtest.NewPeerID(t).String()
	now := h.Clock.Now()
	beta1 = order.ParkedMessage{Key: other + "/00000000000000000007", Peer: other, Kind: order.KindRelease, Part: "ord_0001-p1",
		Code: order.CodeNotFound, Reason: "not found: part ord_0001-p1", CreatedAt: now.Add(-time.Hour), ParkedAt: now.Add(-3 * time.Minute)}
	beta2 = order.ParkedMessage{Key: other + "/00000000000000000009", Peer: other, Kind: order.KindStatus, Part: "ord_0002-p1",
		Code: order.CodeConflict, Reason: "<b>someone else's part</b>", CreatedAt: now.Add(-time.Hour), ParkedAt: now.Add(-time.Minute)}
	stranger = order.ParkedMessage{Key: gone + "/00000000000000000001", Peer: gone, Kind: order.KindConfirm, Part: "ord_0003-p2",
		Code: order.CodeInvalid, Reason: "invalid: quote", CreatedAt: now.Add(-2 * time.Hour), ParkedAt: now.Add(-2 * time.Hour)}
	h.orders.setParked(beta1, beta2, stranger)
	h.orders.setOutbox(order.OutboxDepth{Peer: other, Parked: 2}, order.OutboxDepth{Peer: gone, Parked: 1})
	return beta1, beta2, stranger
}

// parkedPath is the path of a parked message's action.
func parkedPath(pm order.ParkedMessage, action string) string {
	return "/operator/parked/" + pm.Key + "/" + action
}

func TestParkedMessagesPage(t *testing.T) {
	h := newHarness(t)
	beta1, beta2, stranger := withParked(t, h)
	b := h.operator()
	r := b.Get("/operator/parked")
	webtest.WantStatus(t, r, http.StatusOK)
	for _, want := range []string{
		`<tr data-key="` + beta1.Key + `">`, `<tr data-key="` + stranger.Key + `">`,
		`<span title="` + beta1.Peer + `">Beta Bazaar</span>`, `<span title="` + stranger.Peer + `">` + web.ShortID(stranger.Peer) + `</span>`,
		"Release: free held stock", "unknown part (code 4)", "not found: part ord_0001-p1", ">3 min ago</time>",
		"conflict (code 5)", "&lt;b&gt;someone else&#39;s part&lt;/b&gt;",
		`<form method="post" action="` + parkedPath(beta1, "retry") + `" class="inline">`,
		`<form method="get" action="` + parkedPath(beta1, "drop") + `" class="inline">`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("parked page lacks %s", want)
		}
	}
	// Narrowed to one member, from the members table's link.
	r = b.Get("/operator/parked?peer=" + url.QueryEscape(beta1.Peer))
	webtest.WantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "Parked messages for Beta Bazaar") || strings.Contains(r.Body, stranger.Key) ||
		!strings.Contains(r.Body, beta2.Key) || !strings.Contains(r.Body, `<input type="hidden" name="peer" value="`+beta1.Peer+`">`) {
		t.Errorf("the page narrowed to Beta:\n%s", r.Body)
	}
	h.orders.setParked()
	if r := b.Get("/operator/parked"); !strings.Contains(r.Body, "No parked messages: every message") {
		t.Error("an empty list says nothing")
	}
}

func TestParkedMessageSentAgainAndDropped(t *testing.T) {
	h := newHarness(t)
	beta1, beta2, _ := withParked(t, h)
	b := h.operator()
	r := b.Submit("/operator/parked", parkedPath(beta1, "retry"), url.Values{"peer": {beta1.Peer}})
	webtest.WantRedirect(t, r, "/operator/parked?done=retried&peer="+url.QueryEscape(beta1.Peer))
	if page := b.Get(r.Header.Get("Location")); !strings.Contains(page.Body, "The message is back in the outbox") {
		t.Error("no notice after sending again")
	}
	// Dropping asks first, on a page that says what the message is.
	confirm := b.Get(parkedPath(beta2, "drop"))
	webtest.WantStatus(t, confirm, http.StatusOK)
	for _, want := range []string{"Drop this message for good?", "Status of a part", "<code>ord_0002-p1</code>",
		`<form method="post" action="` + parkedPath(beta2, "drop") + `">`, `<button type="submit" class="danger">Drop for good</button>`} {
		if !strings.Contains(confirm.Body, want) {
			t.Errorf("drop confirmation lacks %s", want)
		}
	}
	retried, dropped := h.orders.parkedCalls()
	if !slices.Equal(retried, []string{beta1.Key}) || len(dropped) != 0 {
		t.Fatalf("retried %v, dropped %v before the drop was confirmed", retried, dropped)
	}
	r = b.Post(parkedPath(beta2, "drop"), url.Values{"csrf": {webtest.CSRF(t, confirm)}})
	webtest.WantRedirect(t, r, "/operator/parked?done=dropped")
	if _, dropped := h.orders.parkedCalls(); !slices.Equal(dropped, []string{beta2.Key}) {
		t.Errorf("dropped %v", dropped)
	}
	// Gone now, or never there: 404, and nothing is called.
	for _, path := range []string{parkedPath(beta1, "retry"), parkedPath(beta2, "drop"), "/operator/parked/nobody/1/retry", "/operator/parked/nobody/1/drop"} {
		webtest.WantStatus(t, b.Submit("/operator/parked", path, url.Values{}), http.StatusNotFound)
	}
	webtest.WantStatus(t, b.Get(parkedPath(beta2, "drop")), http.StatusNotFound)
	if retried, dropped := h.orders.parkedCalls(); len(retried) != 1 || len(dropped) != 1 {
		t.Errorf("retried %v, dropped %v", retried, dropped)
	}
}

// Only the operator sends a parked message again or drops it, and only
// from a form of this node's pages.
func TestParkedActionsAreOperatorOnlyAndCSRFProtected(t *testing.T) {
	h := newHarness(t)
	beta1, _, _ := withParked(t, h)
	// Not signed in: sent to sign in, before and after loading a form.
	visitor := h.browser()
	for _, path := range []string{"/operator/parked", parkedPath(beta1, "drop")} {
		webtest.WantRedirect(t, visitor.Get(path), "/operator/signin")
	}
	for _, action := range []string{"retry", "drop"} {
		webtest.WantRedirect(t, visitor.Submit("/operator/signin", parkedPath(beta1, action), url.Values{}), "/operator/signin")
	}
	// A merchant is no operator.
	merchant := h.browser()
	merchant.SignInMerchant(h.Token)
	webtest.WantRedirect(t, merchant.Submit("/merchant", parkedPath(beta1, "drop"), url.Values{}), "/operator/signin")
	// The operator, without the form's token or with another's.
	b := h.operator()
	b.Get("/operator/parked")
	for _, action := range []string{"retry", "drop"} {
		webtest.WantStatus(t, b.Post(parkedPath(beta1, action), url.Values{}), http.StatusForbidden)
		webtest.WantStatus(t, b.Post(parkedPath(beta1, action), url.Values{"csrf": {webtest.CSRF(t, visitor.Get("/operator/signin"))}}), http.StatusForbidden)
	}
	if retried, dropped := h.orders.parkedCalls(); len(retried)+len(dropped) != 0 {
		t.Errorf("retried %v, dropped %v without the operator's form", retried, dropped)
	}
}
