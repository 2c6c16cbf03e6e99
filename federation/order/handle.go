package order

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
	jsonv2 "github.com/go-json-experiment/json"
)

// Reply answers one message: the part's status after it (signed by the
// home node) for a request to a home node, an acknowledgement for a status,
// or the code and reason of a refusal.
type Reply struct {
	Ack    bool            `json:"ack,omitempty"`
	Status json.RawMessage `json:"status,omitempty"`
	Code   Code            `json:"code,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// Handle answers one message that member from sent. It is the entry point
// of the order protocol; a duplicate gets the answer the first one got,
// byte for byte.
func (s *Service) Handle(ctx context.Context, from string, raw []byte) []byte {
	s.handled.Add(1)
	kind := "unknown"
	m, err := DecodeMessage(raw)
	var reply []byte
	if err == nil {
		kind = m.Kind // a kind validate knows
		reply, err = s.handle(ctx, from, m, raw)
	} else if k, _ := peekKind(raw); k != "" {
		kind = k
	}
	if err != nil {
		s.metrics.messages.WithLabelValues(kind, "refused").Inc()
		code, words := codeOf(err)
		s.log.Debug("order: message refused", "from", from, "kind", kind, "code", int(code), "err", err)
		return mustJSON(Reply{Code: code, Error: words})
	}
	s.metrics.messages.WithLabelValues(kind, "ok").Inc()
	return reply
}

// handle answers m, decoded from raw and verified.
func (s *Service) handle(ctx context.Context, from string, m *Message, raw []byte) ([]byte, error) {
	if m.From != from || m.To != s.self {
		return nil, fmt.Errorf("%w: message from %s to %s arrived from %s at %s", ErrForged, m.From, m.To, from, s.self)
	}
	switch m.Kind {
	case KindStatus:
		return s.receiveStatus(m, raw)
	case KindNote:
		return s.receiveNote(m, raw)
	case KindCase:
		return s.receiveCase(m, raw)
	case KindArbiterNote:
		return s.receiveArbiterNote(m, raw)
	case KindDecision:
		return s.receiveDecision(ctx, m, raw)
	case KindPoints:
		return s.receivePoints(ctx, m, raw)
	case KindShopperOrder:
		return s.receiveShopperOrder(m, raw)
	case KindReviewReport:
		return s.receiveReviewReport(ctx, m)
	}
	// The part's lock is taken before the inbox is read, so that two copies
	// of one request (the checkout's own send and the outbox's) cannot both
	// find it unanswered: the second gets the first one's stored answer.
	unlock := s.lockHome(m.Part)
	defer unlock()
	if answer, err := s.answered(m); answer != nil || err != nil {
		return answer, err
	}
	if s.recovering.Load() { // a home part may be older here than its storefront knows it
		return nil, fmt.Errorf("%w: catching up after a restore", ErrUnavailable)
	}
	switch m.Kind {
	case KindReserve:
		if s.budgeted(m.From) {
			if err := s.budget.admit(m.From, reserveUnits(m.Reserve), s.now()); err != nil {
				return nil, err
			}
		}
		return s.reserveOnce(ctx, m, raw)
	case KindRelease:
		return s.releaseOnce(ctx, m, raw)
	case KindConfirm:
		return s.ask(ctx, m, raw, confirm())
	case KindReturn:
		return s.askReturn(ctx, m, raw)
	case KindIssue, KindIssueReply, KindEscalate:
		return s.askIssue(ctx, m, raw)
	default: // KindCancel; DecodeMessage admits no other kind
		if len(m.Cancel) > 0 {
			return s.ask(ctx, m, raw, cancelUnits(m.ID, m.Cancel, m.Reason))
		}
		return s.ask(ctx, m, raw, cancel(m.Reason))
	}
}

// ask applies the change a storefront's request asks for and returns the
// answer: the part's status after it, or its current status when the
// change is refused (a confirm of a cancelled part, say).
func (s *Service) ask(ctx context.Context, m *Message, raw []byte, ch change) ([]byte, error) {
	res, err := s.transitionLocked(ctx, m.Part, m, raw, ch)
	if err != nil {
		return nil, err
	}
	return res.reply, nil
}

// reserveOnce reserves, unless a reserve of the same part came before
// (a retry with a new id after a lost answer): then the part's current
// status answers.
func (s *Service) reserveOnce(ctx context.Context, m *Message, raw []byte) ([]byte, error) {
	var p *HomePart
	err := s.db.View(func(txn *badger.Txn) (err error) { p, err = loadHome(txn, m.Part); return err })
	switch {
	case err == nil && p.Storefront != m.From:
		return nil, fmt.Errorf("%w: part %s belongs to another storefront", ErrConflict, m.Part)
	case err == nil:
		return s.answerCurrent(p, m, raw)
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	return s.reserve(ctx, m, raw)
}

// reserveUnits is the units a reserve asks to hold.
func reserveUnits(r *Reserve) int64 {
	var n int64
	for _, l := range r.Lines {
		n += l.Quantity
	}
	return n
}

// releaseOnce gives a hold back. A release of a part this node never
// held (its reserve was lost, or is still on its way) leaves a released
// part behind, so that the release is done and a late reserve of the same
// part holds nothing.
func (s *Service) releaseOnce(ctx context.Context, m *Message, raw []byte) ([]byte, error) {
	reply, err := s.ask(ctx, m, raw, release())
	if !errors.Is(err, ErrNotFound) {
		return reply, err
	}
	now := s.now().UTC()
	p := &HomePart{ID: m.Part, Order: orderOfPart(m.Part), Storefront: m.From, Status: statusReleased, Seq: 1,
		Reason: "released before its reserve arrived", CreatedAt: now, UpdatedAt: now}
	reply = mustJSON(Reply{Ack: true})
	return reply, s.update(func(txn *badger.Txn) error {
		if err := saveHome(txn, p); err != nil {
			return err
		}
		if err := markEnded(txn, p); err != nil {
			return err
		}
		return s.remember(txn, m, raw, reply)
	})
}

// answered returns the stored reply to a message seen before.
func (s *Service) answered(m *Message) ([]byte, error) {
	var prev []byte
	err := s.db.View(func(txn *badger.Txn) (err error) {
		prev, err = getRaw(txn, prefixInbox+m.From+"/"+m.ID)
		return err
	})
	return prev, err // nil when not seen
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("order: encoding: " + err.Error())
	}
	return b
}

// peekKind reads the kind of a message that did not decode, for metrics.
func peekKind(raw []byte) (string, error) {
	var k struct {
		Kind string `json:"kind"`
	}
	err := jsonv2.Unmarshal(raw, &k)
	switch k.Kind {
	case KindReserve, KindConfirm, KindCancel, KindRelease, KindStatus, KindReturn, KindIssue, KindIssueReply, KindEscalate, KindNote, KindCase, KindArbiterNote, KindDecision, KindPoints, KindShopperOrder, KindReviewReport:
		return k.Kind, err
	}
	return "", err
}

// decodeReply parses the reply to a message of kind about part sent to
// member to. A refusal is a *RemoteError; a status it carries must be
// signed by to and be about the same part.
func decodeReply(raw []byte, to, kind, part string) (*Message, []byte, error) {
	var r Reply
	if err := jsonv2.Unmarshal(raw, &r); err != nil {
		return nil, nil, fmt.Errorf("%w: reply: %v", ErrInvalid, err)
	}
	if r.Error != "" || r.Code != 0 {
		code := r.Code
		if code == 0 {
			code = CodeUnavailable
		}
		return nil, nil, &RemoteError{Peer: to, Kind: kind, Code: code, Detail: r.Error}
	}
	if r.Ack || len(r.Status) == 0 {
		return nil, nil, nil
	}
	m, err := DecodeMessage(r.Status)
	if err != nil {
		return nil, nil, err
	}
	if m.Kind != KindStatus || m.From != to || m.Part != part {
		return nil, nil, fmt.Errorf("%w: reply from %s is not a status of part %s", ErrForged, shortPeer(to), part)
	}
	return m, r.Status, nil
}

func shortPeer(id string) string {
	if len(id) > 12 {
		return "…" + id[len(id)-8:]
	}
	return strings.Clone(id)
}
