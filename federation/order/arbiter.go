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

// The arbiter. When a home states an issue escalated, the home and the
// storefront each send the arbiter it names a case: the issue's whole
// signed thread as they hold it (the storefront's issue messages and the
// home's statuses, raw). The arbiter checks every message and that the
// thread itself allowed the escalation, keeps the case (o/arb/<issue>,
// the two copies merged), and its operator may ask either side for more
// (arbiter notes, answered by a note back) and decides once: a signed
// decision to the home, which applies it in one transition (a refund
// decision is a refund status, booked by settlement like any refund), and
// to the storefront, which keeps it with the issue.

// States of a Case.
const (
	CaseOpen    = "open"
	CaseDecided = "decided"
	// CaseRefused: the case failed a check; Refusal says which. It is
	// kept for the operator and never decided.
	CaseRefused = "refused"
)

const (
	prefixArbCase = "o/arb/"
	// prefixArbMsg holds the arbiter's notes and decisions a side of an
	// issue received, and its notes back: o/arbmsg/<part>/<issue>/<time>/<from>/<id>.
	prefixArbMsg    = "o/arbmsg/"
	maxCaseMessages = 2*maxIssueSteps + 8
	maxCaseNotes    = 50
)

// CaseFile is what a case message carries: the issue's signed thread.
type CaseFile struct {
	Issue  string   `json:"issue"`
	Thread [][]byte `json:"thread"`
}

func (c *CaseFile) check(errs *FieldErrors) {
	if len(c.Issue) != 32 || !isHex(c.Issue) {
		errs.add("issue", "must be 32 hex digits")
	}
	if len(c.Thread) == 0 || len(c.Thread) > maxCaseMessages {
		errs.add("thread", "must hold 1..%d messages", maxCaseMessages)
	}
}

// ArbiterNote is a note about an escalated issue: the arbiter's question
// to a side, or a side's answer to the arbiter.
type ArbiterNote struct {
	Issue string `json:"issue"`
	Text  string `json:"text"`
}

func (n *ArbiterNote) check(errs *FieldErrors) {
	if len(n.Issue) != 32 || !isHex(n.Issue) {
		errs.add("issue", "must be 32 hex digits")
	}
	NoteInput{Text: n.Text}.check(errs)
}

// ArbiterDecision is the arbiter's decision on an issue, as it travels.
type ArbiterDecision struct {
	Issue string `json:"issue"`
	IssueDecision
}

func (d *ArbiterDecision) check(errs *FieldErrors) {
	if len(d.Issue) != 32 || !isHex(d.Issue) {
		errs.add("issue", "must be 32 hex digits")
	}
	d.IssueDecision.check(errs)
}

func (d *IssueDecision) check(errs *FieldErrors) {
	switch {
	case d.Remedy != RemedyRefund && d.Remedy != RemedyReplacement && d.Remedy != RemedyNone:
		errs.add("remedy", "%q is not refund, replacement or none", d.Remedy)
	case d.Remedy == RemedyRefund && d.Amount <= 0:
		errs.add("amount", "a refund decision needs an amount above 0")
	case d.Remedy != RemedyRefund && d.Amount != 0:
		errs.add("amount", "only a refund decision has an amount")
	}
	switch {
	case strings.TrimSpace(d.Text) == "":
		errs.add("text", "give the reasons for the decision")
	case len(d.Text) > maxIssueText:
		errs.add("text", "is longer than %d bytes", maxIssueText)
	}
}

// Case is an escalated issue as its arbiter holds it.
type Case struct {
	// ID is the issue's id.
	ID         string `json:"id"`
	Part       string `json:"part_id"`
	Order      string `json:"order_id"`
	Storefront string `json:"storefront"`
	Home       string `json:"home"`
	State      string `json:"state"`
	Refusal    string `json:"refusal,omitempty"`
	// Why is why the thread allowed the escalation.
	Why string `json:"why,omitempty"`
	// Issue is the issue as the latest status of the home states it.
	Issue Issue `json:"issue"`
	// Refundable is what is left of the part's items to refund, per that
	// status: the most a refund decision may give.
	Refundable  Money     `json:"refundable"`
	EscalatedAt time.Time `json:"escalated_at,omitzero"`
	ReceivedAt  time.Time `json:"received_at"`
	// Copies are the members that sent their copy of the thread.
	Copies   []string       `json:"copies"`
	Notes    []CaseNote     `json:"notes,omitempty"`
	Decision *IssueDecision `json:"decision,omitempty"`
	// DecidedAt is when the arbiter decided.
	DecidedAt time.Time `json:"decided_at,omitzero"`
	// Thread is the signed thread, both copies merged, in time order.
	Thread [][]byte `json:"thread"`
}

// CaseNote is a note between the arbiter and a side.
type CaseNote struct {
	// By is ByArbiter, "storefront" or "home"; To, for the arbiter's, the
	// sides it went to.
	By   string    `json:"by"`
	To   []string  `json:"to,omitempty"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// Sides of a case, as notes name them.
const (
	SideStorefront = "storefront"
	SideHome       = "home"
)

// CaseEntry is one message of a case's thread, as the arbiter reads it.
type CaseEntry struct {
	At time.Time `json:"at"`
	// Who said it: the storefront's shopper or operator, the home's
	// merchant, or the home itself.
	Who    string `json:"who"`
	Action string `json:"action"`
	Text   string `json:"text,omitempty"`
	Remedy string `json:"remedy,omitempty"`
	Amount int64  `json:"amount,omitempty"`
	// Member is the peer id that signed it.
	Member string `json:"member"`
}

// Entries is the case's thread as steps, in time order: the storefront's
// messages and each new step of the home's statuses.
func (c *Case) Entries() []CaseEntry {
	var out []CaseEntry
	seen := map[string]bool{}
	for _, raw := range c.Thread {
		m, err := DecodeMessage(raw)
		if err != nil {
			continue
		}
		switch {
		case m.Kind == KindIssue:
			out = append(out, CaseEntry{At: m.At, Who: m.Issue.By, Action: IssueActOpen, Text: m.Issue.Description, Remedy: m.Issue.Remedy, Amount: m.Issue.Amount, Member: m.From})
		case m.Kind == KindIssueReply:
			out = append(out, CaseEntry{At: m.At, Who: ByShopper, Action: m.IssueReply.Action, Text: m.IssueReply.Text, Member: m.From})
		case m.Kind == KindEscalate:
			out = append(out, CaseEntry{At: m.At, Who: m.Escalate.By, Action: IssueActEscalate, Text: m.Escalate.Text, Member: m.From})
		case m.Kind == KindStatus:
			for _, st := range m.Status.Issue.Steps {
				if st.Seq != m.Status.Seq || st.By == ByShopper || st.By == ByOperator {
					continue // the storefront's own steps are its messages
				}
				k := fmt.Sprint(st.Seq, st.Action, st.At.UnixNano())
				if seen[k] {
					continue
				}
				seen[k] = true
				out = append(out, CaseEntry{At: st.At, Who: st.By, Action: st.Action, Text: st.Text, Remedy: st.Remedy, Amount: st.Amount, Member: m.From})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b CaseEntry) int { return a.At.Compare(b.At) })
	return out
}

// caseOnEscalation sends the arbiter a case, in txn, when issue i (as a
// status of part just stated it) was escalated by that very status: the
// thread this node holds, the status included.
func (s *Service) caseOnEscalation(txn *badger.Txn, part string, i *Issue) error {
	if i == nil || i.State != IssueEscalated || i.Arbiter == "" || len(i.Steps) == 0 {
		return nil
	}
	last := i.Steps[len(i.Steps)-1]
	if last.Action != IssueActEscalate || last.Seq != i.Seq {
		return nil
	}
	thread, err := issueThreadTxn(txn, part, i.ID)
	if err != nil {
		return err
	}
	m, raw, err := s.newSigned(KindCase, i.Arbiter, part, func(m *Message) { m.Case = &CaseFile{Issue: i.ID, Thread: thread} })
	if err != nil {
		return err
	}
	if i.Arbiter == s.self { // a refused case is kept refused; the escalation stands
		if _, err := s.takeCase(txn, m); err != nil && !errors.Is(err, ErrInvalid) {
			return err
		}
		return nil
	}
	return s.out.put(txn, i.Arbiter, raw)
}

// issueThreadTxn is IssueThread in txn.
func issueThreadTxn(txn *badger.Txn, part, iid string) ([][]byte, error) {
	var out [][]byte
	for _, k := range keys(txn, prefixMessages+part+"/", "", 0) {
		raw, err := getRaw(txn, k)
		if err != nil {
			return nil, err
		}
		m, err := DecodeMessage(raw)
		if err != nil {
			return nil, err
		}
		if issueIDOf(m) == iid {
			out = append(out, raw)
		}
	}
	return out, nil
}

// receiveCase takes a case a storefront or a home sent: checked, kept,
// merged with the other side's copy; a case that fails a check is kept
// refused, with the reason, and the sender told why.
func (s *Service) receiveCase(m *Message, raw []byte) ([]byte, error) {
	unlock := s.lockHome(prefixArbCase + m.Case.Issue)
	defer unlock()
	if answer, err := s.answered(m); answer != nil || err != nil {
		return answer, err
	}
	var opened bool
	var cerr error
	err := s.update(func(txn *badger.Txn) error {
		opened, cerr = s.takeCase(txn, m)
		if cerr != nil {
			return nil
		}
		return txn.Set([]byte(prefixInbox+m.From+"/"+m.ID), mustJSON(Reply{Ack: true}))
	})
	if err != nil {
		return nil, err
	}
	if opened {
		s.notifyEmitter()
	}
	if cerr != nil {
		return nil, cerr
	}
	return mustJSON(Reply{Ack: true}), nil
}

// takeCase checks case m and keeps it in txn, merged with the copy held;
// it reports whether the case is new. A case that fails a check is kept
// refused (unless a good copy is held) and the error says why.
func (s *Service) takeCase(txn *badger.Txn, m *Message) (bool, error) {
	key := prefixArbCase + m.Case.Issue
	var held Case
	ok, err := getJSON(txn, key, &held)
	if err != nil {
		return false, err
	}
	good := ok && held.State != CaseRefused
	thread := m.Case.Thread
	if good {
		thread = mergeThreads(held.Thread, thread)
	}
	c, cerr := s.checkCase(m, thread)
	if cerr != nil {
		if good {
			return false, cerr
		}
		c.State, c.Refusal, c.ReceivedAt = CaseRefused, strings.TrimPrefix(cerr.Error(), ErrInvalid.Error()+": "), s.now().UTC()
		c.Copies = []string{m.From}
		if len(c.Thread) > maxCaseMessages {
			c.Thread = c.Thread[:maxCaseMessages]
		}
		if err := putJSON(txn, key, c); err != nil {
			return false, err
		}
		return false, cerr
	}
	if good {
		c.State, c.ReceivedAt, c.Notes, c.Decision, c.DecidedAt = held.State, held.ReceivedAt, held.Notes, held.Decision, held.DecidedAt
		c.Copies = held.Copies
		if c.Issue.Seq < held.Issue.Seq {
			c.Issue, c.Refundable = held.Issue, held.Refundable
		}
	} else {
		c.State, c.ReceivedAt = CaseOpen, s.now().UTC()
	}
	if !slices.Contains(c.Copies, m.From) {
		c.Copies = append(c.Copies, m.From)
	}
	if err := putJSON(txn, key, c); err != nil {
		return false, err
	}
	if good {
		return false, nil
	}
	return true, s.emitEvent(txn, "arbiter.case.opened", caseEvent(c))
}

func caseEvent(c Case) map[string]any {
	return map[string]any{"case": c.ID, "part": c.Part, "order": c.Order, "storefront": c.Storefront, "home": c.Home, "why": c.Why, "issue": c.Issue}
}

// mergeThreads is the union of two threads, each message once, in time
// order.
func mergeThreads(a, b [][]byte) [][]byte {
	type msg struct {
		raw []byte
		at  time.Time
	}
	seen := map[string]bool{}
	var all []msg
	for _, raw := range slices.Concat(a, b) {
		m, err := DecodeMessage(raw)
		if err != nil {
			all = append(all, msg{raw: raw}) // checkCase names it
			continue
		}
		if seen[m.From+"/"+m.ID] {
			continue
		}
		seen[m.From+"/"+m.ID] = true
		all = append(all, msg{raw, m.At})
	}
	slices.SortStableFunc(all, func(x, y msg) int { return x.at.Compare(y.at) })
	out := make([][]byte, len(all))
	for k, x := range all {
		out[k] = x.raw
	}
	return out
}

// checkCase checks case m with thread: every message verifies and is
// about one issue of one part between the storefront that opened it and
// its home; the sender is one of the two; the home's statuses agree with
// each other and with the opening; the issue was escalated to this node,
// which the charter names arbiter now; and the thread itself allowed the
// escalation at the escalation's signed time. It returns the case (what
// could be read of it, when a check fails).
func (s *Service) checkCase(m *Message, thread [][]byte) (Case, error) {
	c := Case{ID: m.Case.Issue, Part: m.Part, Order: orderOfPart(m.Part), Thread: thread}
	fail := func(format string, args ...any) (Case, error) {
		return c, fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	if len(thread) > maxCaseMessages {
		return fail("case.thread: holds %d messages, more than %d", len(thread), maxCaseMessages)
	}
	var (
		open     *Message
		escalate *Message
		statuses []*Issue
	)
	for k, raw := range thread {
		t, err := DecodeMessage(raw)
		if err != nil {
			return fail("case.thread[%d]: %v", k, err)
		}
		switch {
		case issueIDOf(t) != c.ID || t.Part != c.Part:
			return fail("case.thread[%d]: a %s about issue %s of part %s, not issue %s of part %s", k, t.Kind, issueIDOf(t), t.Part, c.ID, c.Part)
		case t.Kind == KindIssue:
			open = t
		case t.Kind == KindEscalate:
			escalate = t
		case t.Kind == KindStatus:
			statuses = append(statuses, t.Status.Issue)
		}
	}
	if open == nil {
		return fail("case.thread: holds no opening of issue %s", c.ID)
	}
	c.Storefront, c.Home = open.From, open.To
	if m.From != c.Storefront && m.From != c.Home {
		return fail("case: sent by %s, neither the storefront nor the home of issue %s", shortPeer(m.From), c.ID)
	}
	latest, err := VerifyIssueThread(thread, c.Storefront, c.Home)
	if err != nil {
		return fail("case.thread: %v", strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "), ErrForged.Error()+": "))
	}
	c.Issue = latest
	slices.SortFunc(statuses, func(a, b *Issue) int { return int(a.Seq) - int(b.Seq) })
	for k, i := range statuses {
		switch {
		case !i.OpenedAt.Equal(open.At.UTC()) || i.Category != open.Issue.Category || i.Description != open.Issue.Description ||
			i.Remedy != open.Issue.Remedy || i.Amount != open.Issue.Amount || i.By != open.Issue.By:
			return fail("case.thread: the home's status %d states the issue otherwise than it was opened", i.Seq)
		case !i.RespondBy.Equal(statuses[0].RespondBy) || !i.ResolveBy.Equal(statuses[0].ResolveBy):
			return fail("case.thread: the home's status %d moves the issue's deadlines", i.Seq)
		case k > 0 && (len(i.Steps) < len(statuses[k-1].Steps) || !sameSteps(i.Steps[:len(statuses[k-1].Steps)], statuses[k-1].Steps)):
			return fail("case.thread: the home's status %d rewrites the steps an earlier status stated", i.Seq)
		}
	}
	// The status that escalated the issue, and the one before it.
	var esc, before *Issue
	for k, i := range statuses {
		if i.State == IssueEscalated || i.State == IssueDecided {
			if last := i.Steps[len(i.Steps)-1]; i.State == IssueEscalated && last.Action == IssueActEscalate && last.Seq == i.Seq {
				esc = i
				if k > 0 {
					before = statuses[k-1]
				}
				break
			}
		}
	}
	switch {
	case esc == nil || escalate == nil:
		return fail("case.thread: holds no escalation of issue %s stated by the home", c.ID)
	case before == nil:
		return fail("case.thread: holds no status of issue %s before its escalation", c.ID)
	case esc.Arbiter != s.self:
		return fail("case: issue %s was escalated to %s, not to this member", c.ID, shortPeer(esc.Arbiter))
	case s.terms().Arbiter != s.self:
		return fail("case: the charter does not name this member arbiter now")
	}
	why, err := before.escalation(escalate.At)
	if err != nil {
		return fail("case: the thread did not allow the escalation at %s: %s", escalate.At.UTC().Format(time.RFC3339),
			strings.TrimPrefix(err.Error(), ErrConflict.Error()+": "))
	}
	c.Why, c.EscalatedAt = why, escalate.At.UTC()
	// What is left to refund, per the latest status.
	for _, raw := range thread {
		t, _ := DecodeMessage(raw)
		if t.Kind == KindStatus && t.Status.Seq == latest.Seq {
			st := t.Status
			c.Refundable = Money{Amount: st.Total.Amount - st.Shipping.Amount - (st.Refunded.Amount - st.RefundedShipping.Amount), Currency: st.Total.Currency}
		}
	}
	return c, nil
}

func sameSteps(a, b []IssueStep) bool {
	return slices.EqualFunc(a, b, func(x, y IssueStep) bool {
		return x.By == y.By && x.Action == y.Action && x.Text == y.Text && x.Remedy == y.Remedy && x.Amount == y.Amount && x.At.Equal(y.At) && x.Seq == y.Seq
	})
}

// Cases lists the cases this node holds as arbiter: the open ones first,
// longest waiting first; then the refused; then the decided, newest
// first.
func (s *Service) Cases(_ context.Context) ([]Case, error) {
	var out []Case
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixArbCase, "", 0) {
			var c Case
			if _, err := getJSON(txn, k, &c); err != nil {
				return err
			}
			c.Thread = nil
			out = append(out, c)
		}
		return nil
	})
	rank := map[string]int{CaseOpen: 0, CaseRefused: 1, CaseDecided: 2}
	slices.SortStableFunc(out, func(a, b Case) int {
		if d := rank[a.State] - rank[b.State]; d != 0 {
			return d
		}
		if a.State == CaseOpen {
			return a.EscalatedAt.Compare(b.EscalatedAt)
		}
		return b.ReceivedAt.Compare(a.ReceivedAt)
	})
	return out, err
}

// GetCase returns case id with its thread.
func (s *Service) GetCase(_ context.Context, id string) (Case, error) {
	var c Case
	err := s.db.View(func(txn *badger.Txn) error {
		ok, err := getJSON(txn, prefixArbCase+id, &c)
		if err == nil && !ok {
			err = fmt.Errorf("%w: case %s", ErrNotFound, id)
		}
		return err
	})
	return c, err
}

// AskCase sends the arbiter's question text about case id to the sides
// named in to (SideStorefront, SideHome), through the outbox, and keeps
// it with the case.
func (s *Service) AskCase(ctx context.Context, id string, to []string, text string) (Case, error) {
	text = strings.TrimSpace(text)
	var errs FieldErrors
	NoteInput{Text: text}.check(&errs)
	if len(to) == 0 {
		errs.add("to", "name storefront, home or both")
	}
	for k, side := range to {
		if side != SideStorefront && side != SideHome {
			errs.add(fmt.Sprintf("to[%d]", k), "%q is not storefront or home", side)
		}
	}
	if err := errs.err(); err != nil {
		return Case{}, err
	}
	to = slices.Compact(slices.Sorted(slices.Values(to)))
	err := s.updateCase(id, func(txn *badger.Txn, c *Case) error {
		switch {
		case c.State != CaseOpen:
			return fmt.Errorf("%w: case %s is %s; questions are asked on an open case", ErrConflict, id, c.State)
		case len(c.Notes) >= maxCaseNotes:
			return fmt.Errorf("%w: case %s has %d notes, the most a case may have", ErrConflict, id, maxCaseNotes)
		}
		for _, side := range to {
			peer := c.Storefront
			if side == SideHome {
				peer = c.Home
			}
			_, raw, err := s.newSigned(KindArbiterNote, peer, c.Part, func(m *Message) { m.ArbiterNote = &ArbiterNote{Issue: id, Text: text} })
			if err != nil {
				return err
			}
			if err := s.out.put(txn, peer, raw); err != nil {
				return err
			}
		}
		c.Notes = append(c.Notes, CaseNote{By: ByArbiter, To: to, Text: text, At: s.now().UTC()})
		return nil
	})
	if err != nil {
		return Case{}, err
	}
	s.out.wake()
	return s.GetCase(ctx, id)
}

// DecideCase decides case id once: a refund of at most what is left of the
// part's items per the latest status held, a replacement, or no remedy,
// with reasons. The signed decision goes to the home, which applies it,
// and to the storefront, through the outbox.
func (s *Service) DecideCase(ctx context.Context, id string, d IssueDecision) (Case, error) {
	d.Text = strings.TrimSpace(d.Text)
	var errs FieldErrors
	d.check(&errs)
	if err := errs.err(); err != nil {
		return Case{}, err
	}
	err := s.updateCase(id, func(txn *badger.Txn, c *Case) error {
		switch {
		case c.State == CaseDecided:
			return fmt.Errorf("%w: case %s is already decided", ErrConflict, id)
		case c.State != CaseOpen:
			return fmt.Errorf("%w: case %s is %s and is never decided: %s", ErrConflict, id, c.State, c.Refusal)
		case d.Remedy == RemedyRefund && d.Amount > c.Refundable.Amount:
			return FieldErrors{{Field: "amount", Message: fmt.Sprintf("%s is more than the %s of items left to refund",
				Money{Amount: d.Amount, Currency: c.Refundable.Currency}, c.Refundable)}}
		}
		for _, peer := range slices.Compact([]string{c.Home, c.Storefront}) {
			_, raw, err := s.newSigned(KindDecision, peer, c.Part, func(m *Message) { m.Decision = &ArbiterDecision{Issue: id, IssueDecision: d} })
			if err != nil {
				return err
			}
			if err := s.out.put(txn, peer, raw); err != nil {
				return err
			}
		}
		dd := d
		c.State, c.Decision, c.DecidedAt = CaseDecided, &dd, s.now().UTC()
		return nil
	})
	if err != nil {
		return Case{}, err
	}
	s.out.wake()
	return s.GetCase(ctx, id)
}

// updateCase changes case id in one transaction.
func (s *Service) updateCase(id string, fn func(txn *badger.Txn, c *Case) error) error {
	unlock := s.lockHome(prefixArbCase + id)
	defer unlock()
	return s.update(func(txn *badger.Txn) error {
		var c Case
		ok, err := getJSON(txn, prefixArbCase+id, &c)
		switch {
		case err != nil:
			return err
		case !ok:
			return fmt.Errorf("%w: case %s", ErrNotFound, id)
		}
		if err := fn(txn, &c); err != nil {
			return err
		}
		return putJSON(txn, prefixArbCase+id, c)
	})
}

// ArbiterMessage is an arbiter's note or decision as a side of the issue
// keeps it, or a side's note back.
type ArbiterMessage struct {
	ID       string         `json:"id"`
	Issue    string         `json:"issue"`
	From     string         `json:"from"`
	By       string         `json:"by"`
	Text     string         `json:"text"`
	Decision *IssueDecision `json:"decision,omitempty"`
	At       time.Time      `json:"at"`
}

// sideOf says which side of part this node is: SideHome when it homes
// it, SideStorefront when it sold it, with the issue iid as it holds it.
func (s *Service) sideOf(txn *badger.Txn, part, iid string) (string, *Issue, error) {
	if p, err := loadHome(txn, part); err == nil {
		if i := issueOf(p.Issues, iid); i != nil {
			return SideHome, i, nil
		}
	} else if !errors.Is(err, ErrNotFound) {
		return "", nil, err
	}
	o, err := loadOrder(txn, orderOfPart(part))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			err = fmt.Errorf("%w: part %s has no issue %s here", ErrNotFound, part, iid)
		}
		return "", nil, err
	}
	if p := o.partOf(part); p != nil {
		if i := issueOf(p.Issues, iid); i != nil {
			return SideStorefront, i, nil
		}
	}
	return "", nil, fmt.Errorf("%w: part %s has no issue %s here", ErrNotFound, part, iid)
}

// receiveArbiterNote takes a note: at a side, the arbiter's question about
// an issue escalated to it; at the arbiter, a side's answer on its case.
func (s *Service) receiveArbiterNote(m *Message, raw []byte) ([]byte, error) {
	n := m.ArbiterNote
	unlock := s.lockHome(prefixArbCase + n.Issue)
	defer unlock()
	if answer, err := s.answered(m); answer != nil || err != nil {
		return answer, err
	}
	reply := mustJSON(Reply{Ack: true})
	err := s.update(func(txn *badger.Txn) error {
		var c Case
		ok, err := getJSON(txn, prefixArbCase+n.Issue, &c)
		if err != nil {
			return err
		}
		if ok && c.State != CaseRefused && (m.From == c.Storefront || m.From == c.Home) && m.Part == c.Part {
			if len(c.Notes) >= maxCaseNotes {
				return fmt.Errorf("%w: case %s has %d notes, the most a case may have", ErrConflict, c.ID, maxCaseNotes)
			}
			by := SideStorefront
			if m.From == c.Home {
				by = SideHome
			}
			c.Notes = append(c.Notes, CaseNote{By: by, Text: n.Text, At: m.At.UTC()})
			if err := putJSON(txn, prefixArbCase+c.ID, c); err != nil {
				return err
			}
		} else {
			_, i, err := s.sideOf(txn, m.Part, n.Issue)
			if err != nil {
				return err
			}
			if i.Arbiter == "" || i.Arbiter != m.From {
				return fmt.Errorf("%w: %s is not the arbiter of issue %s", ErrForged, shortPeer(m.From), n.Issue)
			}
			if err := s.keepArbiterMessage(txn, m, raw); err != nil {
				return err
			}
		}
		return txn.Set([]byte(prefixInbox+m.From+"/"+m.ID), reply)
	})
	if err != nil {
		return nil, err
	}
	return reply, nil
}

func (s *Service) keepArbiterMessage(txn *badger.Txn, m *Message, raw []byte) error {
	iid := ""
	switch {
	case m.ArbiterNote != nil:
		iid = m.ArbiterNote.Issue
	case m.Decision != nil:
		iid = m.Decision.Issue
	}
	if n := len(keys(txn, prefixArbMsg+m.Part+"/"+iid+"/", "", 0)); n >= 2*maxCaseNotes {
		return fmt.Errorf("%w: issue %s has %d notes with its arbiter, the most it may have", ErrConflict, iid, n)
	}
	return txn.Set([]byte(prefixArbMsg+m.Part+"/"+iid+"/"+timeKey(m.At)+"/"+m.From+"/"+m.ID), raw)
}

// AnswerArbiter sends this node's answer text to the arbiter of issue iid
// of part (either side of it: the storefront's operator or the home's),
// through the outbox; it is kept with the issue.
func (s *Service) AnswerArbiter(ctx context.Context, part, iid, text string) (ArbiterMessage, error) {
	text = strings.TrimSpace(text)
	var errs FieldErrors
	NoteInput{Text: text}.check(&errs)
	if err := errs.err(); err != nil {
		return ArbiterMessage{}, err
	}
	var out ArbiterMessage
	err := s.update(func(txn *badger.Txn) error {
		_, i, err := s.sideOf(txn, part, iid)
		if err != nil {
			return err
		}
		if i.Arbiter == "" || (i.State != IssueEscalated && i.State != IssueDecided) {
			return fmt.Errorf("%w: issue %s is %s; the arbiter is written to about an escalated issue", ErrConflict, iid, i.State)
		}
		m, raw, err := s.newSigned(KindArbiterNote, i.Arbiter, part, func(m *Message) { m.ArbiterNote = &ArbiterNote{Issue: iid, Text: text} })
		if err != nil {
			return err
		}
		if err := s.keepArbiterMessage(txn, m, raw); err != nil {
			return err
		}
		out = s.arbiterMessageOf(m)
		return s.out.put(txn, i.Arbiter, raw)
	})
	if err != nil {
		return ArbiterMessage{}, err
	}
	s.out.wake()
	return out, nil
}

func (s *Service) arbiterMessageOf(m *Message) ArbiterMessage {
	a := ArbiterMessage{ID: m.ID, From: m.From, At: m.At, By: ByArbiter}
	if m.From == s.self {
		a.By = "self"
	}
	if m.ArbiterNote != nil {
		a.Issue, a.Text = m.ArbiterNote.Issue, m.ArbiterNote.Text
	}
	if m.Decision != nil {
		d := m.Decision.IssueDecision
		a.Issue, a.Text, a.Decision = m.Decision.Issue, d.Text, &d
	}
	return a
}

// ArbiterMessages returns the arbiter's notes and decision about issue iid
// of part, and this node's notes back, oldest first.
func (s *Service) ArbiterMessages(_ context.Context, part, iid string) ([]ArbiterMessage, error) {
	var out []ArbiterMessage
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixArbMsg+part+"/"+iid+"/", "", 0) {
			raw, err := getRaw(txn, k)
			if err != nil {
				return err
			}
			m, err := DecodeMessage(raw)
			if err != nil {
				return err
			}
			out = append(out, s.arbiterMessageOf(m))
		}
		return nil
	})
	return out, err
}

// receiveDecision takes the arbiter's decision. The home applies it in one
// transition, when it comes from the arbiter the issue was escalated to
// and the charter names now, on an issue escalated and not decided; the
// storefront keeps it with the issue (the home's status tells it the
// outcome). Anything else is refused with the reason and changes nothing.
func (s *Service) receiveDecision(ctx context.Context, m *Message, raw []byte) ([]byte, error) {
	d := m.Decision
	unlock := s.lockHome(m.Part)
	defer unlock()
	if answer, err := s.answered(m); answer != nil || err != nil {
		return answer, err
	}
	var (
		side string
		i    *Issue
	)
	if err := s.db.View(func(txn *badger.Txn) (err error) { side, i, err = s.sideOf(txn, m.Part, d.Issue); return err }); err != nil {
		return nil, err
	}
	switch {
	case i.Arbiter == "" || i.Arbiter != m.From:
		return nil, fmt.Errorf("%w: %s is not the arbiter issue %s was escalated to", ErrForged, shortPeer(m.From), d.Issue)
	case side == SideHome && s.terms().Arbiter != m.From:
		return nil, fmt.Errorf("%w: %s is not the arbiter the charter names", ErrForged, shortPeer(m.From))
	}
	reply := mustJSON(Reply{Ack: true})
	if side == SideStorefront {
		err := s.update(func(txn *badger.Txn) error {
			if err := s.keepArbiterMessage(txn, m, raw); err != nil {
				return err
			}
			return txn.Set([]byte(prefixInbox+m.From+"/"+m.ID), reply)
		})
		if err != nil {
			return nil, err
		}
		return reply, nil
	}
	ch := decideIssue(d.Issue, d.IssueDecision, m.At)
	ch.also = func(txn *badger.Txn, _ *HomePart, res result) error {
		if err := s.keepArbiterMessage(txn, m, raw); err != nil {
			return err
		}
		return txn.Set([]byte(prefixInbox+m.From+"/"+m.ID), reply)
	}
	if _, err := s.transitionLocked(ctx, m.Part, nil, nil, ch); err != nil {
		return nil, err
	}
	return reply, nil
}
