package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/fedmart/fedmart/federation/order"
	"github.com/fedmart/fedmart/node"
)

// errNoArbiter says the arbiter member's API has no arbiter routes.
var errNoArbiter = errors.New("no arbiter routes in this build")

// arbiterLoop plays the charter's arbiter: once a shopper escalated an
// issue, it decides the arbiter's open cases every few seconds through the
// arbiter member's REST API, with its operator token, as the arbiter's
// operator would in the dashboard. A build without the arbiter's routes
// is said once, and the demo goes on without decisions.
func arbiterLoop(ctx context.Context, c *node.Cluster, seed uint64, t *demoTally, say func(string, ...any)) error {
	arbiter := c.Charter.Charter.Service.Arbiter
	k := -1
	for i, n := range c.Nodes {
		if n.PeerID().String() == arbiter {
			k = i
		}
	}
	if k < 0 {
		return nil // the charter names no arbiter: escalations are refused, and the shoppers say so
	}
	n, token := c.Nodes[k], c.Tokens[k]
	rng := rand.New(rand.NewPCG(seed, 0xa4b1))
	decided := map[string]bool{}
	for sleepCtx(ctx, 5*time.Second) {
		if t.escalated.Load() == 0 {
			continue
		}
		err := decideCases(ctx, n, token, rng, decided, t, say)
		switch {
		case errors.Is(err, errNoArbiter):
			t.arbiterAway.Store(true)
			say("%-14s the arbiter is not available: %v; escalated issues stay escalated", n.Name(), err)
			return nil
		case err != nil && ctx.Err() == nil:
			say("%-14s the arbiter's cases: %v", n.Name(), err)
		}
	}
	return nil
}

// decideCases lists the arbiter's cases on its member n and decides each
// undecided one: a refund of half the amount asked when one was, or else
// a replacement, and now and then no remedy. It is the one place that
// speaks the arbiter's REST routes, GET /v1/arbiter/cases and POST
// /v1/arbiter/cases/{id}/decision (body: remedy refund|replacement|none,
// amount, reason). Until their shape is settled it reads a case as an
// object with an id, a state and, when known, the amount asked, found at
// the top, under "issue", or in a list under "cases" or "items".
func decideCases(ctx context.Context, n *node.Node, token string, rng *rand.Rand, decided map[string]bool, t *demoTally, say func(string, ...any)) error {
	var list json.RawMessage
	if err := arbiterCall(ctx, n, token, http.MethodGet, "/v1/arbiter/cases", nil, &list); err != nil {
		return err
	}
	for _, cs := range demoCases(list) {
		if decided[cs.ID] || cs.ID == "" || cs.State == order.IssueDecided || cs.State == "decided" || cs.State == "closed" {
			continue
		}
		d := map[string]any{"remedy": order.RemedyReplacement, "reason": "The photos show the damage; the merchant sends a new one."}
		switch {
		case rng.IntN(4) == 0:
			d = map[string]any{"remedy": order.RemedyNone, "reason": "The evidence does not show that anything is owed."}
		case cs.Amount > 1:
			d = map[string]any{"remedy": order.RemedyRefund, "amount": cs.Amount / 2, "reason": "Half of what was asked: the item is usable but not as described."}
		}
		err := arbiterCall(ctx, n, token, http.MethodPost, "/v1/arbiter/cases/"+cs.ID+"/decision", d, nil)
		if err != nil {
			say("%-14s the arbiter could not decide case %s: %v", n.Name(), cs.ID, err)
			decided[cs.ID] = true // said once; the operator can decide it in the dashboard
			continue
		}
		decided[cs.ID] = true
		t.decided.Add(1)
		say("%-14s the arbiter decided case %s: %s %v (%s)", n.Name(), cs.ID, d["remedy"], d["amount"], d["reason"])
	}
	return nil
}

// demoCase is what decideCases reads of a case.
type demoCase struct {
	ID     string
	State  string
	Amount int64
}

// demoCases reads the cases of a list answer (see decideCases).
func demoCases(raw json.RawMessage) []demoCase {
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		var wrap map[string]json.RawMessage
		_ = json.Unmarshal(raw, &wrap)
		for _, key := range []string{"cases", "items"} {
			if json.Unmarshal(wrap[key], &items) == nil && items != nil {
				break
			}
		}
	}
	var out []demoCase
	for _, it := range items {
		var c struct {
			ID     string `json:"id"`
			State  string `json:"state"`
			Amount int64  `json:"amount"`
			Issue  *struct {
				State  string `json:"state"`
				Amount int64  `json:"amount"`
			} `json:"issue"`
		}
		if json.Unmarshal(it, &c) != nil {
			continue
		}
		dc := demoCase{ID: c.ID, State: c.State, Amount: c.Amount}
		if c.Issue != nil {
			dc.State, dc.Amount = cmp.Or(dc.State, c.Issue.State), max(dc.Amount, c.Issue.Amount)
		}
		out = append(out, dc)
	}
	return out
}

// arbiterCall calls the arbiter's REST route path on n with the operator
// token, sending body as JSON and decoding the answer into out (both
// optional). A route the API does not have is errNoArbiter.
func arbiterCall(ctx context.Context, n *node.Node, token, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, n.APIURL()+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	switch {
	case res.StatusCode == http.StatusNotFound && bytes.Contains(b, []byte("no route")):
		return fmt.Errorf("%w: %s %s answers %d", errNoArbiter, method, path, res.StatusCode)
	case res.StatusCode >= 300:
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(b))
	case out != nil:
		return json.Unmarshal(b, out)
	}
	return nil
}
