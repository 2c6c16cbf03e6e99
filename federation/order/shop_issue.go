package order

import (
	"context"
	"fmt"
	"slices"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// OpenIssue opens a complaint about part of shopper's order, or, with
// shopper "", about a part of any order of this storefront, opened by its
// operator. The storefront checks what it knows first (the part placed,
// the issue well formed, not too many under way): a request that fails is
// a FieldErrors naming the field, or ErrConflict, and changes nothing.
// Otherwise the signed issue goes through the outbox, so it reaches a home
// that is offline when it comes back; the home fixes its deadlines from
// the message's signed time and states it back. key, when set, makes the
// request idempotent. It returns the issue as the storefront holds it.
func (s *Service) OpenIssue(ctx context.Context, shopper, id, part string, in IssueInput, key string) (Issue, error) {
	p, err := s.shopPart(ctx, shopper, id, part)
	if err != nil {
		return Issue{}, err
	}
	in.Description = strings.TrimSpace(in.Description)
	for k := range in.Evidence {
		in.Evidence[k] = strings.TrimSpace(in.Evidence[k])
	}
	var errs FieldErrors
	in.check(&errs)
	if len(key) > 200 {
		errs.add("Idempotency-Key", "is longer than 200 characters")
	}
	if err := errs.err(); err != nil {
		return Issue{}, err
	}
	by := ByShopper
	if shopper == "" {
		by = ByOperator
	}
	iid := newMessageID()
	if key != "" {
		iid = refundID("issue", by, shopper, part, key)
		if i := issueOf(p.Issues, iid); i != nil {
			return cloneIssue(*i), nil
		}
	}
	if err := issueOpenable(&p, in); err != nil {
		return Issue{}, err
	}
	ask := &IssueAsk{Category: in.Category, Description: in.Description, Evidence: slices.Clone(in.Evidence), Remedy: in.Remedy, Amount: in.Amount, By: by}
	m, raw, err := s.newSigned(KindIssue, p.Platform, p.ID, func(m *Message) { m.ID, m.Issue = iid, ask })
	if err != nil {
		return Issue{}, err
	}
	err = s.sendIssueStep(ctx, id, part, m, raw, func(p *Part) (string, error) {
		if issueOf(p.Issues, iid) != nil { // a repeat, at the same time
			return "", nil
		}
		if err := issueOpenable(p, in); err != nil {
			return "", err
		}
		p.Issues = append(p.Issues, Issue{ID: iid, State: IssueOpen, Category: ask.Category, Description: ask.Description,
			Evidence: ask.Evidence, Remedy: ask.Remedy, Amount: ask.Amount, By: by, OpenedAt: m.At,
			Steps: []IssueStep{{By: by, Action: IssueActOpen, Text: ask.Description, Remedy: ask.Remedy, Amount: ask.Amount, At: m.At}}})
		return iid, nil
	})
	if err != nil {
		return Issue{}, err
	}
	return s.PartIssue(ctx, shopper, id, part, iid)
}

// issueOpenable checks an issue on part p as the storefront knows it.
func issueOpenable(p *Part, in IssueInput) error {
	switch {
	case !issueAllowed(p.Status):
		return fmt.Errorf("%w: part_id: part %s is %s; an issue is opened on a placed part", ErrConflict, p.ID, strings.ReplaceAll(p.Status, "_", " "))
	case len(p.Issues) >= maxIssues:
		return fmt.Errorf("%w: part_id: part %s has had %d issues, the most one part may have", ErrConflict, p.ID, maxIssues)
	case liveIssues(p.Issues) >= maxOpenIssues:
		return fmt.Errorf("%w: part_id: part %s has %d issues under way, the most one part may have", ErrConflict, p.ID, maxOpenIssues)
	case in.Amount > p.Total.Amount:
		return FieldErrors{{Field: "amount", Message: fmt.Sprintf("%s is more than the part's total %s", Money{Amount: in.Amount, Currency: p.Total.Currency}, p.Total)}}
	}
	return nil
}

// IssueReplyInput is a shopper's answer to a merchant: info (Text),
// accept the offer on the table, or reject it (Text says why).
type IssueReplyInput struct {
	Action string `json:"action"`
	Text   string `json:"text,omitempty"`
}

// ReplyIssue sends the shopper's answer to the merchant on issue iid:
// the storefront checks the issue's state as the home last stated it (an
// offer to accept or reject; information on an open issue), and the home
// checks again. The answer is added to the storefront's issue as a step
// the home has not stated yet (seq 0) until its status comes back.
func (s *Service) ReplyIssue(ctx context.Context, shopper, id, part, iid string, in IssueReplyInput) (Issue, error) {
	p, err := s.shopPart(ctx, shopper, id, part)
	if err != nil {
		return Issue{}, err
	}
	i := issueOf(p.Issues, iid)
	if i == nil {
		return Issue{}, fmt.Errorf("%w: part %s has no issue %s", ErrNotFound, part, iid)
	}
	r := &IssueReply{Issue: iid, Action: in.Action, Text: strings.TrimSpace(in.Text)}
	if i.Offer != nil {
		r.Offer = i.Offer.Seq
	}
	var errs FieldErrors
	r.check(&errs)
	if err := errs.err(); err != nil {
		return Issue{}, err
	}
	if i.Seq == 0 {
		return Issue{}, fmt.Errorf("%w: the home of issue %s has not recorded it yet", ErrConflict, iid)
	}
	if err := replyRefusal(i, r); err != nil {
		return Issue{}, err
	}
	m, raw, err := s.newSigned(KindIssueReply, p.Platform, p.ID, func(m *Message) { m.IssueReply = r })
	if err != nil {
		return Issue{}, err
	}
	if err := s.sendIssueStep(ctx, id, part, m, raw, pendingStep(iid, IssueStep{By: ByShopper, Action: r.Action, Text: r.Text, At: m.At})); err != nil {
		return Issue{}, err
	}
	return s.PartIssue(ctx, shopper, id, part, iid)
}

// EscalateIssue takes issue iid to the charter's arbiter, for shopper (or,
// with shopper "", the operator): only when a deadline passed, an offer
// was rejected or the merchant refused, and the charter names an arbiter.
// The storefront checks first, on its clock, and says why not; the home
// checks again on its record and clock, and states the issue escalated to
// the arbiter, or the escalation denied with its reason.
func (s *Service) EscalateIssue(ctx context.Context, shopper, id, part, iid, text string) (Issue, error) {
	p, err := s.shopPart(ctx, shopper, id, part)
	if err != nil {
		return Issue{}, err
	}
	i := issueOf(p.Issues, iid)
	if i == nil {
		return Issue{}, fmt.Errorf("%w: part %s has no issue %s", ErrNotFound, part, iid)
	}
	by := ByShopper
	if shopper == "" {
		by = ByOperator
	}
	e := &IssueEscalation{Issue: iid, Text: strings.TrimSpace(text), By: by}
	var errs FieldErrors
	e.check(&errs)
	if err := errs.err(); err != nil {
		return Issue{}, err
	}
	if _, err := i.Escalatable(s.now(), s.terms().Arbiter); err != nil {
		return Issue{}, err
	}
	m, raw, err := s.newSigned(KindEscalate, p.Platform, p.ID, func(m *Message) { m.Escalate = e })
	if err != nil {
		return Issue{}, err
	}
	if err := s.sendIssueStep(ctx, id, part, m, raw, pendingStep(iid, IssueStep{By: by, Action: IssueActEscalate, Text: e.Text, At: m.At})); err != nil {
		return Issue{}, err
	}
	return s.PartIssue(ctx, shopper, id, part, iid)
}

// pendingStep adds step to the storefront's copy of issue iid.
func pendingStep(iid string, step IssueStep) func(p *Part) (string, error) {
	return func(p *Part) (string, error) {
		i := issueOf(p.Issues, iid)
		if i == nil {
			return "", fmt.Errorf("%w: part %s has no issue %s", ErrNotFound, p.ID, iid)
		}
		i.Steps = append(slices.Clone(i.Steps), step)
		return "", nil
	}
}

// sendIssueStep records step on part of order id and queues m to the
// part's home in one transaction, then tries to deliver it now. step
// returns the id of an issue it opened, for the opened webhook.
func (s *Service) sendIssueStep(ctx context.Context, id, part string, m *Message, raw []byte, step func(p *Part) (string, error)) error {
	var ks []string
	err := func() error {
		unlock := s.lockShop(id)
		defer unlock()
		return s.update(func(txn *badger.Txn) error {
			ks = ks[:0]
			o, err := loadOrder(txn, id)
			if err != nil {
				return err
			}
			p := o.partOf(part)
			p.Issues = cloneIssues(p.Issues)
			opened, err := step(p)
			if err != nil {
				return err
			}
			o.UpdatedAt = s.now().UTC()
			if err := putJSON(txn, prefixOrder+o.ID, o); err != nil {
				return err
			}
			if opened != "" {
				if err := s.emitEvent(txn, "order.issue.opened", map[string]any{"order": o.ID, "part": *p, "issue": *issueOf(p.Issues, opened)}); err != nil {
					return err
				}
			}
			return s.queueRequests(txn, []signed{{m, raw}}, &ks)
		})
	}()
	if err != nil {
		return err
	}
	s.notifyEmitter()
	s.confirmNow(ctx, ks)
	return nil
}

// shopPart returns part of shopper's order id ("" for any order of this
// storefront).
func (s *Service) shopPart(ctx context.Context, shopper, id, part string) (Part, error) {
	o, err := s.GetOrder(ctx, shopper, id)
	if err != nil {
		return Part{}, err
	}
	p := o.partOf(part)
	if p == nil {
		return Part{}, fmt.Errorf("%w: order %s has no part %s", ErrNotFound, id, part)
	}
	return *p, nil
}

// PartIssues returns the issues of a shopper's part ("" for the
// operator), oldest first.
func (s *Service) PartIssues(ctx context.Context, shopper, id, part string) ([]Issue, error) {
	p, err := s.shopPart(ctx, shopper, id, part)
	if err != nil {
		return nil, err
	}
	return cloneIssues(p.Issues), nil
}

// PartIssue returns issue iid of a shopper's part.
func (s *Service) PartIssue(ctx context.Context, shopper, id, part, iid string) (Issue, error) {
	is, err := s.PartIssues(ctx, shopper, id, part)
	if err != nil {
		return Issue{}, err
	}
	if i := issueOf(is, iid); i != nil {
		return *i, nil
	}
	return Issue{}, fmt.Errorf("%w: part %s has no issue %s", ErrNotFound, part, iid)
}

// ServiceTerms are the charter's complaint terms in force, the defaults
// filled in: the pages say by them whether an issue may go to an arbiter.
func (s *Service) ServiceTerms() ServiceTerms { return s.terms() }
