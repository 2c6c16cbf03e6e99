package settlement

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// Status is where a statement stands between its two parties.
type Status string

// Statement statuses.
const (
	// StatusOpen: no session has settled the statement; entries may still
	// be added. The ledger says open for every such statement; a node's
	// view says open while the period runs and reconciling after.
	StatusOpen Status = "open"
	// StatusReconciling: the period has ended and the parties are settling
	// it: waiting for each other's watermarks, comparing entries,
	// collecting signatures.
	StatusReconciling Status = "reconciling"
	// StatusAgreed: both parties signed the same statement.
	StatusAgreed Status = "agreed"
	// StatusDisputed: reconciliation found entries the parties disagree
	// on; they stay listed until the parties resolve them upstream.
	StatusDisputed Status = "disputed"
)

// Dispute reasons, from the point of view of the statement's holder.
const (
	// DisputeMissingHere: the counterparty holds the entry, we do not.
	DisputeMissingHere = "missing_here"
	// DisputeMissingThere: we hold the entry, the counterparty does not.
	DisputeMissingThere = "missing_there"
	// DisputeContentDiffers: both hold the id with different content
	// (amount, period, ...).
	DisputeContentDiffers = "content_differs"
)

// Statement summarizes the entries of one period between two members: what
// each owes the other by kind, how many entries, and a digest that commits
// to every entry. Both parties compute it independently; when the digests
// agree, both sign the canonical bytes and the statement is agreed. Status,
// disputes and signatures are not part of the signed bytes.
type Statement struct {
	// Period is the period name.
	Period string `json:"period"`
	// Parties are the two members' peer IDs, sorted.
	Parties [2]string `json:"parties"`
	// Currency is the currency of every entry ("" when there are none).
	Currency string `json:"currency"`
	// Totals sums the entries by kind and direction, sorted.
	Totals []Total `json:"totals"`
	// Count is the number of entries.
	Count int `json:"count"`
	// Digest is the hex SHA-256 over every entry's id and content digest,
	// in id order.
	Digest string `json:"digest"`
	// Status is where the statement stands.
	Status Status `json:"status"`
	// Disputes lists the entries the parties disagree on.
	Disputes []Dispute `json:"disputes,omitempty"`
	// Signatures over SigningBytes, at most one per key.
	Signatures []Signature `json:"signatures,omitempty"`
	// Waiting says, for people, what an unsettled statement of an ended
	// period waits for ("waiting for Gamma's entries up to 07:07"). The
	// node's view fills it; it is not signed and not saved.
	Waiting string `json:"waiting,omitempty"`
}

// Total is the sum of the entries of one kind in one direction.
type Total struct {
	// Kind is the entry kind.
	Kind string `json:"kind"`
	// From is the payer.
	From string `json:"from"`
	// To is the payee.
	To string `json:"to"`
	// Amount is the sum.
	Amount Money `json:"amount"`
	// Count is the number of entries summed.
	Count int `json:"count"`
}

// Dispute is one entry the parties disagree on.
type Dispute struct {
	// EntryID is the entry's hex id.
	EntryID string `json:"entry_id"`
	// Reason is DisputeMissingHere, DisputeMissingThere or
	// DisputeContentDiffers.
	Reason string `json:"reason"`
}

// Signature is one party's signature over a statement's SigningBytes.
type Signature struct {
	// PublicKey is the signer's key in libp2p's protobuf encoding.
	PublicKey []byte `json:"public_key"`
	// Signature is the signature bytes.
	Signature []byte `json:"signature"`
}

// NewStatement computes the statement of entries, which must all belong to
// period and be between parties a and b, in one currency. Its status is
// StatusOpen.
func NewStatement(period, a, b string, entries []Entry) (Statement, error) {
	if a == b || !validPeer(a) || !validPeer(b) {
		return Statement{}, fmt.Errorf("%w: statement parties %q and %q", ErrInvalid, a, b)
	}
	if _, err := parsePeriodName(period); err != nil {
		return Statement{}, err
	}
	s := Statement{Period: period, Parties: [2]string{min(a, b), max(a, b)}, Status: StatusOpen, Count: len(entries)}
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(x, y Entry) int { return cmp.Compare(x.ID, y.ID) })
	h := sha256.New()
	h.Write([]byte("fedmart/settlement/statement-digest/v1"))
	for i, e := range sorted {
		if err := s.check(e, i > 0 && sorted[i-1].ID == e.ID); err != nil {
			return Statement{}, err
		}
		id, _ := hexID(e.ID)
		d := e.Digest()
		h.Write(id[:])
		h.Write(d[:])
		if err := s.addTotal(e); err != nil {
			return Statement{}, err
		}
	}
	s.Digest = hex.EncodeToString(h.Sum(nil))
	slices.SortFunc(s.Totals, func(x, y Total) int {
		return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.From, y.From))
	})
	return s, nil
}

// check validates that e belongs in s.
func (s *Statement) check(e Entry, dup bool) error {
	_, err := hexID(e.ID)
	switch {
	case err != nil:
		return err
	case dup:
		return fmt.Errorf("%w: entry %s twice", ErrInvalid, e.ID)
	case e.Period != s.Period:
		return fmt.Errorf("%w: entry %s is in period %s, not %s", ErrInvalid, e.ID, e.Period, s.Period)
	case !(e.From == s.Parties[0] && e.To == s.Parties[1]) && !(e.From == s.Parties[1] && e.To == s.Parties[0]):
		return fmt.Errorf("%w: entry %s is between %s and %s", ErrInvalid, e.ID, e.From, e.To)
	case s.Currency != "" && e.Amount.Currency != s.Currency:
		return fmt.Errorf("%w: entry %s in %s, statement in %s", ErrCurrency, e.ID, e.Amount.Currency, s.Currency)
	case e.Amount.Amount <= 0:
		return fmt.Errorf("%w: entry %s amount %s", ErrInvalid, e.ID, e.Amount)
	}
	s.Currency = e.Amount.Currency
	return nil
}

// addTotal adds e to the total of its kind and direction.
func (s *Statement) addTotal(e Entry) error {
	for i := range s.Totals {
		t := &s.Totals[i]
		if t.Kind == e.Kind && t.From == e.From {
			sum, err := t.Amount.Add(e.Amount)
			t.Amount, t.Count = sum, t.Count+1
			return err
		}
	}
	s.Totals = append(s.Totals, Total{Kind: e.Kind, From: e.From, To: e.To, Amount: e.Amount, Count: 1})
	return nil
}

// SigningBytes is the canonical encoding both parties sign: everything but
// status, disputes and signatures.
func (s Statement) SigningBytes() []byte {
	var e encoder
	e.str("fedmart/settlement/statement/v1")
	for _, v := range []string{s.Period, s.Parties[0], s.Parties[1], s.Currency, s.Digest} {
		e.str(v)
	}
	e.uvarint(uint64(s.Count))
	e.uvarint(uint64(len(s.Totals)))
	for _, t := range s.Totals {
		for _, v := range []string{t.Kind, t.From, t.To, t.Amount.Currency} {
			e.str(v)
		}
		e.i64(t.Amount.Amount)
		e.uvarint(uint64(t.Count))
	}
	return e.buf
}

// Sign adds (or replaces) the signature of priv's key, which must be Ed25519.
func (s *Statement) Sign(priv crypto.PrivKey) error {
	if priv == nil || priv.Type() != crypto.Ed25519 {
		return fmt.Errorf("%w: statements are signed with Ed25519 keys", ErrInvalid)
	}
	pub, err := crypto.MarshalPublicKey(priv.GetPublic())
	if err != nil {
		return fmt.Errorf("settlement: sign statement: %w", err)
	}
	sig, err := priv.Sign(s.SigningBytes())
	if err != nil {
		return fmt.Errorf("settlement: sign statement: %w", err)
	}
	s.Signatures = slices.DeleteFunc(s.Signatures, func(g Signature) bool { return bytes.Equal(g.PublicKey, pub) })
	s.Signatures = append(s.Signatures, Signature{PublicKey: pub, Signature: sig})
	return nil
}

// VerifySignature checks the signature of pub's key: ErrNotFound when the
// key has not signed, ErrForged when its signature does not verify over the
// statement as it is now.
func (s Statement) VerifySignature(pub crypto.PubKey) error {
	if pub == nil {
		return fmt.Errorf("%w: nil public key", ErrInvalid)
	}
	raw, err := crypto.MarshalPublicKey(pub)
	if err != nil {
		return fmt.Errorf("%w: public key: %v", ErrInvalid, err)
	}
	for _, g := range s.Signatures {
		if !bytes.Equal(g.PublicKey, raw) {
			continue
		}
		if ok, err := pub.Verify(s.SigningBytes(), g.Signature); err != nil || !ok {
			return fmt.Errorf("%w: statement %s/%v", ErrForged, s.Period, s.Parties)
		}
		return nil
	}
	return fmt.Errorf("%w: no signature by that key on statement %s/%v", ErrNotFound, s.Period, s.Parties)
}

// Agree marks the statement agreed once both parties' keys (a and b, in
// any order) have valid signatures and nothing is disputed.
func (s *Statement) Agree(a, b crypto.PubKey) error {
	if len(s.Disputes) > 0 {
		return fmt.Errorf("%w: statement %s/%v has %d disputes", ErrConflict, s.Period, s.Parties, len(s.Disputes))
	}
	if a == nil || b == nil || a.Equals(b) {
		return fmt.Errorf("%w: agreement needs two different keys", ErrInvalid)
	}
	for _, k := range []crypto.PubKey{a, b} {
		if err := s.VerifySignature(k); err != nil {
			return err
		}
	}
	s.Status = StatusAgreed
	return nil
}

// ApplyDiff records the outcome of reconciling the statement's entries
// with the counterparty: no differences leave the status as it is (ready
// to sign); any difference becomes a dispute and the status disputed.
func (s *Statement) ApplyDiff(d Diff) {
	s.Disputes = nil
	add := func(ids [][32]byte, reason string) {
		for _, id := range ids {
			s.Disputes = append(s.Disputes, Dispute{EntryID: hex.EncodeToString(id[:]), Reason: reason})
		}
	}
	add(d.Need, DisputeMissingHere)
	add(d.Have, DisputeMissingThere)
	add(d.Differ, DisputeContentDiffers)
	if len(s.Disputes) > 0 {
		s.Status = StatusDisputed
	}
}

// Net returns what the statement nets to: one obligation from the party
// that owes more to the other (amount zero, in party order, when even).
func (s Statement) Net() (Obligation, error) {
	var owed int64 // Parties[0] owes Parties[1], minus the reverse
	for _, t := range s.Totals {
		a := t.Amount.Amount
		if t.From == s.Parties[1] {
			a = -a
		}
		var ok bool
		if owed, ok = addInt64(owed, a); !ok {
			return Obligation{}, fmt.Errorf("%w: statement %s/%v", ErrOverflow, s.Period, s.Parties)
		}
	}
	if owed == math.MinInt64 {
		return Obligation{}, fmt.Errorf("%w: statement %s/%v", ErrOverflow, s.Period, s.Parties)
	}
	o := Obligation{From: s.Parties[0], To: s.Parties[1], Amount: Money{Amount: owed, Currency: s.Currency}}
	if owed < 0 {
		o.From, o.To, o.Amount.Amount = o.To, o.From, -owed
	}
	return o, nil
}

// Statement computes this node's statement of period with counterparty
// from the stored entries. Its status is open until a session saves it
// agreed or disputed; a saved statement with the same digest contributes
// its status, disputes and signatures (one with another digest was saved
// before entries arrived, and counts no more).
func (l *Ledger) Statement(ctx context.Context, period, counterparty string) (Statement, error) {
	var entries []Entry
	err := l.Entries(ctx, period, counterparty, func(e Entry) error {
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return Statement{}, err
	}
	s, err := NewStatement(period, l.self, counterparty, entries)
	if err != nil {
		return Statement{}, err
	}
	old, ok, err := l.SavedStatement(ctx, period, counterparty)
	if err == nil && ok && old.Digest == s.Digest {
		s.Status, s.Disputes, s.Signatures = old.Status, old.Disputes, old.Signatures
	}
	return s, err
}

// SavedStatement returns the statement a session saved for period with
// counterparty, as it was saved, and whether there is one.
func (l *Ledger) SavedStatement(_ context.Context, period, counterparty string) (Statement, bool, error) {
	var old Statement
	var ok bool
	err := l.db.View(func(txn *badger.Txn) error {
		saved, err := readValue(txn, statementKey(period, counterparty))
		if err != nil || saved == nil {
			return err
		}
		if err := json.Unmarshal(saved, &old); err != nil {
			return fmt.Errorf("%w: saved statement %s/%s: %v", ErrInvalid, period, counterparty, err)
		}
		ok = true
		return nil
	})
	return old, ok, err
}

// SaveStatement stores the status, disputes and signatures of a statement
// of this node with a counterparty. The statement must match the entries
// as they are now (ErrConflict otherwise); an agreed statement must carry
// valid signatures of selfKey and peerKey (ErrForged, ErrNotFound) and,
// once saved, is never replaced by one with another digest (ErrConflict).
func (l *Ledger) SaveStatement(ctx context.Context, st Statement, selfKey, peerKey crypto.PubKey) error {
	switch st.Status {
	case StatusOpen, StatusReconciling, StatusAgreed, StatusDisputed:
	default:
		return fmt.Errorf("%w: statement status %q", ErrInvalid, st.Status)
	}
	cp := st.Parties[0]
	switch l.self {
	case st.Parties[0]:
		cp = st.Parties[1]
	case st.Parties[1]:
	default:
		return fmt.Errorf("%w: statement %s/%v is not this node's", ErrInvalid, st.Period, st.Parties)
	}
	cur, err := l.Statement(ctx, st.Period, cp)
	if err != nil {
		return err
	}
	if !bytes.Equal(cur.SigningBytes(), st.SigningBytes()) {
		return fmt.Errorf("%w: statement %s/%v does not match the ledger's entries", ErrConflict, st.Period, st.Parties)
	}
	if st.Status == StatusAgreed {
		if err := st.Agree(selfKey, peerKey); err != nil {
			return err
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.db.Update(func(txn *badger.Txn) error {
		key := statementKey(st.Period, cp)
		saved, err := readValue(txn, key)
		if err != nil {
			return err
		}
		var old Statement
		if saved != nil && json.Unmarshal(saved, &old) == nil && old.Status == StatusAgreed && old.Digest != st.Digest {
			return fmt.Errorf("%w: statement %s/%v was agreed with another digest", ErrConflict, st.Period, st.Parties)
		}
		return putJSON(txn, key, st)
	})
}

// statementKey is the key of a saved statement.
func statementKey(period, counterparty string) []byte {
	return []byte(prefixStatement + period + "/" + counterparty)
}

// Disputed lists the statements with counterparty saved disputed, as
// they were saved, oldest period first.
func (l *Ledger) Disputed(ctx context.Context, counterparty string) ([]Statement, error) {
	var out []Statement
	err := l.db.View(func(txn *badger.Txn) error {
		return scan(ctx, txn, []byte(prefixStatement), func(k, v []byte) error {
			if !bytes.HasSuffix(k, []byte("/"+counterparty)) {
				return nil
			}
			var st Statement
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("%w: saved statement %q: %v", ErrInvalid, k, err)
			}
			if st.Status == StatusDisputed {
				out = append(out, st)
			}
			return nil
		})
	})
	return out, err
}
