package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/internal/testwait"
)

// The after-sale kill test's conversation and issue steps: what the
// shopper and the merchant say to each other, and the remedy they agree
// on, survive a kill -9 of the node that acknowledged it while the other
// side was down.

// talkThroughKills has the shopper write to the merchant while beta is
// down and kills alpha right after it acknowledged the note (the note in
// its outbox); then the merchant answers while alpha is down and beta is
// killed with the answer in its outbox. After each pair of restarts the
// note is in both threads exactly once.
func (s *afterSale) talkThroughKills() {
	shopperSide := "/v1/orders/" + s.order + "/parts/" + s.part + "/messages"
	merchantSide := "/v1/merchant/orders/" + s.part + "/messages"

	s.b.kill9()
	asked := map[string]any{"text": "Is the lid oven-safe?"}
	var q order.ChatMessage
	decode(s.t, s.a.must(s.t, "POST", shopperSide, s.shopper, asked, 202), &q)
	s.queued(s.a, s.b)
	s.a.kill9()
	s.up(s.a)
	s.up(s.b)
	s.connected()
	s.threadsHold(q)

	s.a.kill9()
	var r order.ChatMessage
	decode(s.t, s.b.must(s.t, "POST", merchantSide, s.merchant, map[string]any{"text": "Yes, up to 250 °C."}, 202), &r)
	s.queued(s.b, s.a)
	s.b.kill9()
	s.up(s.b)
	s.up(s.a)
	s.connected()
	s.threadsHold(q, r)
}

// threadsHold waits until the part's thread on alpha (the shopper's) and
// on beta (the merchant's) are the same and hold exactly want, each note
// once, oldest first.
func (s *afterSale) threadsHold(want ...order.ChatMessage) {
	s.t.Helper()
	wantJSON, _ := json.Marshal(want)
	testwait.For(s.t, 30*time.Second, func() error {
		var onA, onB order.Thread
		if err := getJSON(s.a, "/v1/orders/"+s.order+"/parts/"+s.part+"/messages", s.shopper, &onA); err != nil {
			return err
		}
		if err := getJSON(s.b, "/v1/merchant/orders/"+s.part+"/messages", s.merchant, &onB); err != nil {
			return err
		}
		a, _ := json.Marshal(onA.Messages)
		b, _ := json.Marshal(onB.Messages)
		if string(a) != string(wantJSON) || string(b) != string(wantJSON) {
			return fmt.Errorf("the thread, want each note once on both sides:\nwant  %s\nalpha %s\nbeta  %s", wantJSON, a, b)
		}
		return nil
	})
}

// issueRefundThroughKills has the shopper open an issue and the merchant
// offer a refund of amount; the shopper accepts while beta is down, and
// alpha is killed with the accept in its outbox. After both restart, the
// issue is resolved, the same on both sides, and paid by one refund;
// it returns the issue.
func (s *afterSale) issueRefundThroughKills(amount int64) order.Issue {
	t := s.t
	issues := "/v1/orders/" + s.order + "/parts/" + s.part + "/issues"
	open := map[string]any{"category": "damaged", "description": "The enamel chipped on the second use.", "remedy": "refund", "amount": amount}
	var i order.Issue
	decode(t, s.a.must(t, "POST", issues, s.shopper, open, 202, "Idempotency-Key", "issue-1"), &i)
	s.issueIs(i.ID, order.IssueOpen, order.IssueActOpen)
	offer := map[string]any{"action": "offer", "remedy": "refund", "amount": amount, "text": "Sorry, here is part of the price back."}
	s.b.must(t, "POST", "/v1/merchant/issues/"+i.ID+"/answer", s.merchant, offer, 200)
	s.issueIs(i.ID, order.IssueAwaitingShopper, order.IssueActOpen, order.IssueActOffer)

	s.b.kill9()
	s.a.must(t, "POST", issues+"/"+i.ID+"/reply", s.shopper, map[string]string{"action": "accept"}, 202)
	s.queued(s.a, s.b)
	s.a.kill9()
	s.up(s.a)
	s.up(s.b)
	s.connected()
	return s.issueIs(i.ID, order.IssueResolved, order.IssueActOpen, order.IssueActOffer, order.IssueActAccept)
}

// issueIs waits until alpha's shopper and beta's merchant hold issue id
// in state, identical (as JSON), with exactly the steps actions, each
// stated by beta, and returns it.
func (s *afterSale) issueIs(id, state string, actions ...string) order.Issue {
	s.t.Helper()
	var got order.Issue
	testwait.For(s.t, 30*time.Second, func() error {
		var onA struct{ Issues []order.Issue }
		if err := getJSON(s.a, "/v1/orders/"+s.order+"/parts/"+s.part+"/issues", s.shopper, &onA); err != nil {
			return err
		}
		var onB struct {
			Issues []struct {
				Part  string `json:"part_id"`
				Issue order.Issue
			}
		}
		if err := getJSON(s.b, "/v1/merchant/issues", s.merchant, &onB); err != nil {
			return err
		}
		if len(onA.Issues) != 1 || len(onB.Issues) != 1 || onB.Issues[0].Part != s.part {
			return fmt.Errorf("%d issues on alpha, %d on beta, want 1 of part %s: %+v", len(onA.Issues), len(onB.Issues), s.part, onB.Issues)
		}
		a, _ := json.Marshal(onA.Issues[0])
		b, _ := json.Marshal(onB.Issues[0].Issue)
		if string(a) != string(b) {
			return fmt.Errorf("the issue differs:\nalpha %s\nbeta  %s", a, b)
		}
		got = onA.Issues[0]
		if got.ID != id || got.State != state {
			return fmt.Errorf("issue %s is %s, want %s %s", got.ID, got.State, id, state)
		}
		var steps []string
		for _, st := range got.Steps {
			if st.Seq == 0 {
				return fmt.Errorf("issue %s has a step beta has not stated: %s", id, a)
			}
			steps = append(steps, st.Action)
		}
		if !slices.Equal(steps, actions) {
			return fmt.Errorf("issue %s has the steps %v, want %v", id, steps, actions)
		}
		return nil
	})
	return got
}
