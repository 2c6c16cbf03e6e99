package order

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	badger "github.com/dgraph-io/badger/v4"
)

// Reply answers one message: the part's status after it (signed by the
// home node) for a request to a home node, an acknowledgement for a status,
// or the reason it was refused.
type Reply struct {
	Ack    bool            `json:"ack,omitempty"`
	Status json.RawMessage `json:"status,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// Handle answers one message that member from sent. It is the entry point
// of the order protocol; a duplicate gets the answer the first one got.
func (s *Service) Handle(ctx context.Context, from string, raw []byte) []byte {
	reply, err := s.handle(ctx, from, raw)
	kind := "unknown"
	if m, _ := peekKind(raw); m != "" {
		kind = m
	}
	if err != nil {
		s.metrics.messages.WithLabelValues(kind, "refused").Inc()
		s.log.Debug("order: message refused", "from", from, "kind", kind, "err", err)
		return mustJSON(Reply{Error: err.Error()})
	}
	s.metrics.messages.WithLabelValues(kind, "ok").Inc()
	return reply
}

func (s *Service) handle(ctx context.Context, from string, raw []byte) ([]byte, error) {
	m, err := DecodeMessage(raw)
	if err != nil {
		return nil, err
	}
	if m.From != from || m.To != s.self {
		return nil, fmt.Errorf("%w: message from %s to %s arrived from %s at %s", ErrForged, m.From, m.To, from, s.self)
	}
	if m.Kind == KindStatus {
		return s.receiveStatus(m, raw)
	}
	if answer, err := s.answered(m); answer != nil || err != nil {
		return answer, err
	}
	var status *Message
	switch m.Kind {
	case KindReserve:
		status, err = s.reserveOnce(ctx, m, raw)
	case KindConfirm:
		_, status, err = s.transition(ctx, m.Part, m, raw, confirm())
	case KindCancel:
		_, status, err = s.transition(ctx, m.Part, m, raw, cancel(m.Reason))
	case KindRelease:
		_, status, err = s.transition(ctx, m.Part, m, raw, release())
	}
	if err != nil {
		return nil, err
	}
	return answer(status, status.Encode()), nil
}

// reserveOnce reserves, unless a reserve of the same part came before
// (a retry with a new id after a lost answer): then the part's current
// status answers.
func (s *Service) reserveOnce(ctx context.Context, m *Message, raw []byte) (*Message, error) {
	unlock := s.lockHome(m.Part)
	defer unlock()
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

// peekKind reads a message's kind for metrics without verifying it.
func peekKind(raw []byte) (string, error) {
	var k struct {
		Kind string `json:"kind"`
	}
	err := json.Unmarshal(raw, &k)
	switch k.Kind {
	case KindReserve, KindConfirm, KindCancel, KindRelease, KindStatus:
		return k.Kind, err
	}
	return "", err
}

// decodeReply parses a reply and the status it carries, which must be
// signed by the node the request went to and be about the same part.
func decodeReply(raw []byte, to, part string) (*Message, []byte, error) {
	var r Reply
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, nil, fmt.Errorf("%w: reply: %v", ErrInvalid, err)
	}
	if r.Error != "" {
		return nil, nil, fmt.Errorf("%w: %s refused: %s", ErrUnavailable, shortPeer(to), r.Error)
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
