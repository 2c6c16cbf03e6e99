package order

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	badger "github.com/dgraph-io/badger/v4"
)

// ParkedMessage is an outbox message its receiver can never accept, kept
// for the operator, who may send it again (after fixing what the reason
// says) or drop it.
type ParkedMessage struct {
	// Key identifies it for RetryParked and DropParked ("<peer>/<seq>").
	Key string `json:"key"`
	// Peer is the member it was for.
	Peer string `json:"peer"`
	// Kind and Part say what it is.
	Kind string `json:"kind"`
	Part string `json:"part"`
	// Code and Reason are the receiver's refusal.
	Code   Code   `json:"code"`
	Reason string `json:"reason"`
	// CreatedAt is when it was queued, ParkedAt when it was parked.
	CreatedAt time.Time `json:"created_at"`
	ParkedAt  time.Time `json:"parked_at"`
	// Raw is the signed message.
	Raw json.RawMessage `json:"raw"`
}

// park moves an outbox message to the parked ones.
func (o *outbox) park(key string, raw []byte, code Code, reason string) error {
	id := strings.TrimPrefix(key, prefixOutbox)
	pk := prefixParked + id
	pm := ParkedMessage{Key: id, Code: code, Reason: reason, CreatedAt: keyTime(key), ParkedAt: time.Now().UTC(), Raw: raw}
	if m, err := DecodeMessage(raw); err == nil {
		pm.Peer, pm.Kind, pm.Part = m.To, m.Kind, m.Part
	}
	o.s.log.Error("order: message parked; the receiver will never accept it as it is", "peer", pm.Peer, "kind", pm.Kind,
		"part", pm.Part, "code", int(code), "reason", reason)
	return o.s.update(func(txn *badger.Txn) error {
		if err := putJSON(txn, pk, pm); err != nil {
			return err
		}
		return txn.Delete([]byte(key))
	})
}

// queued returns the signed message under an outbox or parked key.
func queued(txn *badger.Txn, key string) ([]byte, error) {
	if !strings.HasPrefix(key, prefixParked) {
		return getRaw(txn, key)
	}
	var pm ParkedMessage
	_, err := getJSON(txn, key, &pm)
	return pm.Raw, err
}

// Parked lists the parked messages, oldest first, at most limit.
func (s *Service) Parked(ctx context.Context, limit int) ([]ParkedMessage, error) {
	var out []ParkedMessage
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixParked, "", limit) {
			var pm ParkedMessage
			if _, err := getJSON(txn, k, &pm); err != nil {
				return err
			}
			out = append(out, pm)
		}
		return ctx.Err()
	})
	return out, err
}

// RetryParked puts the parked message key back at the end of its
// member's outbox.
func (s *Service) RetryParked(_ context.Context, key string) error {
	err := s.update(func(txn *badger.Txn) error {
		pm, err := loadParked(txn, key)
		if err != nil {
			return err
		}
		if err := s.out.put(txn, pm.Peer, pm.Raw); err != nil {
			return err
		}
		return txn.Delete([]byte(prefixParked + key))
	})
	s.out.wake()
	return err
}

// DropParked forgets the parked message key for good.
func (s *Service) DropParked(_ context.Context, key string) error {
	return s.update(func(txn *badger.Txn) error {
		if _, err := loadParked(txn, key); err != nil {
			return err
		}
		return txn.Delete([]byte(prefixParked + key))
	})
}

func loadParked(txn *badger.Txn, key string) (ParkedMessage, error) {
	var pm ParkedMessage
	ok, err := getJSON(txn, prefixParked+key, &pm)
	if err == nil && (!ok || strings.Count(key, "/") != 1) {
		err = fmt.Errorf("%w: parked message %q", ErrNotFound, key)
	}
	return pm, err
}

// OutboxDepth is what this node owes one member.
type OutboxDepth struct {
	Peer string `json:"peer"`
	// Messages waiting for the member's acknowledgement.
	Messages int `json:"messages"`
	// Oldest is when the oldest of them was queued (zero when none).
	Oldest time.Time `json:"oldest,omitzero"`
	// Parked messages the member refused for good.
	Parked int `json:"parked"`
}

// Outbox reports the outbox per member with something waiting or parked.
func (s *Service) Outbox(_ context.Context) ([]OutboxDepth, error) {
	byPeer := map[string]*OutboxDepth{}
	var order []string
	get := func(p string) *OutboxDepth {
		d := byPeer[p]
		if d == nil {
			d = &OutboxDepth{Peer: p}
			byPeer[p] = d
			order = append(order, p)
		}
		return d
	}
	err := s.db.View(func(txn *badger.Txn) error {
		for _, k := range keys(txn, prefixOutbox, "", 0) {
			d := get(peerOfKey(k, prefixOutbox))
			if d.Messages++; d.Messages == 1 {
				d.Oldest = keyTime(k).UTC()
			}
		}
		for _, k := range keys(txn, prefixParked, "", 0) {
			get(peerOfKey(k, prefixParked)).Parked++
		}
		return nil
	})
	out := make([]OutboxDepth, len(order))
	for i, p := range order {
		out[i] = *byPeer[p]
	}
	return out, err
}

// OutboxEmpty reports whether this node owes no member a message (parked
// ones aside): one seek, where Outbox reads every key, for tools that
// wait for delivery (fedmart bench).
func (s *Service) OutboxEmpty() (bool, error) {
	empty := true
	err := s.db.View(func(txn *badger.Txn) error {
		empty = len(keys(txn, prefixOutbox, "", 1)) == 0
		return nil
	})
	return empty, err
}

func peerOfKey(k, prefix string) string {
	rest := strings.TrimPrefix(k, prefix)
	if i := strings.IndexByte(rest, '/'); i > 0 {
		return rest[:i]
	}
	return rest
}

// observeOutbox refreshes the outbox metrics and returns the members
// with messages waiting.
func (s *Service) observeOutbox() map[string]bool {
	depths, err := s.Outbox(context.Background())
	if err != nil {
		return nil
	}
	pending := map[string]bool{}
	total, parked := 0, 0
	s.metrics.outboxMessages.Reset()
	s.metrics.outboxAge.Reset()
	for _, d := range depths {
		total += d.Messages
		parked += d.Parked
		if d.Messages > 0 {
			pending[d.Peer] = true
			s.metrics.outboxMessages.WithLabelValues(d.Peer).Set(float64(d.Messages))
			s.metrics.outboxAge.WithLabelValues(d.Peer).Set(time.Since(d.Oldest).Seconds())
		}
	}
	s.metrics.outbox.Set(float64(total))
	s.metrics.parked.Set(float64(parked))
	return pending
}
