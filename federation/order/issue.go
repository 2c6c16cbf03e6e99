package order

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// States of an Issue.
const (
	// IssueOpen: the merchant's turn (opened, or the shopper answered).
	IssueOpen = "open"
	// IssueAwaitingShopper: the merchant asked for more or offered a
	// remedy; the shopper's turn.
	IssueAwaitingShopper = "awaiting_shopper"
	// IssueResolved: the shopper accepted an offered remedy.
	IssueResolved = "resolved"
	// IssueRefused: the merchant (or the home, for an issue it could not
	// open) refused it with a reason.
	IssueRefused = "refused"
	// IssueEscalated: the storefront took it to the charter's arbiter.
	IssueEscalated = "escalated"
	// IssueDecided: the arbiter decided it, and the home applied it.
	IssueDecided = "decided"
)

// IssueCategories are what an issue may be about.
var IssueCategories = []string{"not_received", "damaged", "wrong_item", "not_as_described", "missing_parts", "billing", "other"}

// Remedies an issue may ask for and a merchant (or an arbiter) grant.
const (
	RemedyRefund      = "refund"
	RemedyReplacement = "replacement"
	RemedyReturn      = "return"
	// RemedyNone is an arbiter's decision that nothing is owed.
	RemedyNone = "none"
)

// IssueRemedies are the remedies a shopper may ask for or be offered.
var IssueRemedies = []string{RemedyRefund, RemedyReplacement, RemedyReturn}

// Actions of an issue's steps.
const (
	// The storefront's: opened by the shopper or the operator; the
	// shopper's answers; its escalation.
	IssueActOpen     = "open"
	IssueActInfo     = "info"
	IssueActAccept   = "accept"
	IssueActReject   = "reject"
	IssueActEscalate = "escalate"
	// The merchant's answers.
	IssueActAskInfo = "ask_info"
	IssueActOffer   = "offer"
	IssueActRefuse  = "refuse"
	// IssueActDenied: the home refused a storefront's step it received
	// (the state did not allow it, the deadlines had not passed); the
	// issue is otherwise as it was, and Text says why.
	IssueActDenied = "denied"
	// IssueActDecide: the arbiter's decision, applied by the home.
	IssueActDecide = "decide"
)

// Who took a step of an issue, besides ByShopper, ByHome and ByMerchant.
const (
	ByOperator = "operator" // the storefront's operator
	ByArbiter  = "arbiter"
)

// Bounds of an issue.
const (
	maxIssues           = 20
	maxOpenIssues       = 3
	maxIssueText        = 2000
	maxIssueEvidence    = 5
	maxIssueEvidenceURL = 2000
	maxIssueSteps       = 40
)

// ServiceTerms are the charter's complaint terms in force: how long a
// merchant has to answer an issue first and to resolve it, and the peer
// id of the member that arbitrates escalated issues ("" for none).
type ServiceTerms struct {
	FirstResponse time.Duration
	Resolution    time.Duration
	Arbiter       string
}

// defaultTerms are the terms of a service told none.
var defaultTerms = ServiceTerms{FirstResponse: 48 * time.Hour, Resolution: 14 * 24 * time.Hour}

// Issue is a complaint about an order part and what became of it. The
// storefront's issue message opens it (its id is the issue's); every later
// step is a status of the home node that states the issue as it stands
// after the step (Status.Issue), so both sides hold the same record, each
// step signed and timed.
type Issue struct {
	// ID is the id of the storefront's issue message.
	ID string `json:"id"`
	// Seq is the seq of the status that stated the issue last; 0 while
	// only the storefront knows it.
	Seq         uint64   `json:"seq"`
	State       string   `json:"state"`
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Evidence    []string `json:"evidence,omitempty"`
	// Remedy is what the opener asked for; Amount, for a refund, how
	// much (minor units of the part's currency; 0: unsaid).
	Remedy string `json:"remedy"`
	Amount int64  `json:"amount,omitempty"`
	// By is who opened it: ByShopper or ByOperator.
	By string `json:"by"`
	// OpenedAt is the opening message's signed time, the deadlines'
	// start.
	OpenedAt time.Time `json:"opened_at"`
	// RespondBy and ResolveBy are the deadlines the home fixed when it
	// recorded the opening, from OpenedAt and the charter's terms then.
	RespondBy time.Time `json:"respond_by,omitzero"`
	ResolveBy time.Time `json:"resolve_by,omitzero"`
	// FirstResponseAt is when the merchant first answered.
	FirstResponseAt time.Time `json:"first_response_at,omitzero"`
	// Offer is the merchant's remedy on the table (awaiting_shopper), or
	// the one agreed (resolved) or decided (decided).
	Offer *IssueOffer `json:"offer,omitempty"`
	// Refusal is why it was refused.
	Refusal string `json:"refusal,omitempty"`
	// Arbiter is the peer id of the arbiter it was escalated to.
	Arbiter string `json:"arbiter,omitempty"`
	// Refund is the id of the refund that paid the remedy.
	Refund string `json:"refund,omitempty"`
	// Steps are the issue's steps, oldest first.
	Steps []IssueStep `json:"steps"`
}

// IssueOffer is a remedy: refund (of Amount), replacement or return, or
// none (an arbiter's decision). Seq is the seq of the status that stated
// it: the shopper's answer names it, so an answer meets the offer it read.
type IssueOffer struct {
	Remedy string `json:"remedy"`
	Amount int64  `json:"amount,omitempty"`
	Seq    uint64 `json:"seq,omitempty"`
}

// IssueStep is one step of an issue: who took it, what it was, and when.
// Seq is the seq of the home's status that states the step (0 while only
// the storefront knows it).
type IssueStep struct {
	By     string    `json:"by"`
	Action string    `json:"action"`
	Text   string    `json:"text,omitempty"`
	Remedy string    `json:"remedy,omitempty"`
	Amount int64     `json:"amount,omitempty"`
	At     time.Time `json:"at"`
	Seq    uint64    `json:"seq,omitempty"`
}

// IssueAsk is what a storefront's issue message asks: the complaint as its
// opener put it.
type IssueAsk struct {
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Evidence    []string `json:"evidence,omitempty"`
	Remedy      string   `json:"remedy"`
	Amount      int64    `json:"amount,omitempty"`
	// By is ByShopper or ByOperator; the storefront sets it.
	By string `json:"by"`
}

// IssueInput is a shopper's or an operator's complaint.
type IssueInput struct {
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Evidence    []string `json:"evidence,omitempty"`
	Remedy      string   `json:"remedy"`
	Amount      int64    `json:"amount,omitempty"`
}

// IssueReply is a shopper's answer to a merchant, on an issue_reply
// message: Action info (Text), accept or reject (the offer stated at
// Offer; Text says why on reject).
type IssueReply struct {
	Issue  string `json:"issue"`
	Action string `json:"action"`
	Text   string `json:"text,omitempty"`
	Offer  uint64 `json:"offer,omitempty"`
}

// IssueEscalation is a storefront's escalation of an issue to the
// charter's arbiter, on an escalate message.
type IssueEscalation struct {
	Issue string `json:"issue"`
	Text  string `json:"text,omitempty"`
	// By is ByShopper or ByOperator.
	By string `json:"by"`
}

// IssueAnswer is a merchant's answer: ask_info (Text), offer (Remedy,
// Amount for a refund, Text) or refuse (Text, the reason).
type IssueAnswer struct {
	Action string `json:"action"`
	Text   string `json:"text,omitempty"`
	Remedy string `json:"remedy,omitempty"`
	Amount int64  `json:"amount,omitempty"`
}

// IssueDecision is an arbiter's decision: a refund of Amount, a
// replacement, or none.
type IssueDecision struct {
	Remedy string `json:"remedy"`
	Amount int64  `json:"amount,omitempty"`
	Text   string `json:"text,omitempty"`
}

// Live reports whether the issue still waits for the merchant or the
// shopper (open or awaiting the shopper).
func (i *Issue) Live() bool { return i.State == IssueOpen || i.State == IssueAwaitingShopper }

// Ended reports whether nothing more may happen to the issue but an
// arbiter's decision.
func (i *Issue) Ended() bool { return i.State == IssueResolved || i.State == IssueDecided }

// Deadline is the next deadline of a live issue: the first response's
// until the merchant answers, then the resolution's. Zero for others.
func (i *Issue) Deadline() time.Time {
	switch {
	case !i.Live():
		return time.Time{}
	case i.FirstResponseAt.IsZero():
		return i.RespondBy
	}
	return i.ResolveBy
}

// Escalatable says why issue i may be escalated at now to arbiter (the
// charter's, "" for none), or returns an error naming why not: it may be
// when the first-response deadline passed without an answer, the
// resolution deadline passed unresolved, the shopper rejected an offer or
// the merchant refused it; and only to an arbiter.
func (i *Issue) Escalatable(now time.Time, arbiter string) (string, error) {
	why, err := i.escalation(now)
	if err == nil && arbiter == "" {
		return "", fmt.Errorf("%w: the charter names no arbiter to escalate issue %s to", ErrConflict, i.ID)
	}
	return why, err
}

func (i *Issue) escalation(now time.Time) (string, error) {
	switch {
	case i.State == IssueEscalated || i.State == IssueDecided:
		return "", fmt.Errorf("%w: issue %s is already %s", ErrConflict, i.ID, i.State)
	case i.State == IssueResolved:
		return "", fmt.Errorf("%w: issue %s is resolved", ErrConflict, i.ID)
	case i.Seq == 0:
		return "", fmt.Errorf("%w: the home of issue %s has not recorded it yet", ErrConflict, i.ID)
	case i.State == IssueRefused && i.refusedBy() == ByMerchant:
		return "the merchant refused it", nil
	case i.State == IssueRefused:
		return "", fmt.Errorf("%w: issue %s was refused by the home: %s", ErrConflict, i.ID, i.Refusal)
	case slices.ContainsFunc(i.Steps, func(s IssueStep) bool { return s.Action == IssueActReject }):
		return "the shopper rejected an offer", nil
	case (i.FirstResponseAt.IsZero() || i.FirstResponseAt.After(i.RespondBy)) && now.After(i.RespondBy):
		return "no answer by the first-response deadline, " + readable(i.RespondBy), nil
	case now.After(i.ResolveBy):
		return "not resolved by the deadline, " + readable(i.ResolveBy), nil
	}
	due := "a first answer is due by " + readable(i.RespondBy)
	if !i.FirstResponseAt.IsZero() {
		due = "the merchant answered in time"
	}
	return "", fmt.Errorf("%w: issue %s cannot be escalated yet: %s, resolution is due by %s, no offer was rejected and the merchant did not refuse",
		ErrConflict, i.ID, due, readable(i.ResolveBy))
}

// readable is a deadline as people read it, in UTC (every member reads
// the same words): "5 Dec 2026 14:30 UTC".
func readable(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 MST") }

// refusedBy is who refused the issue last.
func (i *Issue) refusedBy() string {
	for k := len(i.Steps) - 1; k >= 0; k-- {
		if i.Steps[k].Action == IssueActRefuse {
			return i.Steps[k].By
		}
	}
	return ""
}

// check checks an issue's shape; errors name "<field>".
func (a *IssueInput) check(errs *FieldErrors) {
	if !slices.Contains(IssueCategories, a.Category) {
		errs.add("category", "%q is not one of %v", a.Category, IssueCategories)
	}
	switch {
	case strings.TrimSpace(a.Description) == "":
		errs.add("description", "say what is wrong")
	case len(a.Description) > maxIssueText:
		errs.add("description", "is longer than %d bytes", maxIssueText)
	}
	if len(a.Evidence) > maxIssueEvidence {
		errs.add("evidence", "holds more than %d image URLs", maxIssueEvidence)
	}
	for i, u := range a.Evidence {
		if err := checkHTTPS(u, maxIssueEvidenceURL); err != nil {
			errs.add(fmt.Sprintf("evidence[%d]", i), "%v", err)
		}
	}
	if !slices.Contains(IssueRemedies, a.Remedy) {
		errs.add("remedy", "%q is not one of %v", a.Remedy, IssueRemedies)
	}
	switch {
	case a.Amount < 0:
		errs.add("amount", "must be 0 or more")
	case a.Amount > 0 && a.Remedy != RemedyRefund:
		errs.add("amount", "is only asked with a refund")
	}
}

func (a *IssueAsk) check(errs *FieldErrors) {
	in := IssueInput{Category: a.Category, Description: a.Description, Evidence: a.Evidence, Remedy: a.Remedy, Amount: a.Amount}
	in.check(errs)
	if a.By != ByShopper && a.By != ByOperator {
		errs.add("by", "must be shopper or operator")
	}
}

// checkHTTPS checks that s is an absolute https URL of at most max bytes.
func checkHTTPS(s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("is longer than %d bytes", max)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
		return fmt.Errorf("%q is not an absolute https URL", s)
	}
	return nil
}

func (r *IssueReply) check(errs *FieldErrors) {
	if len(r.Issue) != 32 || !isHex(r.Issue) {
		errs.add("issue", "must be 32 hex digits")
	}
	switch r.Action {
	case IssueActInfo:
		if strings.TrimSpace(r.Text) == "" {
			errs.add("text", "give the information asked for")
		}
	case IssueActAccept:
	case IssueActReject:
		if strings.TrimSpace(r.Text) == "" {
			errs.add("text", "say why the offer is rejected")
		}
	default:
		errs.add("action", "%q is not info, accept or reject", r.Action)
	}
	if len(r.Text) > maxIssueText {
		errs.add("text", "is longer than %d bytes", maxIssueText)
	}
}

func (e *IssueEscalation) check(errs *FieldErrors) {
	if len(e.Issue) != 32 || !isHex(e.Issue) {
		errs.add("issue", "must be 32 hex digits")
	}
	if len(e.Text) > maxIssueText {
		errs.add("text", "is longer than %d bytes", maxIssueText)
	}
	if e.By != ByShopper && e.By != ByOperator {
		errs.add("by", "must be shopper or operator")
	}
}

// check checks a merchant's answer; errors name "<field>".
func (a *IssueAnswer) check(errs *FieldErrors) {
	if len(a.Text) > maxIssueText {
		errs.add("text", "is longer than %d bytes", maxIssueText)
	}
	switch a.Action {
	case IssueActAskInfo:
		if a.Text == "" {
			errs.add("text", "say what you need to know")
		}
	case IssueActRefuse:
		if a.Text == "" {
			errs.add("text", "give the reason for refusing")
		}
	case IssueActOffer:
		switch {
		case !slices.Contains(IssueRemedies, a.Remedy):
			errs.add("remedy", "%q is not one of %v", a.Remedy, IssueRemedies)
		case a.Remedy == RemedyRefund && a.Amount <= 0:
			errs.add("amount", "a refund offer needs an amount above 0")
		case a.Remedy != RemedyRefund && a.Amount != 0:
			errs.add("amount", "only a refund offer has an amount")
		}
	default:
		errs.add("action", "%q is not ask_info, offer or refuse", a.Action)
	}
}

// validate checks an issue as a status states it.
func (i *Issue) validate(st *Status) error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: message.status.issue.%s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
	}
	var errs FieldErrors
	ask := IssueAsk{Category: i.Category, Description: i.Description, Evidence: i.Evidence, Remedy: i.Remedy, Amount: i.Amount, By: i.By}
	ask.check(&errs)
	switch {
	case len(i.ID) != 32 || !isHex(i.ID):
		return bad("id", "must be 32 hex digits")
	case i.Seq != st.Seq:
		return bad("seq", "%d is not the status's %d", i.Seq, st.Seq)
	case !slices.Contains([]string{IssueOpen, IssueAwaitingShopper, IssueResolved, IssueRefused, IssueEscalated, IssueDecided}, i.State):
		return bad("state", "%q is not a state of an issue", i.State)
	case len(errs) > 0:
		return bad(errs[0].Field, "%s", errs[0].Message)
	case len(i.Steps) == 0 || len(i.Steps) > maxIssueSteps:
		return bad("steps", "must hold 1..%d steps", maxIssueSteps)
	case len(i.Refusal) > maxIssueText || len(i.Arbiter) > 128 || len(i.Refund) > 64:
		return bad("refusal", "refusal, arbiter or refund too long")
	case i.Offer != nil && (i.Offer.Amount < 0 || (i.Offer.Remedy != RemedyNone && !slices.Contains(IssueRemedies, i.Offer.Remedy))):
		return bad("offer", "needs a known remedy and an amount of 0 or more")
	}
	for k, s := range i.Steps {
		if s.At.IsZero() || len(s.Text) > maxIssueText || s.Amount < 0 || s.Action == "" || len(s.Action) > 32 ||
			!slices.Contains([]string{ByShopper, ByOperator, ByHome, ByMerchant, ByArbiter}, s.By) {
			return bad(fmt.Sprintf("steps[%d]", k), "needs a time, an action, a text of at most %d bytes and a known author", maxIssueText)
		}
	}
	return nil
}

// issueOf returns the issue iid of issues, or nil.
func issueOf(issues []Issue, iid string) *Issue {
	for k := range issues {
		if issues[k].ID == iid {
			return &issues[k]
		}
	}
	return nil
}

func cloneIssue(i Issue) Issue {
	i.Evidence, i.Steps = slices.Clone(i.Evidence), slices.Clone(i.Steps)
	if i.Offer != nil {
		o := *i.Offer
		i.Offer = &o
	}
	return i
}

func cloneIssues(is []Issue) []Issue {
	out := make([]Issue, len(is))
	for k, i := range is {
		out[k] = cloneIssue(i)
	}
	return out
}

// newerIssue reports whether i is news to issues.
func newerIssue(issues []Issue, i *Issue) bool {
	if i == nil {
		return false
	}
	have := issueOf(issues, i.ID)
	return have == nil || have.Seq == 0 || have.Seq < i.Seq
}

// foldIssue folds the issue a status states into issues when it is newer
// than the one held, and reports whether it was.
func foldIssue(issues *[]Issue, i *Issue) bool {
	if !newerIssue(*issues, i) {
		return false
	}
	cp := cloneIssue(*i)
	if have := issueOf(*issues, i.ID); have != nil {
		*have = cp
		return true
	}
	*issues = append(*issues, cp)
	return true
}

// liveIssues counts the issues still live.
func liveIssues(issues []Issue) int {
	n := 0
	for _, i := range issues {
		if i.Live() || i.State == IssueEscalated {
			n++
		}
	}
	return n
}

// issueEvent names the webhook of a step of issue i: opened, answered
// (by the merchant or the home), replied (by the shopper), escalated,
// resolved or decided.
func issueEvent(i *Issue) string {
	if i == nil || len(i.Steps) == 0 {
		return ""
	}
	last := i.Steps[len(i.Steps)-1]
	switch {
	case i.State == IssueResolved && last.Action == IssueActAccept:
		return "order.issue.resolved"
	case last.Action == IssueActDecide:
		return "order.issue.decided"
	case last.Action == IssueActEscalate:
		return "order.issue.escalated"
	case last.Action == IssueActOpen:
		return "order.issue.opened"
	case last.By == ByShopper || last.By == ByOperator:
		return "order.issue.replied"
	}
	return "order.issue.answered"
}
