package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// terms returns the charter's complaint terms in force, the defaults
// filled in.
func (s *Service) terms() ServiceTerms {
	t := defaultTerms
	if s.termsOf != nil {
		t = s.termsOf()
	}
	if t.FirstResponse <= 0 {
		t.FirstResponse = defaultTerms.FirstResponse
	}
	if t.Resolution <= 0 {
		t.Resolution = defaultTerms.Resolution
	}
	return t
}

// askIssue answers a storefront's issue, issue_reply or escalate message:
// the home checks it against what it holds, on its own clock and the
// charter's terms now, and states the issue after it in a new status. A
// step the issue's state does not allow is stated too, as a step the home
// denied with the reason, so the refusal travels back like any answer.
func (s *Service) askIssue(ctx context.Context, m *Message, raw []byte) ([]byte, error) {
	now, terms := s.now(), s.terms()
	switch m.Kind {
	case KindIssue:
		return s.ask(ctx, m, raw, openIssue(m, terms, now))
	case KindIssueReply:
		return s.ask(ctx, m, raw, replyIssue(m, now))
	default:
		return s.ask(ctx, m, raw, escalateIssue(m, terms, now))
	}
}

// issueChange applies step to issue iid of a part, on a copy of its
// issues; an issue the part does not have is ErrNotFound, one with as many
// steps as an issue may have ErrConflict.
func issueChange(iid string, step func(p *HomePart, i *Issue) error) change {
	return change{eventOf: func(p *HomePart) string { return issueEvent(p.statedIssue()) }, apply: func(p *HomePart) error {
		p.Issues = cloneIssues(p.Issues)
		i := issueOf(p.Issues, iid)
		switch {
		case i == nil:
			return fmt.Errorf("%w: part %s has no issue %s", ErrNotFound, p.ID, iid)
		case len(i.Steps) >= maxIssueSteps:
			return fmt.Errorf("%w: issue %s has %d steps, the most one issue may have", ErrConflict, iid, maxIssueSteps)
		}
		return step(p, i)
	}}
}

// deny states step by of issue i refused by the home, for why.
func deny(p *HomePart, i *Issue, now time.Time, why error) {
	i.Seq = p.Seq + 1
	i.Steps = append(i.Steps, IssueStep{By: ByHome, Action: IssueActDenied, Text: strings.TrimPrefix(why.Error(), ErrConflict.Error()+": "), At: now.UTC(), Seq: i.Seq})
}

// openIssue opens issue m.ID of a part: open, its deadlines counted from
// the message's signed time under terms; refused by the home, with the
// reason, when the part cannot have one now.
func openIssue(m *Message, terms ServiceTerms, now time.Time) change {
	return change{eventOf: func(p *HomePart) string { return issueEvent(p.statedIssue()) }, apply: func(p *HomePart) error {
		if issueOf(p.Issues, m.ID) != nil {
			return errDone
		}
		if len(p.Issues) >= maxIssues {
			return fmt.Errorf("%w: part %s has had %d issues, the most one part may have", ErrConflict, p.ID, maxIssues)
		}
		ask, at, seq := m.Issue, m.At.UTC(), p.Seq+1
		i := Issue{ID: m.ID, Seq: seq, State: IssueOpen, Category: ask.Category, Description: ask.Description, Evidence: slices.Clone(ask.Evidence),
			Remedy: ask.Remedy, Amount: ask.Amount, By: ask.By, OpenedAt: at,
			RespondBy: at.Add(terms.FirstResponse), ResolveBy: at.Add(terms.Resolution),
			Steps: []IssueStep{{By: ask.By, Action: IssueActOpen, Text: ask.Description, Remedy: ask.Remedy, Amount: ask.Amount, At: at, Seq: seq}}}
		if why := issueRefusal(p, m, now); why != "" {
			i.State, i.Refusal = IssueRefused, why
			i.Steps = append(i.Steps, IssueStep{By: ByHome, Action: IssueActRefuse, Text: why, At: now.UTC(), Seq: seq})
		}
		p.Issues = append(cloneIssues(p.Issues), i)
		return nil
	}}
}

// issueAllowed reports whether a part in status may have an issue opened:
// any part that was placed, whatever became of it.
func issueAllowed(status string) bool {
	switch status {
	case StatusAccepted, StatusShipped, StatusDelivered, StatusRefunded, StatusCancelled:
		return true
	}
	return false
}

// issueRefusal says why the home refuses to open issue m on p, or "".
func issueRefusal(p *HomePart, m *Message, now time.Time) string {
	switch {
	case !issueAllowed(p.Status):
		return fmt.Sprintf("part %s is %s; an issue is opened on a placed part", p.ID, strings.ReplaceAll(p.Status, "_", " "))
	case m.At.After(now.Add(maxClockSkew)):
		return fmt.Sprintf("the issue is dated %s, later than the home's clock", m.At.UTC().Format(time.RFC3339))
	case m.At.Before(p.CreatedAt.Add(-maxClockSkew)):
		return "the issue is dated before the part was ordered"
	case liveIssues(p.Issues) >= maxOpenIssues:
		return fmt.Sprintf("part %s has %d issues under way, the most one part may have", p.ID, maxOpenIssues)
	}
	return ""
}

// replyIssue applies a shopper's answer m to an issue: information (the
// merchant's turn again), a rejected offer (open again, and escalatable),
// or an accepted one (resolved; an offered refund is paid by a refund the
// same status states, so settlement books it like any refund).
func replyIssue(m *Message, now time.Time) change {
	r := m.IssueReply
	return issueChange(r.Issue, func(p *HomePart, i *Issue) error {
		at := m.At.UTC()
		if why := replyRefusal(i, r); why != nil {
			deny(p, i, now, why)
			return nil
		}
		seq := p.Seq + 1
		step := IssueStep{By: ByShopper, Action: r.Action, Text: r.Text, At: at, Seq: seq}
		switch r.Action {
		case IssueActInfo:
			i.State = IssueOpen
		case IssueActReject:
			step.Remedy, step.Amount = i.Offer.Remedy, i.Offer.Amount
			i.State, i.Offer = IssueOpen, nil
		case IssueActAccept:
			step.Remedy, step.Amount = i.Offer.Remedy, i.Offer.Amount
			if i.Offer.Remedy == RemedyRefund {
				rid := refundID("issue", p.ID, i.ID)
				if err := refundSome(rid, RefundRequest{Amount: &i.Offer.Amount, Reason: "issue " + i.ID}).apply(p); err != nil {
					deny(p, i, now, err)
					return nil
				}
				i.Refund = rid
			}
			i.State = IssueResolved
		}
		i.Seq = seq
		i.Steps = append(i.Steps, step)
		return nil
	})
}

// replyRefusal says why the home refuses answer r to issue i, or nil.
func replyRefusal(i *Issue, r *IssueReply) error {
	switch {
	case r.Action == IssueActInfo && !i.Live():
		return fmt.Errorf("%w: issue %s is %s; information is given on an open issue", ErrConflict, i.ID, i.State)
	case r.Action != IssueActInfo && (i.State != IssueAwaitingShopper || i.Offer == nil):
		return fmt.Errorf("%w: issue %s has no offer to %s", ErrConflict, i.ID, r.Action)
	case r.Action != IssueActInfo && i.Offer.Seq != r.Offer:
		return fmt.Errorf("%w: the offer of issue %s changed since the one answered", ErrConflict, i.ID)
	}
	return nil
}

// escalateIssue takes an issue to the arbiter of terms, when the home's
// record and clock allow it (see Issue.Escalatable).
func escalateIssue(m *Message, terms ServiceTerms, now time.Time) change {
	e := m.Escalate
	return issueChange(e.Issue, func(p *HomePart, i *Issue) error {
		why, err := i.Escalatable(now, terms.Arbiter)
		if err != nil {
			deny(p, i, now, err)
			return nil
		}
		text := why
		if e.Text != "" {
			text = why + ": " + e.Text
		}
		i.State, i.Arbiter, i.Seq = IssueEscalated, terms.Arbiter, p.Seq+1
		i.Steps = append(i.Steps, IssueStep{By: e.By, Action: IssueActEscalate, Text: text, At: m.At.UTC(), Seq: i.Seq})
		return nil
	})
}

// AnswerIssue is merchant's answer to the issue iid of its part: ask_info
// asks the shopper for more, offer puts a remedy on the table (a refund
// never above the items left to refund), refuse refuses it with a reason.
// Only an open issue, or one awaiting the shopper, is answered; the first
// answer is the merchant's first response.
func (s *Service) AnswerIssue(ctx context.Context, merchant, part, iid string, a IssueAnswer) (HomePart, error) {
	a.Text = strings.TrimSpace(a.Text)
	var errs FieldErrors
	a.check(&errs)
	if err := errs.err(); err != nil {
		return HomePart{}, err
	}
	now := s.now().UTC()
	return s.merchantAction(ctx, merchant, part, issueChange(iid, func(p *HomePart, i *Issue) error {
		if !i.Live() {
			return fmt.Errorf("%w: issue %s is %s; only an open issue, or one awaiting the shopper, is answered", ErrConflict, iid, strings.ReplaceAll(i.State, "_", " "))
		}
		if a.Action == IssueActOffer && a.Remedy == RemedyRefund {
			if left := p.Left(); a.Amount > left.Items.Amount {
				return FieldErrors{{Field: "amount", Message: fmt.Sprintf("%s is more than the %s of items left to refund",
					Money{Amount: a.Amount, Currency: p.Total.Currency}, left.Items)}}
			}
		}
		seq := p.Seq + 1
		i.Seq = seq
		if i.FirstResponseAt.IsZero() {
			i.FirstResponseAt = now
		}
		i.Steps = append(i.Steps, IssueStep{By: ByMerchant, Action: a.Action, Text: a.Text, Remedy: a.Remedy, Amount: a.Amount, At: now, Seq: seq})
		switch a.Action {
		case IssueActAskInfo:
			i.State, i.Offer = IssueAwaitingShopper, nil
		case IssueActOffer:
			i.State, i.Offer = IssueAwaitingShopper, &IssueOffer{Remedy: a.Remedy, Amount: a.Amount, Seq: seq}
		case IssueActRefuse:
			i.State, i.Offer, i.Refusal = IssueRefused, nil, a.Text
		}
		return nil
	}))
}

// decideIssue applies an arbiter's decision d to the escalated issue iid
// of a part: decided, with a refund of d.Amount paid by a refund the same
// status states (settlement books it like any refund), or a replacement,
// or no remedy, recorded. A decision is applied once: a second one, or
// one on an issue not escalated, is ErrConflict. The arbiter's side
// (receiving the case, checking the decision is the charter's arbiter's)
// calls it inside a transition of the part, from a merchant's or the
// node's own action (ApplyIssueDecision) or a message's.
func decideIssue(iid string, d IssueDecision, now time.Time) change {
	return issueChange(iid, func(p *HomePart, i *Issue) error {
		if i.State != IssueEscalated {
			return fmt.Errorf("%w: issue %s is %s; only an escalated issue is decided", ErrConflict, iid, i.State)
		}
		switch {
		case d.Remedy == RemedyRefund && d.Amount <= 0:
			return FieldErrors{{Field: "amount", Message: "a refund decision needs an amount above 0"}}
		case d.Remedy != RemedyRefund && d.Remedy != RemedyReplacement && d.Remedy != RemedyNone:
			return FieldErrors{{Field: "remedy", Message: fmt.Sprintf("%q is not refund, replacement or none", d.Remedy)}}
		case d.Remedy != RemedyRefund && d.Amount != 0:
			return FieldErrors{{Field: "amount", Message: "only a refund decision has an amount"}}
		case len(d.Text) > maxIssueText:
			return FieldErrors{{Field: "text", Message: fmt.Sprintf("is longer than %d bytes", maxIssueText)}}
		}
		seq := p.Seq + 1
		if d.Remedy == RemedyRefund {
			rid := refundID("issue-decision", p.ID, iid)
			if err := refundSome(rid, RefundRequest{Amount: &d.Amount, Reason: "arbiter's decision on issue " + iid}).apply(p); err != nil {
				return err
			}
			i.Refund = rid
		}
		i.State, i.Seq, i.Offer = IssueDecided, seq, &IssueOffer{Remedy: d.Remedy, Amount: d.Amount, Seq: seq}
		i.Steps = append(i.Steps, IssueStep{By: ByArbiter, Action: IssueActDecide, Text: d.Text, Remedy: d.Remedy, Amount: d.Amount, At: now.UTC(), Seq: seq})
		return nil
	})
}

// ApplyIssueDecision applies an arbiter's decision to the escalated issue
// iid of part, homed here, as the node's own action (see decideIssue): the
// decision is stated in a status that travels to the storefront like any
// other. The caller has checked the decision is the charter's arbiter's.
func (s *Service) ApplyIssueDecision(ctx context.Context, part, iid string, d IssueDecision) (HomePart, error) {
	d.Text = strings.TrimSpace(d.Text)
	res, err := s.transition(ctx, part, nil, nil, decideIssue(iid, d, s.now()))
	if err != nil {
		return HomePart{}, err
	}
	return *res.part, nil
}

// statedIssue is the issue that p's current status states: the one the
// change to p.Seq made, if any.
func (p *HomePart) statedIssue() *Issue {
	for _, i := range p.Issues {
		if i.Seq == p.Seq {
			cp := cloneIssue(i)
			return &cp
		}
	}
	return nil
}

// MerchantIssue is an issue as a merchant's list shows it.
type MerchantIssue struct {
	Order string `json:"order_id"`
	Part  string `json:"part_id"`
	Issue Issue  `json:"issue"`
}

// MerchantIssues lists merchant's issues, at most limit, with state when
// set: the live ones first, the nearest deadline first; then the
// escalated; then the rest, newest first.
func (s *Service) MerchantIssues(_ context.Context, merchant, state string, limit int) ([]MerchantIssue, error) {
	var out []MerchantIssue
	err := s.db.View(func(txn *badger.Txn) error {
		parts := map[string]*HomePart{}
		prefix := prefixHomeIssue + merchant + "/"
		for _, k := range keys(txn, prefix, "", 0) {
			rest := k[len(prefix):]
			j := strings.LastIndexByte(rest, '/')
			if j < 0 {
				continue
			}
			id, iid := rest[:j], rest[j+1:]
			p, ok := parts[id]
			if !ok {
				var err error
				if p, err = loadHome(txn, id); err != nil {
					if errors.Is(err, ErrNotFound) { // pruned
						continue
					}
					return err
				}
				parts[id] = p
			}
			if i := issueOf(p.Issues, iid); i != nil && (state == "" || i.State == state) {
				out = append(out, MerchantIssue{Order: p.Order, Part: p.ID, Issue: cloneIssue(*i)})
			}
		}
		return nil
	})
	rank := func(i *Issue) int {
		switch {
		case i.Live():
			return 0
		case i.State == IssueEscalated:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b MerchantIssue) int {
		if d := rank(&a.Issue) - rank(&b.Issue); d != 0 {
			return d
		}
		if rank(&a.Issue) == 0 {
			return a.Issue.Deadline().Compare(b.Issue.Deadline())
		}
		return b.Issue.OpenedAt.Compare(a.Issue.OpenedAt)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// IssueThread returns the signed messages of issue iid of part that this
// node keeps, in the order of their signed times: the storefront's issue, issue_reply and
// escalate messages and the home's statuses that state the issue. Both
// sides of the part hold the same thread; an arbiter checks one with
// VerifyIssueThread.
func (s *Service) IssueThread(ctx context.Context, part, iid string) ([][]byte, error) {
	var out [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixMessages+part+"/", "", 0) {
			raw, err := getRaw(txn, k)
			if err != nil {
				return err
			}
			m, err := DecodeMessage(raw)
			if err != nil {
				return err
			}
			if issueIDOf(m) == iid {
				out = append(out, raw)
			}
		}
		return nil
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("%w: part %s has no issue %s", ErrNotFound, part, iid)
	}
	return out, err
}

// issueIDOf is the issue a message is about, or "".
func issueIDOf(m *Message) string {
	switch {
	case m.Kind == KindIssue:
		return m.ID
	case m.IssueReply != nil:
		return m.IssueReply.Issue
	case m.Escalate != nil:
		return m.Escalate.Issue
	case m.Kind == KindStatus && m.Status.Issue != nil:
		return m.Status.Issue.ID
	}
	return ""
}

// VerifyIssueThread checks a thread IssueThread returned, as a third
// member (the arbiter) receives it: every message verifies and is about
// one part and one issue, the storefront's requests are the storefront's
// to the home, the statuses the home's to the storefront, and the issue's
// opening is among them. It returns the issue as the latest status
// states it.
func VerifyIssueThread(raws [][]byte, storefront, home string) (Issue, error) {
	var (
		part, iid string
		opened    bool
		latest    *Issue
	)
	for k, raw := range raws {
		m, err := DecodeMessage(raw)
		if err != nil {
			return Issue{}, fmt.Errorf("thread[%d]: %w", k, err)
		}
		id := issueIDOf(m)
		switch {
		case id == "":
			return Issue{}, fmt.Errorf("%w: thread[%d]: a %s that is about no issue", ErrInvalid, k, m.Kind)
		case part != "" && (m.Part != part || id != iid):
			return Issue{}, fmt.Errorf("%w: thread[%d]: about issue %s of part %s, the thread's is %s of %s", ErrInvalid, k, id, m.Part, iid, part)
		case m.Kind == KindStatus && (m.From != home || m.To != storefront):
			return Issue{}, fmt.Errorf("%w: thread[%d]: a status from %s to %s, not the home's to the storefront", ErrForged, k, shortPeer(m.From), shortPeer(m.To))
		case m.Kind != KindStatus && (m.From != storefront || m.To != home):
			return Issue{}, fmt.Errorf("%w: thread[%d]: a %s from %s to %s, not the storefront's to the home", ErrForged, k, m.Kind, shortPeer(m.From), shortPeer(m.To))
		}
		part, iid = m.Part, id
		opened = opened || m.Kind == KindIssue
		if m.Kind == KindStatus && (latest == nil || m.Status.Issue.Seq > latest.Seq) {
			latest = m.Status.Issue
		}
	}
	switch {
	case !opened:
		return Issue{}, fmt.Errorf("%w: the thread holds no opening of issue %s", ErrInvalid, iid)
	case latest == nil:
		return Issue{}, fmt.Errorf("%w: the thread holds no status of issue %s by the home", ErrInvalid, iid)
	}
	return cloneIssue(*latest), nil
}

// AnswerMerchantIssue is AnswerIssue for the issue iid of whichever of
// merchant's parts has it, and returns the issue as it stands after.
func (s *Service) AnswerMerchantIssue(ctx context.Context, merchant, iid string, a IssueAnswer) (MerchantIssue, error) {
	part := ""
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixHomeIssue+merchant+"/", "", 0) {
			if rest, ok := strings.CutSuffix(k[len(prefixHomeIssue+merchant+"/"):], "/"+iid); ok {
				part = rest
				return nil
			}
		}
		return nil
	})
	switch {
	case err != nil:
		return MerchantIssue{}, err
	case part == "" || merchant == "":
		return MerchantIssue{}, fmt.Errorf("%w: issue %s", ErrNotFound, iid)
	}
	p, err := s.AnswerIssue(ctx, merchant, part, iid, a)
	if err != nil {
		return MerchantIssue{}, err
	}
	i := issueOf(p.Issues, iid)
	if i == nil {
		return MerchantIssue{}, fmt.Errorf("%w: issue %s", ErrNotFound, iid)
	}
	return MerchantIssue{Order: p.Order, Part: p.ID, Issue: cloneIssue(*i)}, nil
}
