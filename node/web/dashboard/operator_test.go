package dashboard

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node/web/webtest"
)

func TestOperatorPagesNeedTheToken(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	r := b.SignInOperator("wrong")
	webtest.WantStatus(t, r, http.StatusUnprocessableEntity)
	if webtest.FieldError(r.Body, "token") != "This is not the operator token of this node." {
		t.Errorf("no error next to the token input:\n%s", r.Body)
	}
	if r := b.Get("/operator"); r.Code != http.StatusSeeOther {
		t.Fatalf("/operator after a wrong token: %d", r.Code)
	}
	// A merchant session is not an operator session.
	b.SignInMerchant(h.Token)
	if r := b.Get("/operator"); r.Code != http.StatusSeeOther {
		t.Fatalf("/operator for a merchant: %d", r.Code)
	}
	r = b.SignInOperator(webtest.Operator)
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/operator" {
		t.Fatalf("operator sign-in: %d %s", r.Code, r.Header.Get("Location"))
	}
	members := b.Get("/operator/members")
	webtest.WantStatus(t, members, http.StatusOK)
	for _, want := range []string{"Beta Bazaar", "3.2 ms", "3 s ago", `<span class="state up">answering</span>`, `data-events="/operator/events"`, "/static/operator.js?v="} {
		if !strings.Contains(members.Body, want) {
			t.Errorf("members page lacks %s", want)
		}
	}
	charter := b.Get("/operator/charter")
	webtest.WantStatus(t, charter, http.StatusOK)
	for _, want := range []string{"Test Federation", "250 bps (2.50%)", "50 bps (0.50%)", "1 day", "EUR", "Alpha Market (<code", "this node", "c2lnbm"} {
		if !strings.Contains(charter.Body, want) {
			t.Errorf("charter page lacks %s", want)
		}
	}
	merchants := b.Get("/operator/merchants")
	if !strings.Contains(merchants.Body, "Alpha Goods &amp; Co") || !strings.Contains(merchants.Body, h.Merchant.ID) {
		t.Error("merchants page lacks the merchant")
	}
	// A node restarted with another operator token ends the session.
	h.opts.OperatorToken = "new-token"
	h.rebuild()
	b.Handler = h.handler
	if r := b.Get("/operator"); r.Code != http.StatusSeeOther {
		t.Errorf("/operator after the token changed: %d", r.Code)
	}
	if r := b.Get("/merchant"); r.Code != http.StatusOK {
		t.Errorf("the merchant session did not survive the restart: %d", r.Code)
	}
}

func TestOperatorSignInDisabledWithoutToken(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	h.opts.OperatorToken = ""
	h.rebuild()
	b.Handler = h.handler
	webtest.WantStatus(t, b.SignInOperator(""), http.StatusUnprocessableEntity)
	webtest.WantStatus(t, b.SignInOperator(" "), http.StatusUnprocessableEntity)
}

func TestOperatorWithoutCharter(t *testing.T) {
	h := newHarness(t)
	h.Fed.Edit(func(charter **federation.SignedCharter, states *[]federation.MemberState) {
		*charter, *states = nil, nil
	})
	b := h.browser()
	b.SignInOperator(webtest.Operator)
	for _, path := range []string{"/operator", "/operator/charter"} {
		webtest.WantStatus(t, b.Get(path), http.StatusOK)
	}
	if !strings.Contains(b.Get("/operator/charter").Body, "holds no charter yet") {
		t.Error("the charter page does not say there is none")
	}
}

// openEvents opens path (/operator/events with its query) on a real
// server as b and returns its lines; the channel closes when the stream
// ends.
func openEvents(t *testing.T, h *harness, b *webtest.Browser, path string) <-chan string {
	t.Helper()
	srv := httptest.NewServer(h.handler)
	t.Cleanup(srv.Close)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
	for _, c := range b.Cookies {
		req.AddCookie(c)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return lines
}

func TestOperatorEventsStreamMembers(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInOperator(webtest.Operator)
	lines := openEvents(t, h, b, "/operator/events")
	var rows []memberRow
	for seen := 0; seen < 2; {
		if data, ok := strings.CutPrefix(nextLine(t, lines), "data: "); ok {
			if err := json.Unmarshal([]byte(data), &rows); err != nil {
				t.Fatalf("event data %q: %v", data, err)
			}
			seen++
		}
	}
	if len(rows) != 1 || rows[0].Name != "Beta Bazaar" || rows[0].Reach != "answering" || rows[0].RTT != "3.2 ms" {
		t.Errorf("members event = %+v", rows)
	}
	_ = h.site.Close() // shutdown ends the stream
	waitEnd(t, lines)
}

func TestOperatorEventsEndWithTheSession(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.SignInOperator(webtest.Operator)
	lines := openEvents(t, h, b, "/operator/events")
	for nextLine(t, lines) != "event: members" {
	}
	h.Clock.Advance(12 * time.Hour) // the sessions' default lifetime
	for nextLine(t, lines) != "event: signedout" {
	}
	waitEnd(t, lines)
}

// nextLine returns the stream's next line.
func nextLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("the stream ended")
		}
		return l
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return ""
}

// waitEnd waits for the stream to end.
func waitEnd(t *testing.T, lines <-chan string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-lines:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("the stream did not end")
		}
	}
}
