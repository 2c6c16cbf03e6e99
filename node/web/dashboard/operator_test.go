package dashboard

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// signInOperator signs b in as the operator.
func (b *browser) signInOperator(token string) response {
	b.t.Helper()
	return b.submit("/operator/signin", "/operator/signin", url.Values{"token": {token}})
}

func TestOperatorPagesNeedTheToken(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	r := b.signInOperator("wrong")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if fieldError(r.Body, "token") != "This is not the operator token of this node." {
		t.Errorf("no error next to the token input:\n%s", r.Body)
	}
	if r := b.get("/operator"); r.Code != http.StatusSeeOther {
		t.Fatalf("/operator after a wrong token: %d", r.Code)
	}
	// A merchant session is not an operator session.
	b.signInMerchant(h.token)
	if r := b.get("/operator"); r.Code != http.StatusSeeOther {
		t.Fatalf("/operator for a merchant: %d", r.Code)
	}
	r = b.signInOperator(testOperator)
	if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/operator" {
		t.Fatalf("operator sign-in: %d %s", r.Code, r.Header.Get("Location"))
	}
	members := b.get("/operator")
	wantStatus(t, members, http.StatusOK)
	for _, want := range []string{"Beta Bazaar", "3.2 ms", "3s ago", `<span class="state up">answering</span>`, `data-events="/operator/events"`, "/static/operator.js?v="} {
		if !strings.Contains(members.Body, want) {
			t.Errorf("members page lacks %s", want)
		}
	}
	charter := b.get("/operator/charter")
	wantStatus(t, charter, http.StatusOK)
	for _, want := range []string{"Test Federation", "250 bps (2.50%)", "50 bps (0.50%)", "24h0m0s", "EUR", "Alpha Market (<code", "this node", "c2lnbm"} {
		if !strings.Contains(charter.Body, want) {
			t.Errorf("charter page lacks %s", want)
		}
	}
	merchants := b.get("/operator/merchants")
	if !strings.Contains(merchants.Body, "Alpha Goods &amp; Co") || !strings.Contains(merchants.Body, h.merchant.ID) {
		t.Error("merchants page lacks the merchant")
	}
	// A node restarted with another operator token ends the session.
	b.handler = h.newWeb(Options{BaseURL: testBaseURL, SessionSecret: testSecret, OperatorToken: "new-token"}).Handler()
	if r := b.get("/operator"); r.Code != http.StatusSeeOther {
		t.Errorf("/operator after the token changed: %d", r.Code)
	}
	if r := b.get("/merchant"); r.Code != http.StatusOK {
		t.Errorf("the merchant session did not survive the restart: %d", r.Code)
	}
}

func TestOperatorSignInDisabledWithoutToken(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.handler = h.newWeb(Options{BaseURL: testBaseURL, SessionSecret: testSecret}).Handler()
	wantStatus(t, b.signInOperator(""), http.StatusUnprocessableEntity)
	wantStatus(t, b.signInOperator(" "), http.StatusUnprocessableEntity)
}

func TestOperatorWithoutCharter(t *testing.T) {
	h := newHarness(t)
	h.fed.charter, h.fed.states = nil, nil
	b := h.browser()
	b.signInOperator(testOperator)
	for _, path := range []string{"/operator", "/operator/charter", "/", "/search"} {
		wantStatus(t, b.get(path), http.StatusOK)
	}
	if !strings.Contains(b.get("/operator/charter").Body, "holds no charter yet") {
		t.Error("the charter page does not say there is none")
	}
}

// openEvents opens path (/operator/events with its query) on a real
// server as b and returns its lines; the channel closes when the stream
// ends.
func openEvents(t *testing.T, h *harness, b *browser, path string) <-chan string {
	t.Helper()
	srv := httptest.NewServer(h.web.Handler())
	t.Cleanup(srv.Close)
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+path, nil)
	for _, c := range b.cookies {
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
	b.signInOperator(testOperator)
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
	_ = h.web.Close() // shutdown ends the stream
	waitEnd(t, lines)
}

func TestOperatorEventsEndWithTheSession(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	b.signInOperator(testOperator)
	lines := openEvents(t, h, b, "/operator/events")
	for nextLine(t, lines) != "event: members" {
	}
	h.clock.Advance(h.web.opts.SessionTTL)
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
