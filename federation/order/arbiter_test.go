package order

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/testwait"
)

// caseOn waits until m holds case iid in state with copies from n members.
func caseOn(t *testing.T, m *member, iid, state string, copies int) Case {
	t.Helper()
	var c Case
	testwait.For(t, 10*time.Second, func() (err error) {
		c, err = m.svc.GetCase(context.Background(), iid)
		if err == nil && (c.State != state || len(c.Copies) < copies) {
			err = fmt.Errorf("case %s is %s with %d copies, want %s with %d", iid, c.State, len(c.Copies), state, copies)
		}
		return err
	})
	return c
}

// handleAt delivers raw from member from to m and returns the refusal's
// words, "" when accepted.
func handleAt(t *testing.T, m *member, from string, raw []byte) (string, []byte) {
	t.Helper()
	answer := m.svc.Handle(context.Background(), from, raw)
	var r Reply
	if err := json.Unmarshal(answer, &r); err != nil {
		t.Fatal(err)
	}
	return r.Error, answer
}

// escalatedIssue buys a pan from b on a, opens an issue the merchant never
// answers, and escalates it after the first-response deadline.
func escalatedIssue(t *testing.T, f *cluster, a, b *member) (Order, Part, Issue) {
	t.Helper()
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, p := f.delivered(a, b, 1, pan)
	i, err := a.svc.OpenIssue(ctx, o.Shopper, o.ID, p.ID, IssueInput{Category: "damaged", Description: "dented", Remedy: RemedyRefund, Amount: 2000}, "")
	if err != nil {
		t.Fatal(err)
	}
	issueOn(t, a, o, p.ID, i.ID, IssueOpen, 1)
	f.clk.add(25 * time.Hour)
	if _, err := a.svc.EscalateIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, "no answer"); err != nil {
		t.Fatal(err)
	}
	return o, p, issueOn(t, a, o, p.ID, i.ID, IssueEscalated, 2)
}

// TestArbiterDecidesARefund: an issue the merchant leaves unanswered past
// its first-response deadline is escalated; the arbiter C receives both
// sides' copies of the thread, asks the home for more and gets an answer,
// then decides a refund; the home applies it as a refund status and the
// storefront sees the issue decided and the part refunded.
func TestArbiterDecidesARefund(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	f.setTerms(demoTerms(c.id))
	ctx := context.Background()
	o, p, i := escalatedIssue(t, f, a, b)

	cs := caseOn(t, c, i.ID, CaseOpen, 2)
	if cs.Storefront != a.id || cs.Home != b.id || cs.Part != p.ID || !strings.Contains(cs.Why, "first-response deadline") ||
		cs.Refundable.Amount != 4990 || cs.Issue.State != IssueEscalated {
		t.Errorf("case: %+v", cs)
	}
	var who []string
	for _, e := range cs.Entries() {
		who = append(who, e.Who+":"+e.Action)
	}
	if got := strings.Join(who, " "); got != "shopper:open shopper:escalate" {
		t.Errorf("thread entries: %s", got)
	}
	if list, _ := c.svc.Cases(ctx); len(list) != 1 || list[0].ID != i.ID || list[0].Thread != nil {
		t.Errorf("cases: %+v", list)
	}

	// A question to the home, and its answer back.
	if _, err := c.svc.AskCase(ctx, i.ID, []string{SideHome}, "Did you ship it padded?"); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		ms, err := b.svc.ArbiterMessages(ctx, p.ID, i.ID)
		if err == nil && len(ms) != 1 {
			err = fmt.Errorf("home holds %d arbiter notes", len(ms))
		}
		return err
	})
	if _, err := b.svc.AnswerArbiter(ctx, p.ID, i.ID, "Yes, in bubble wrap."); err != nil {
		t.Fatal(err)
	}
	testwait.For(t, 10*time.Second, func() error {
		cs, err := c.svc.GetCase(ctx, i.ID)
		if err == nil && (len(cs.Notes) != 2 || cs.Notes[1].By != SideHome) {
			err = fmt.Errorf("case notes: %+v", cs.Notes)
		}
		return err
	})
	if ms, _ := a.svc.ArbiterMessages(ctx, p.ID, i.ID); len(ms) != 0 {
		t.Errorf("the storefront got the home's question: %+v", ms)
	}
	if _, err := c.svc.AskCase(ctx, i.ID, []string{"shopper"}, "hm"); !fieldIs(err, "to[0]") {
		t.Errorf("asking a shopper: %v", err)
	}

	// Above the refundable rest, or without reasons: refused by C.
	if _, err := c.svc.DecideCase(ctx, i.ID, IssueDecision{Remedy: RemedyRefund, Amount: 4991, Text: "dented"}); !fieldIs(err, "amount") {
		t.Errorf("refund above the rest: %v", err)
	}
	if _, err := c.svc.DecideCase(ctx, i.ID, IssueDecision{Remedy: RemedyRefund, Amount: 100}); !fieldIs(err, "text") {
		t.Errorf("decision without reasons: %v", err)
	}

	cs, err := c.svc.DecideCase(ctx, i.ID, IssueDecision{Remedy: RemedyRefund, Amount: 2000, Text: "the photos show the dent"})
	if err != nil {
		t.Fatal(err)
	}
	if cs.State != CaseDecided || cs.Decision.Amount != 2000 {
		t.Errorf("decided case: %+v", cs)
	}
	if _, err := c.svc.DecideCase(ctx, i.ID, IssueDecision{Remedy: RemedyNone, Text: "again"}); !errors.Is(err, ErrConflict) {
		t.Errorf("a second decision at C: %v", err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueDecided, 3)
	last := i.Steps[len(i.Steps)-1]
	if last.By != ByArbiter || last.Action != IssueActDecide || last.Amount != 2000 || i.Refund == "" {
		t.Errorf("decided issue: %+v", i)
	}
	hp := homeParts(t, b, p.ID)
	if hp.Refunded.Amount != 2000 || len(hp.Refunds) != 1 || hp.Refunds[0].ID != i.Refund {
		t.Errorf("home part after the decision: refunded %v, refunds %+v", hp.Refunded, hp.Refunds)
	}
	testwait.For(t, 10*time.Second, func() error {
		if got := partOn(t, a, p.ID).Refunded.Amount; got != 2000 {
			return fmt.Errorf("the storefront's part refunded %d", got)
		}
		ms, err := a.svc.ArbiterMessages(ctx, p.ID, i.ID)
		if err == nil && (len(ms) != 1 || ms[0].Decision == nil) {
			err = fmt.Errorf("the storefront's arbiter messages: %+v", ms)
		}
		return err
	})
	f.drained()
	sameJSON(t, "issues on both sides", partOn(t, a, p.ID).Issues, homeParts(t, b, p.ID).Issues)

	// Service records: every member derives the same for b.
	for _, m := range []*member{a, b, c} {
		rs, err := m.svc.ServiceRecords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Member != b.id || rs[0].Issues != 1 || rs[0].Escalated != 1 || rs[0].Decided != 1 ||
			rs[0].DecidedAgainst != 1 || rs[0].AgainstShare != 1 || rs[0].ResolutionRate != 1 || rs[0].Answered != 0 {
			t.Errorf("service records on %s: %+v", shortPeer(m.id), rs)
		}
	}
}

// TestArbiterRefusals: decisions by a member that is not the arbiter,
// forged, replayed or second ones, and cases that are tampered with,
// incomplete or sent to a member that is not the arbiter, are refused
// with a reason and change nothing.
func TestArbiterRefusals(t *testing.T) {
	f := newCluster(t, 4)
	a, b, c, d := f.members[0], f.members[1], f.members[2], f.members[3]
	f.setTerms(demoTerms(c.id))
	ctx := context.Background()
	_, p, i := escalatedIssue(t, f, a, b)
	caseOn(t, c, i.ID, CaseOpen, 2)
	f.drained()
	thread, err := a.svc.IssueThread(ctx, p.ID, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	seq := homeParts(t, b, p.ID).Seq
	unchanged := func(what string) {
		t.Helper()
		hp := homeParts(t, b, p.ID)
		if hp.Seq != seq || issueOf(hp.Issues, i.ID).State != IssueEscalated {
			t.Errorf("%s changed the home part: seq %d, issue %s", what, hp.Seq, issueOf(hp.Issues, i.ID).State)
		}
	}
	decision := func(from *member, dd IssueDecision) []byte {
		_, raw, err := from.svc.newSigned(KindDecision, b.id, p.ID, func(m *Message) { m.Decision = &ArbiterDecision{Issue: i.ID, IssueDecision: dd} })
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	refund := IssueDecision{Remedy: RemedyRefund, Amount: 1000, Text: "dented"}

	// A decision by a member that is not the arbiter: the storefront, or d.
	for _, m := range []*member{a, d} {
		if why, _ := handleAt(t, b, m.id, decision(m, refund)); !strings.Contains(why, "is not the arbiter") {
			t.Errorf("decision by %s: %q", shortPeer(m.id), why)
		}
	}
	unchanged("a non-arbiter's decision")

	// Forged: the arbiter's decision with its amount changed.
	raw := decision(c, refund)
	forged := bytes.Replace(raw, []byte(`"amount":1000`), []byte(`"amount":4000`), 1)
	if why, _ := handleAt(t, b, c.id, forged); !strings.Contains(why, "forged") {
		t.Errorf("forged decision: %q", why)
	}
	unchanged("a forged decision")

	// The arbiter's own decision, then the same again (a replay), then a
	// second one.
	why, first := handleAt(t, b, c.id, raw)
	if why != "" {
		t.Fatalf("the arbiter's decision: %q", why)
	}
	seq++
	if _, again := handleAt(t, b, c.id, raw); !bytes.Equal(again, first) {
		t.Errorf("replayed decision answered %s, first %s", again, first)
	}
	if why, _ := handleAt(t, b, c.id, decision(c, IssueDecision{Remedy: RemedyNone, Text: "second thoughts"})); !strings.Contains(why, "only an escalated issue is decided") {
		t.Errorf("second decision: %q", why)
	}
	hp := homeParts(t, b, p.ID)
	if hp.Seq != seq || hp.Refunded.Amount != 1000 || issueOf(hp.Issues, i.ID).State != IssueDecided {
		t.Errorf("after one decision, a replay and a second: seq %d (want %d), refunded %v", hp.Seq, seq, hp.Refunded)
	}

	// A decision from the arbiter the issue names, but which the charter
	// no longer names: refused.
	_, p2, i2 := escalatedIssue(t, f, a, b)
	f.setTerms(demoTerms(d.id))
	_, raw2, err := c.svc.newSigned(KindDecision, b.id, p2.ID, func(m *Message) { m.Decision = &ArbiterDecision{Issue: i2.ID, IssueDecision: refund} })
	if err != nil {
		t.Fatal(err)
	}
	if why, _ := handleAt(t, b, c.id, raw2); !strings.Contains(why, "not the arbiter the charter names") {
		t.Errorf("decision by a former arbiter: %q", why)
	}
	f.setTerms(demoTerms(c.id))

	// Cases.
	sendCase := func(to *member, th [][]byte) string {
		t.Helper()
		_, raw, err := a.svc.newSigned(KindCase, to.id, p.ID, func(m *Message) { m.Case = &CaseFile{Issue: i.ID, Thread: th} })
		if err != nil {
			t.Fatal(err)
		}
		why, _ := handleAt(t, to, a.id, raw)
		return why
	}
	held, _ := c.svc.GetCase(ctx, i.ID)
	tampered := append([][]byte(nil), thread...)
	tampered[0] = bytes.Replace(tampered[0], []byte("dented"), []byte("broken"), 1)
	if why := sendCase(c, tampered); !strings.Contains(why, "thread[0]") || !strings.Contains(why, "forged") {
		t.Errorf("tampered thread: %q", why)
	}
	var noEscalation [][]byte
	for _, r := range thread {
		if m, _ := DecodeMessage(r); m.Kind != KindEscalate {
			noEscalation = append(noEscalation, r)
		}
	}
	_, raw3, _ := d.svc.newSigned(KindCase, c.id, p.ID, func(m *Message) { m.Case = &CaseFile{Issue: i.ID, Thread: noEscalation} })
	if why, _ := handleAt(t, c, d.id, raw3); !strings.Contains(why, "neither the storefront nor the home") {
		t.Errorf("case from a stranger: %q", why)
	}
	if after, _ := c.svc.GetCase(ctx, i.ID); after.State != held.State || len(after.Thread) != len(held.Thread) {
		t.Errorf("a bad copy changed the held case: %s, %d messages", after.State, len(after.Thread))
	}

	// At a member that is not the arbiter, and incomplete: kept refused,
	// with the reason, for d's operator.
	if why := sendCase(d, thread); !strings.Contains(why, "not to this member") {
		t.Errorf("case at a non-arbiter: %q", why)
	}
	if cs, err := d.svc.GetCase(ctx, i.ID); err != nil || cs.State != CaseRefused || !strings.Contains(cs.Refusal, "not to this member") {
		t.Errorf("refused case at d: %+v, %v", cs.State, err)
	}
	if _, err := d.svc.DecideCase(ctx, i.ID, refund); !errors.Is(err, ErrConflict) {
		t.Errorf("deciding a refused case: %v", err)
	}
	// A fresh issue's case without its escalation, at the arbiter.
	_, p3, i3 := escalatedIssue(t, f, a, b)
	caseOn(t, c, i3.ID, CaseOpen, 2)
	th3, _ := a.svc.IssueThread(ctx, p3.ID, i3.ID)
	var cut [][]byte
	for _, r := range th3 {
		if m, _ := DecodeMessage(r); m.Kind != KindEscalate {
			cut = append(cut, r)
		}
	}
	fresh := newCluster(t, 1).members[0] // a member with no copy yet, named arbiter nowhere
	_, raw4, _ := a.svc.newSigned(KindCase, fresh.id, p3.ID, func(m *Message) { m.Case = &CaseFile{Issue: i3.ID, Thread: cut} })
	if why, _ := handleAt(t, fresh, a.id, raw4); !strings.Contains(why, "no escalation") {
		t.Errorf("case without its escalation: %q", why)
	}
	var refused int
	_ = fresh.db.View(func(txn *badger.Txn) error { refused = len(keys(txn, prefixArbCase, "", 0)); return nil })
	if refused != 1 {
		t.Errorf("the refused case is not kept: %d", refused)
	}
}

func fieldIs(err error, field string) bool {
	var fe FieldErrors
	return errors.As(err, &fe) && fe[0].Field == field
}

// TestServiceRecordQuantiles: the first-response median and 90th
// percentile are nearest-rank.
func TestServiceRecordQuantiles(t *testing.T) {
	var w []time.Duration
	for k := 1; k <= 10; k++ {
		w = append(w, time.Duration(k)*time.Hour)
	}
	if m, p := rank(w, 0.5), rank(w, 0.9); m != 5*time.Hour || p != 9*time.Hour {
		t.Errorf("median %s, p90 %s of 1h..10h", m, p)
	}
	if m, p := rank(w[:1], 0.5), rank(w[:1], 0.9); m != time.Hour || p != time.Hour {
		t.Errorf("median %s, p90 %s of one", m, p)
	}
	if rank(nil, 0.5) != 0 {
		t.Error("a quantile of none")
	}
}
