package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// issueOn waits until storefront m holds issue iid of part in state, as
// the home stated it, with at least steps steps, and returns it.
func issueOn(t *testing.T, m *member, o Order, part, iid, state string, steps int) Issue {
	t.Helper()
	var i Issue
	testwait.For(t, 10*time.Second, func() (err error) {
		i, err = m.svc.PartIssue(context.Background(), o.Shopper, o.ID, part, iid)
		if err == nil && (i.State != state || i.Seq == 0 || len(i.Steps) < steps || i.Steps[len(i.Steps)-1].Seq == 0) {
			err = fmt.Errorf("issue %s is %s (seq %d, %d steps), want %s with %d steps as the home stated it", iid, i.State, i.Seq, len(i.Steps), state, steps)
		}
		return err
	})
	return i
}

func homeIssue(t *testing.T, m *member, part, iid string) Issue {
	t.Helper()
	i := issueOf(homeParts(t, m, part).Issues, iid)
	if i == nil {
		t.Fatalf("the home has no issue %s", iid)
	}
	return *i
}

var demoTerms = func(arbiter string) ServiceTerms {
	return ServiceTerms{FirstResponse: 24 * time.Hour, Resolution: 7 * 24 * time.Hour, Arbiter: arbiter}
}

// TestIssueFlow: a shopper opens an issue on a delivered part; the
// merchant asks for more, the shopper answers, the merchant offers a
// partial refund and the shopper accepts it: the refund is paid by itself
// and booked like any refund, both sides hold the same issue with every
// step, and the thread verifies as an arbiter would receive it.
func TestIssueFlow(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	f.setTerms(demoTerms(c.id))
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, p := f.delivered(a, b, 2, pan)

	in := IssueInput{Category: "damaged", Description: "  the handle came off  ", Evidence: []string{"https://img.example/1.jpg"}, Remedy: RemedyRefund, Amount: 2000}
	i, err := a.svc.OpenIssue(ctx, o.Shopper, o.ID, p.ID, in, "k1")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := a.svc.OpenIssue(ctx, o.Shopper, o.ID, p.ID, in, "k1"); err != nil || again.ID != i.ID {
		t.Fatalf("the same key again: %+v %v", again, err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueOpen, 1)
	if i.Description != "the handle came off" || i.By != ByShopper || !i.RespondBy.Equal(i.OpenedAt.Add(24*time.Hour)) || !i.ResolveBy.Equal(i.OpenedAt.Add(7*24*time.Hour)) {
		t.Errorf("opened issue: %+v", i)
	}
	list, err := b.svc.MerchantIssues(ctx, "forge", "", 50)
	if err != nil || len(list) != 1 || list[0].Issue.ID != i.ID || list[0].Part != p.ID {
		t.Fatalf("merchant's issues: %+v %v", list, err)
	}

	if _, err := b.svc.AnswerIssue(ctx, "forge", p.ID, i.ID, IssueAnswer{Action: IssueActAskInfo, Text: "a photo of the box, please"}); err != nil {
		t.Fatal(err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueAwaitingShopper, 2)
	if i.FirstResponseAt.IsZero() {
		t.Errorf("no first response recorded: %+v", i)
	}
	if _, err := a.svc.ReplyIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, IssueReplyInput{Action: IssueActInfo, Text: "the box was fine"}); err != nil {
		t.Fatal(err)
	}
	issueOn(t, a, o, p.ID, i.ID, IssueOpen, 3)
	if _, err := b.svc.AnswerIssue(ctx, "forge", p.ID, i.ID, IssueAnswer{Action: IssueActOffer, Remedy: RemedyRefund, Amount: 3000, Text: "sorry"}); err != nil {
		t.Fatal(err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueAwaitingShopper, 4)
	if i.Offer == nil || i.Offer.Amount != 3000 || i.Offer.Remedy != RemedyRefund {
		t.Fatalf("offer: %+v", i.Offer)
	}
	if _, err := a.svc.ReplyIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, IssueReplyInput{Action: IssueActAccept}); err != nil {
		t.Fatal(err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueResolved, 5)
	refundedOn(t, a, o, 3000)
	f.drained()
	got := partOn(t, a, p.ID)
	if i.Refund == "" || len(got.Refunds) != 1 || got.Refunds[0].ID != i.Refund || got.Refunds[0].Amount.Amount != 3000 || got.Status != StatusDelivered {
		t.Fatalf("storefront's part after the accepted refund: %s %+v, issue %+v", got.Status, got.Refunds, i)
	}
	hp := homeParts(t, b, p.ID)
	sameJSON(t, "issues on both sides", got.Issues, hp.Issues)
	sameJSON(t, "refunds on both sides", got.Refunds, hp.Refunds)
	if ba, bb := booked(t, a, p.ID), booked(t, b, p.ID); !slices.Equal(ba, bb) {
		t.Errorf("booked: storefront %v, home %v", ba, bb)
	}
	var actions []string
	for _, s := range i.Steps {
		actions = append(actions, s.By+":"+s.Action)
	}
	if want := []string{"shopper:open", "merchant:ask_info", "shopper:info", "merchant:offer", "shopper:accept"}; !slices.Equal(actions, want) {
		t.Errorf("steps %v, want %v", actions, want)
	}

	// Both sides hold the same signed thread; it verifies, and a thread
	// with a message of another issue or a forged one does not.
	ta, err := a.svc.IssueThread(ctx, p.ID, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.svc.IssueThread(ctx, p.ID, i.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ta) != 1+2+5 || len(ta) != len(tb) {
		t.Fatalf("threads of %d and %d messages, want 8 (3 requests, 5 statuses)", len(ta), len(tb))
	}
	for k := range ta {
		if string(ta[k]) != string(tb[k]) {
			t.Errorf("thread[%d] differs between the sides", k)
		}
	}
	v, err := VerifyIssueThread(ta, a.id, b.id)
	if err != nil || v.State != IssueResolved || v.Refund != i.Refund {
		t.Fatalf("verified thread: %+v %v", v, err)
	}
	if _, err := VerifyIssueThread(ta, c.id, b.id); !errors.Is(err, ErrForged) {
		t.Errorf("a thread checked against the wrong storefront: %v", err)
	}
	opening := slices.IndexFunc(ta, func(raw []byte) bool { return strings.Contains(string(raw), `"kind":"issue"`) })
	altered := slices.Clone(ta)
	altered[opening] = []byte(strings.Replace(string(ta[opening]), "handle", "HANDLE", 1))
	if _, err := VerifyIssueThread(altered, a.id, b.id); !errors.Is(err, ErrForged) {
		t.Errorf("an altered thread: %v", err)
	}
	if _, err := VerifyIssueThread(slices.Delete(slices.Clone(ta), opening, opening+1), a.id, b.id); !errors.Is(err, ErrInvalid) {
		t.Errorf("a thread without its opening: %v", err)
	}
}

// TestIssueRejectedThenEscalated: a rejected offer makes the issue
// escalatable, but only to an arbiter; escalated, it names the charter's
// arbiter, and a decision applied later refunds the amount once.
func TestIssueRejectedThenEscalated(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	f.setTerms(demoTerms(""))
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, p := f.delivered(a, b, 1, pan)

	i, err := a.svc.OpenIssue(ctx, o.Shopper, o.ID, p.ID, IssueInput{Category: "not_as_described", Description: "it is green", Remedy: RemedyReturn}, "")
	if err != nil {
		t.Fatal(err)
	}
	issueOn(t, a, o, p.ID, i.ID, IssueOpen, 1)
	if _, err := a.svc.EscalateIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, ""); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "cannot be escalated yet") {
		t.Errorf("escalating an open issue within its deadlines: %v", err)
	}
	if _, err := b.svc.AnswerIssue(ctx, "forge", p.ID, i.ID, IssueAnswer{Action: IssueActOffer, Remedy: RemedyReplacement}); err != nil {
		t.Fatal(err)
	}
	issueOn(t, a, o, p.ID, i.ID, IssueAwaitingShopper, 2)
	if _, err := a.svc.ReplyIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, IssueReplyInput{Action: IssueActReject}); fieldOf(err) != "text" {
		t.Errorf("rejecting without a reason: %v", err)
	}
	if _, err := a.svc.ReplyIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, IssueReplyInput{Action: IssueActReject, Text: "I want my money back"}); err != nil {
		t.Fatal(err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueOpen, 3)
	if i.Offer != nil || i.Steps[2].Remedy != RemedyReplacement {
		t.Errorf("after the rejection: %+v", i)
	}
	if _, err := a.svc.EscalateIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, ""); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "no arbiter") {
		t.Errorf("escalating with no arbiter in the charter: %v", err)
	}
	f.setTerms(demoTerms(c.id))
	if _, err := a.svc.EscalateIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, "please look at it"); err != nil {
		t.Fatal(err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueEscalated, 4)
	if i.Arbiter != c.id || !strings.Contains(i.Steps[3].Text, "rejected an offer") {
		t.Errorf("escalated: %+v", i)
	}
	if _, err := b.svc.AnswerIssue(ctx, "forge", p.ID, i.ID, IssueAnswer{Action: IssueActOffer, Remedy: RemedyReturn}); !errors.Is(err, ErrConflict) {
		t.Errorf("answering an escalated issue: %v", err)
	}

	// The arbiter's decision, applied by the home.
	if _, err := b.svc.ApplyIssueDecision(ctx, p.ID, i.ID, IssueDecision{Remedy: RemedyRefund, Amount: 99999}); fieldOf(err) != "amount" {
		t.Errorf("a decision above what is left: %v", err)
	}
	if _, err := b.svc.ApplyIssueDecision(ctx, p.ID, i.ID, IssueDecision{Remedy: RemedyRefund, Amount: 1500, Text: "half the colour"}); err != nil {
		t.Fatal(err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueDecided, 5)
	refundedOn(t, a, o, 1500)
	seq := homeParts(t, b, p.ID).Seq
	if _, err := b.svc.ApplyIssueDecision(ctx, p.ID, i.ID, IssueDecision{Remedy: RemedyRefund, Amount: 1500}); !errors.Is(err, ErrConflict) {
		t.Errorf("a second decision: %v", err)
	}
	if homeParts(t, b, p.ID).Seq != seq {
		t.Errorf("a second decision changed the part")
	}
}

// TestIssueDeadlineMissed: an issue the merchant does not answer cannot
// be escalated before its first-response deadline (the storefront says
// why; the home, sent an escalation anyway, denies it and says why), and
// can after it.
func TestIssueDeadlineMissed(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	f.setTerms(demoTerms(c.id))
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, p := f.delivered(a, b, 1, pan)
	i, err := a.svc.OpenIssue(ctx, o.Shopper, o.ID, p.ID, IssueInput{Category: "missing_parts", Description: "no lid", Remedy: RemedyReplacement}, "")
	if err != nil {
		t.Fatal(err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueOpen, 1)
	f.clk.add(23 * time.Hour)
	if _, err := a.svc.EscalateIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, ""); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "first answer is due by") {
		t.Errorf("escalating before the deadline: %v", err)
	}
	// Sent to the home anyway, it is denied there, and the denial comes
	// back.
	m, raw, err := a.svc.newSigned(KindEscalate, b.id, p.ID, func(m *Message) { m.Escalate = &IssueEscalation{Issue: i.ID, By: ByShopper} })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.send(ctx, m, raw, ""); err != nil {
		t.Fatal(err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueOpen, 2)
	if last := i.Steps[1]; last.By != ByHome || last.Action != IssueActDenied || !strings.Contains(last.Text, "cannot be escalated yet") {
		t.Errorf("the home's denial: %+v", last)
	}
	f.clk.add(2 * time.Hour)
	if _, err := a.svc.EscalateIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, ""); err != nil {
		t.Fatal(err)
	}
	i = issueOn(t, a, o, p.ID, i.ID, IssueEscalated, 3)
	if i.Arbiter != c.id || !strings.Contains(i.Steps[2].Text, "first-response deadline") {
		t.Errorf("escalated: %+v", i)
	}
	sameJSON(t, "issues on both sides", partOn(t, a, p.ID).Issues, homeParts(t, b, p.ID).Issues)
}

// TestIssueWhileHomeOffline: an issue opened while the home is cut off
// waits in the outbox; the home records it when it arrives, its deadlines
// counted from the time the storefront signed it.
func TestIssueWhileHomeOffline(t *testing.T) {
	f := newCluster(t, 2)
	a, b := f.members[0], f.members[1]
	f.setTerms(demoTerms(""))
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, p := f.delivered(a, b, 1, pan)
	f.drained()

	f.net.partition(a.id, b.id, true)
	i, err := a.svc.OpenIssue(ctx, o.Shopper, o.ID, p.ID, IssueInput{Category: "wrong_item", Description: "a pot, not a pan", Remedy: RemedyReplacement}, "")
	if err != nil {
		t.Fatal(err)
	}
	if i.State != IssueOpen || i.Seq != 0 {
		t.Fatalf("issue while the home is away: %+v", i)
	}
	if list, _ := b.svc.MerchantIssues(ctx, "forge", "", 10); len(list) != 0 {
		t.Fatalf("the home has issues while cut off: %+v", list)
	}
	signed := i.OpenedAt
	f.clk.add(5 * time.Hour)
	f.net.partition(a.id, b.id, false)
	i = issueOn(t, a, o, p.ID, i.ID, IssueOpen, 1)
	if !i.OpenedAt.Equal(signed) || !i.RespondBy.Equal(signed.Add(24*time.Hour)) {
		t.Errorf("deadlines of an issue that arrived late: opened %s, respond by %s; signed at %s", i.OpenedAt, i.RespondBy, signed)
	}
}

// TestIssueRefusals: each bad request or step is refused by name and
// changes nothing.
func TestIssueRefusals(t *testing.T) {
	f := newCluster(t, 3)
	a, b, c := f.members[0], f.members[1], f.members[2]
	f.setTerms(demoTerms(c.id))
	ctx := context.Background()
	pan := f.list(b, "forge", "PAN", 4990, 10)
	o, p := f.delivered(a, b, 1, pan)
	f.drained()
	ok := IssueInput{Category: "damaged", Description: "dented", Remedy: RemedyRefund}

	for _, bad := range []struct {
		in    IssueInput
		field string
	}{
		{IssueInput{Category: "bored", Description: "x", Remedy: RemedyRefund}, "category"},
		{IssueInput{Category: "damaged", Description: strings.Repeat("x", maxIssueText+1), Remedy: RemedyRefund}, "description"},
		{IssueInput{Category: "damaged", Description: "  ", Remedy: RemedyRefund}, "description"},
		{IssueInput{Category: "damaged", Description: "x", Remedy: RemedyRefund, Evidence: []string{"http://img.example/1.jpg"}}, "evidence[0]"},
		{IssueInput{Category: "damaged", Description: "x", Remedy: RemedyRefund, Evidence: slices.Repeat([]string{"https://img.example/1.jpg"}, 6)}, "evidence"},
		{IssueInput{Category: "damaged", Description: "x", Remedy: "money"}, "remedy"},
		{IssueInput{Category: "damaged", Description: "x", Remedy: RemedyRefund, Amount: 999999}, "amount"},
	} {
		if _, err := a.svc.OpenIssue(ctx, o.Shopper, o.ID, p.ID, bad.in, ""); fieldOf(err) != bad.field {
			t.Errorf("issue %+v: %v, want a FieldErrors naming %s", bad.in, err, bad.field)
		}
	}
	if _, err := a.svc.OpenIssue(ctx, "shp_someone_else", o.ID, p.ID, ok, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("an issue on another shopper's order: %v", err)
	}
	if n := len(partOn(t, a, p.ID).Issues); n != 0 {
		t.Fatalf("refused issues left %d on the part", n)
	}

	i, err := a.svc.OpenIssue(ctx, o.Shopper, o.ID, p.ID, ok, "")
	if err != nil {
		t.Fatal(err)
	}
	issueOn(t, a, o, p.ID, i.ID, IssueOpen, 1)
	hp := homeParts(t, b, p.ID)

	// Wrong state, at the storefront and at the merchant.
	if _, err := a.svc.ReplyIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, IssueReplyInput{Action: IssueActAccept}); !errors.Is(err, ErrConflict) {
		t.Errorf("accepting with no offer: %v", err)
	}
	if _, err := a.svc.ReplyIssue(ctx, o.Shopper, o.ID, p.ID, i.ID, IssueReplyInput{Action: "shout"}); fieldOf(err) != "action" {
		t.Errorf("an unknown reply: %v", err)
	}
	if _, err := b.svc.AnswerIssue(ctx, "forge", p.ID, i.ID, IssueAnswer{Action: IssueActOffer, Remedy: RemedyRefund, Amount: 4991}); fieldOf(err) != "amount" {
		t.Errorf("a refund offer above the rest: %v", err)
	}
	if _, err := b.svc.AnswerIssue(ctx, "forge", p.ID, i.ID, IssueAnswer{Action: IssueActRefuse}); fieldOf(err) != "text" {
		t.Errorf("refusing without a reason: %v", err)
	}
	if _, err := b.svc.AnswerIssue(ctx, "smith", p.ID, i.ID, IssueAnswer{Action: IssueActAskInfo, Text: "?"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("another merchant answering: %v", err)
	}
	if _, err := b.svc.AnswerIssue(ctx, "forge", p.ID, newMessageID(), IssueAnswer{Action: IssueActAskInfo, Text: "?"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("answering an issue the part does not have: %v", err)
	}
	if now := homeParts(t, b, p.ID); now.Seq != hp.Seq {
		t.Fatalf("refused steps moved the part from seq %d to %d", hp.Seq, now.Seq)
	}

	// Forged and replayed messages: another member signs an issue for a's
	// part, a's message is altered after signing, or sent again.
	_, forged, _ := c.svc.newSigned(KindIssue, b.id, p.ID, func(m *Message) {
		m.Issue = &IssueAsk{Category: "other", Description: "x", Remedy: RemedyRefund, By: ByShopper}
	})
	if reply := string(b.svc.Handle(ctx, c.id, forged)); !strings.Contains(reply, `"code"`) {
		t.Errorf("another member's issue answered %s", reply)
	}
	m, mine, _ := a.svc.newSigned(KindIssue, b.id, p.ID, func(m *Message) {
		m.Issue = &IssueAsk{Category: "other", Description: "x", Remedy: RemedyRefund, By: ByShopper}
	})
	altered := strings.Replace(string(mine), `"description":"x"`, `"description":"y"`, 1)
	if reply := string(b.svc.Handle(ctx, a.id, []byte(altered))); !strings.Contains(reply, `"code"`) {
		t.Errorf("an altered issue answered %s", reply)
	}
	_, badURL, _ := a.svc.newSigned(KindIssue, b.id, p.ID, func(m *Message) {
		m.Issue = &IssueAsk{Category: "other", Description: "x", Remedy: RemedyRefund, By: ByShopper, Evidence: []string{"http://x.example/a.jpg"}}
	})
	if reply := string(b.svc.Handle(ctx, a.id, badURL)); !strings.Contains(reply, "issue.evidence[0]") {
		t.Errorf("an issue with http evidence, straight to the home, answered %s", reply)
	}
	if now := homeParts(t, b, p.ID); now.Seq != hp.Seq || len(now.Issues) != 1 {
		t.Errorf("forged requests changed the part")
	}
	first := string(b.svc.Handle(ctx, a.id, mine))
	n := homeParts(t, b, p.ID)
	if again := string(b.svc.Handle(ctx, a.id, mine)); again != first {
		t.Errorf("a replay got another answer:\n%s\n%s", first, again)
	}
	if now := homeParts(t, b, p.ID); now.Seq != n.Seq || len(now.Issues) != 2 {
		t.Errorf("a replay changed the part: %d issues, seq %d then %d", len(now.Issues), n.Seq, now.Seq)
	}
	issueOn(t, a, o, p.ID, m.ID, IssueOpen, 1) // the home's status of it reaches the storefront through the outbox
}
