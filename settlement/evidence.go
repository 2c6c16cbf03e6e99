package settlement

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
)

// Evidence proves to a counterparty that an event happened. The orders
// layer implements it with the home node's signed order status messages;
// the settlement package only carries the bytes and posts what Verify
// establishes.
type Evidence interface {
	// Proof returns opaque signed bytes that establish ev, an event this
	// node posted. An error means this node cannot prove it: the entries
	// behind it stay disputed.
	Proof(ctx context.Context, ev Event) ([]byte, error)
	// Verify checks proof (the home node's signature and whatever else the
	// implementation requires) and returns the Event it establishes.
	Verify(ctx context.Context, proof []byte) (Event, error)
}

// pinning places selected entries into a period whatever its state: the
// entries with one counterparty whose ids reconciliation found missing
// here. A nil *pinning selects nothing.
type pinning struct {
	period       string
	counterparty string
	ids          map[string]bool
}

// newPinning pins ids (raw entry ids) with counterparty into period.
func newPinning(period, counterparty string, ids [][32]byte) *pinning {
	p := &pinning{period: period, counterparty: counterparty, ids: make(map[string]bool, len(ids))}
	for _, id := range ids {
		p.ids[hex.EncodeToString(id[:])] = true
	}
	return p
}

// periodOf returns the period e is pinned to, if it is.
func (p *pinning) periodOf(e Entry, self string) (string, bool) {
	if p == nil || !p.ids[e.ID] || (e.From != self && e.To != self) || e.Counterparty(self) != p.counterparty {
		return "", false
	}
	return p.period, true
}

// proofs returns one proof per event behind the entries ids (raw entry
// ids), each at most maxSize bytes. An entry whose event the ledger does
// not know, or that evidence cannot prove, is left out and stays disputed
// on the other side; only storage and context errors stop it.
func (l *Ledger) proofs(ctx context.Context, evidence Evidence, ids [][32]byte, maxSize int) ([][]byte, error) {
	seen := make(map[string]bool)
	var out [][]byte
	for _, raw := range ids {
		id := hex.EncodeToString(raw[:])
		ev, err := l.EntryEvent(ctx, id)
		if errors.Is(err, ErrNotFound) {
			l.log.Warn("settlement entry has no event to prove", "entry", id)
			continue
		}
		if err != nil {
			return nil, err
		}
		if seen[ev.key()] {
			continue
		}
		seen[ev.key()] = true
		p, err := evidence.Proof(ctx, ev)
		if err == nil && (len(p) == 0 || len(p) > maxSize) {
			err = fmt.Errorf("proof of %d bytes, want 1..%d", len(p), maxSize)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			l.log.Warn("settlement event cannot be proven", "part", ev.PartID, "kind", ev.Kind, "err", err)
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

// restore verifies proofs from pin's counterparty and posts each event
// they establish that causes an entry pin selects. Those entries go into
// pin's period even though it is closed: the counterparty holds them there
// and the home node's signature proves them. A proof that is too large or
// does not verify, proves an event that causes none of the missing
// entries, or proves an event the ledger refuses (a conflict, an unknown
// policy) is skipped and its entries stay disputed. restore returns how
// many missing entries it restored.
func (l *Ledger) restore(ctx context.Context, evidence Evidence, pin *pinning, proofs [][]byte, maxSize int) (int, error) {
	restored := 0
	for i, p := range proofs {
		ev, err := l.proven(ctx, evidence, pin, p, maxSize)
		if err != nil {
			if ctx.Err() != nil {
				return restored, ctx.Err()
			}
			l.log.Warn("settlement proof refused", "peer", pin.counterparty, "proof", i, "err", err)
			continue
		}
		created, err := l.postWith(ctx, ev, pin, nil)
		l.logCreated(created)
		if err != nil {
			if !refusal(err) {
				return restored, err
			}
			l.log.Warn("settlement proven event refused", "peer", pin.counterparty, "part", ev.PartID, "kind", ev.Kind, "err", err)
			continue
		}
		for _, e := range created {
			if per, ok := pin.periodOf(e, l.self); ok && per == e.Period {
				restored++
			}
		}
	}
	return restored, nil
}

// proven verifies one proof and checks that the event it establishes
// causes at least one entry pin selects.
func (l *Ledger) proven(ctx context.Context, evidence Evidence, pin *pinning, proof []byte, maxSize int) (Event, error) {
	if len(proof) > maxSize {
		return Event{}, fmt.Errorf("%w: proof of %d bytes exceeds %d", ErrInvalid, len(proof), maxSize)
	}
	ev, err := evidence.Verify(ctx, proof)
	if err != nil {
		return Event{}, fmt.Errorf("proof does not verify: %w", err)
	}
	if err := ev.Validate(); err != nil {
		return Event{}, err
	}
	pol, err := l.policy(ev.PolicyVersion)
	if err != nil {
		return Event{}, err
	}
	for _, e := range derivableEntries(ev, pol) {
		if _, ok := pin.periodOf(e, l.self); ok {
			return ev, nil
		}
	}
	return Event{}, fmt.Errorf("%w: proven %s event of part %q causes no entry missing here", ErrInvalid, ev.Kind, ev.PartID)
}

// refusal reports whether a Post error is the ledger refusing the event
// (it stays a dispute) rather than a storage or context failure.
func refusal(err error) bool {
	for _, target := range []error{ErrInvalid, ErrConflict, ErrUnknownPolicy, ErrOverflow} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
