package settlement

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// SessionParams says what a ReconcilePeriod session reconciles, with whom,
// and how it proves and signs.
type SessionParams struct {
	// Period is the period to reconcile. A responder may leave it empty to
	// take the period the initiator names (it must be closed here too).
	Period string
	// Counterparty is the other member's peer ID.
	Counterparty string
	// Self is this node's Ed25519 key; it signs an agreed statement.
	Self crypto.PrivKey
	// Peer is the counterparty's public key; its signature must verify
	// with it.
	Peer crypto.PubKey
	// Evidence proves the events behind entries the counterparty lacks and
	// verifies the proofs it sends.
	Evidence Evidence
	// Length is the length of the federation's periods.
	Length time.Duration
	// Through is this node's watermark to the counterparty: it has
	// delivered every event it stated before Through, and states nothing
	// earlier any more (the orders layer computes it, see the package
	// comment). A period is settled only once both sides' watermarks have
	// passed its end.
	Through time.Time
	// Limits bound what the session accepts; zero fields take defaults.
	Limits SessionLimits
}

// SessionLimits bounds one session. Zero fields take the defaults
// documented on them.
type SessionLimits struct {
	// MaxProofs caps the proofs accepted from the peer (1..1<<20, default
	// 65536); more is an ErrProtocol.
	MaxProofs int
	// MaxProofSize caps one proof, sent or accepted (1..MaxSessionFrame-64,
	// default 64 KiB); a larger proof is skipped and its entries stay
	// disputed.
	MaxProofSize int
	// Reconcile tunes the range reconciliation (default
	// DefaultReconcileConfig).
	Reconcile ReconcileConfig
}

// withDefaults fills the zero limits.
func (p SessionParams) withDefaults() SessionParams {
	if p.Limits.MaxProofs == 0 {
		p.Limits.MaxProofs = 1 << 16
	}
	if p.Limits.MaxProofSize == 0 {
		p.Limits.MaxProofSize = 64 << 10
	}
	if p.Limits.Reconcile == (ReconcileConfig{}) {
		p.Limits.Reconcile = DefaultReconcileConfig()
	}
	return p
}

// Validate reports every unusable field, each naming its key
// ("session.peer: nil") and wrapping ErrInvalid. Zero limits are valid
// (they take defaults).
func (p SessionParams) Validate() error {
	p = p.withDefaults()
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: session.%s: %s", ErrInvalid, key, fmt.Sprintf(format, args...)))
	}
	if _, err := parsePeriodName(p.Period); p.Period != "" && err != nil {
		bad("period", "%q is not a period name", p.Period)
	}
	if !validPeer(p.Counterparty) {
		bad("counterparty", "%q is not a peer id", p.Counterparty)
	}
	switch {
	case p.Self == nil || p.Self.Type() != crypto.Ed25519:
		bad("self", "want an Ed25519 private key")
	case p.Peer == nil:
		bad("peer", "nil")
	case p.Peer.Equals(p.Self.GetPublic()):
		bad("peer", "is this node's own key")
	}
	if p.Evidence == nil {
		bad("evidence", "nil")
	}
	if p.Length < time.Second || p.Length%time.Second != 0 {
		bad("length", "%s is not a whole number of seconds", p.Length)
	}
	if n := p.Limits.MaxProofs; n < 1 || n > 1<<20 {
		bad("limits.max_proofs", "%d outside 1..%d", n, 1<<20)
	}
	if n := p.Limits.MaxProofSize; n < 1 || n > MaxSessionFrame-64 {
		bad("limits.max_proof_size", "%d outside 1..%d", n, MaxSessionFrame-64)
	}
	if err := p.Limits.Reconcile.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("session.limits: %w", err))
	}
	return errors.Join(errs...)
}

// ReconcilePeriod runs one period-reconciliation session with the
// counterparty over rw (a stream the caller opened, carrying nothing else)
// and returns this node's final statement: agreed, with both signatures,
// or disputed, with the entries in dispute. Both sides end with the same
// status. Exactly one side passes initiator=true. Both sides' watermarks
// must have passed the period's end (ErrPeriodOpen otherwise: the session
// ends after the hellos, each side having recorded the other's watermark
// in its Pair). After an error nothing
// is saved as agreed (entries proven by the peer may have been restored)
// and the peer may still wait for a frame: the caller resets the stream.
// Run one session per counterparty and period at a time.
//
// The session, in order (each step a frame each way, the initiator's
// first, unless it says otherwise). Every frame is a 4-byte big-endian
// length and a payload of at most MaxSessionFrame bytes (MaxMessageSize
// for the reconciliation messages); SessionFrame documents the encoding,
// whose first byte is the session protocol version:
//
//  0. Before anything, each side posts the events queued for posting.
//  1. FrameHello: period, both parties, the sender's watermark to the
//     receiver, and its statement's summary. A different period or party
//     pair, or a watermark short of the period's end on either side, ends
//     the session on both.
//  2. If the digests differ: the range reconciliation of Reconcile over
//     the period's entries with the counterparty, giving each side's Diff.
//     Then FrameProofs: the initiator sends, in batches up to the last,
//     one Evidence proof per event behind the entries it has and the peer
//     needs; then the responder does the same. Each side verifies the
//     proofs it got, checks that each proven event causes an entry it
//     lacks, and posts it, those entries going into the reconciled period
//     whatever place would say. Entries that differ in content are never
//     touched. Then FrameRecount: both statements' summaries after.
//  3. If the digests are now equal: FrameSignature, each side's signature
//     of the statement, then FrameVerdict, whether the sender's check of
//     the peer's signature with Peer passed. Only if both passed does a
//     side save the statement agreed; otherwise both fail with ErrForged.
//  4. Otherwise the range reconciliation runs again over the entries as
//     they now are, and each side saves its statement disputed, listing
//     every entry missing here, missing there or differing in content.
func (l *Ledger) ReconcilePeriod(ctx context.Context, rw io.ReadWriter, initiator bool, p SessionParams) (Statement, error) {
	p = p.withDefaults()
	if err := p.Validate(); err != nil {
		return Statement{}, err
	}
	switch {
	case initiator && p.Period == "":
		return Statement{}, fmt.Errorf("%w: session.period: the initiator must name the period", ErrInvalid)
	case p.Counterparty == l.self:
		return Statement{}, fmt.Errorf("%w: session.counterparty: %s is this node", ErrInvalid, l.self)
	}
	c, stop := newConn(ctx, rw, initiator)
	defer stop()
	s := &session{l: l, p: p, c: c, initiator: initiator}
	st, err := s.run(ctx)
	if err != nil {
		return Statement{}, c.fail(err)
	}
	l.log.Info("settlement period reconciled", "period", st.Period, "peer", p.Counterparty,
		"status", st.Status, "disputes", len(st.Disputes),
		"bytes_sent", c.stats.BytesSent, "bytes_received", c.stats.BytesReceived)
	return st, nil
}

// session is one side of a ReconcilePeriod run.
type session struct {
	l         *Ledger
	p         SessionParams
	c         *conn
	initiator bool
}

// run walks the steps documented on ReconcilePeriod.
func (s *session) run(ctx context.Context) (Statement, error) {
	if err := s.l.Drain(ctx); err != nil {
		return Statement{}, err
	}
	st, theirs, err := s.hello(ctx)
	if err != nil {
		return Statement{}, err
	}
	if st.Digest != theirs.Digest {
		if st, theirs, err = s.repair(ctx); err != nil {
			return Statement{}, err
		}
	}
	if st.Digest == theirs.Digest {
		return s.agree(ctx, st)
	}
	return s.dispute(ctx, st)
}

// hello trades hellos and returns this side's statement and the peer's
// summary. A responder without a period takes the initiator's. Each side
// records the other's watermark, whatever the hellos then decide.
func (s *session) hello(ctx context.Context) (Statement, Summary, error) {
	var in SessionFrame
	var err error
	if !s.initiator {
		if in, err = s.recv(FrameHello); err != nil {
			return Statement{}, Summary{}, err
		}
		if s.p.Period == "" {
			s.p.Period = in.Hello.Period
		}
	}
	period, err := ParsePeriod(s.p.Period, s.p.Length)
	if err != nil {
		return Statement{}, Summary{}, err
	}
	st, err := s.l.Statement(ctx, s.p.Period, s.p.Counterparty)
	if err != nil {
		return Statement{}, Summary{}, err
	}
	genesis, err := s.l.genesis()
	if err != nil {
		return Statement{}, Summary{}, err
	}
	ours := Hello{Period: s.p.Period, From: s.l.self, To: s.p.Counterparty, Through: s.p.Through.UTC(), Genesis: genesis, Summary: st.Summary()}
	if err := s.send(SessionFrame{Kind: FrameHello, Hello: ours}); err != nil {
		return Statement{}, Summary{}, err
	}
	if s.initiator {
		if in, err = s.recv(FrameHello); err != nil {
			return Statement{}, Summary{}, err
		}
	}
	if err := checkParties(ours, in.Hello); err != nil {
		return Statement{}, Summary{}, err
	}
	err = s.l.UpdatePair(ctx, s.p.Counterparty, func(p *Pair) {
		p.Theirs = laterOf(p.Theirs, in.Hello.Through)
		p.Ours, p.Contact = laterOf(p.Ours, ours.Through), s.l.now().UTC()
		if g := in.Hello.Genesis; !g.IsZero() && (p.Genesis.IsZero() || g.Before(p.Genesis)) {
			p.Genesis, p.Cursor = g.UTC(), "" // earlier periods to settle: start over
		}
	})
	if err != nil {
		return Statement{}, Summary{}, err
	}
	return st, in.Hello.Summary, checkWatermarks(ours, in.Hello, period.End)
}

// checkParties refuses a session about another period or pair. Both sides
// run it on the same two hellos, so both refuse.
func checkParties(ours, theirs Hello) error {
	switch {
	case theirs.Period != ours.Period:
		return fmt.Errorf("%w: %s reconciles period %s, %s reconciles period %s",
			ErrProtocol, theirs.From, theirs.Period, ours.From, ours.Period)
	case theirs.From != ours.To || theirs.To != ours.From:
		return fmt.Errorf("%w: hello from %s to %s in a session between %s and %s",
			ErrProtocol, theirs.From, theirs.To, ours.From, ours.To)
	}
	return nil
}

// checkWatermarks refuses to settle a period that either side may still
// see events of: a watermark short of its end. Both sides run it on the
// same two hellos, so both stop.
func checkWatermarks(ours, theirs Hello, end time.Time) error {
	switch {
	case ours.Through.Before(end):
		return fmt.Errorf("%w: period %s: %s has delivered its statuses to %s only up to %s",
			ErrPeriodOpen, ours.Period, ours.From, ours.To, ours.Through.Format(time.RFC3339))
	case theirs.Through.Before(end):
		return fmt.Errorf("%w: period %s: waiting for %s's entries up to %s (delivered up to %s)",
			ErrPeriodOpen, ours.Period, theirs.From, end.Format(time.RFC3339), theirs.Through.Format(time.RFC3339))
	}
	return nil
}

// laterOf returns the later of a and b: a watermark never goes back.
func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b.UTC()
	}
	return a
}

// repair finds the differing entries, trades proofs of the events behind
// the missing ones, restores what the peer proved, and returns this side's
// statement and the peer's summary as they are after.
func (s *session) repair(ctx context.Context) (Statement, Summary, error) {
	d, err := s.diff(ctx)
	if err != nil {
		return Statement{}, Summary{}, err
	}
	mine, err := s.l.proofs(ctx, s.p.Evidence, d.Have, s.p.Limits.MaxProofSize)
	if err != nil {
		return Statement{}, Summary{}, err
	}
	theirs, err := s.swapProofs(mine)
	if err != nil {
		return Statement{}, Summary{}, err
	}
	pin := newPinning(s.p.Period, s.p.Counterparty, d.Need)
	n, err := s.l.restore(ctx, s.p.Evidence, pin, theirs, s.p.Limits.MaxProofSize)
	if err != nil {
		return Statement{}, Summary{}, err
	}
	s.l.log.Debug("settlement entries restored", "period", s.p.Period, "peer", s.p.Counterparty,
		"missing", len(d.Need), "proofs", len(theirs), "restored", n)
	st, err := s.l.Statement(ctx, s.p.Period, s.p.Counterparty)
	if err != nil {
		return Statement{}, Summary{}, err
	}
	in, err := s.swap(SessionFrame{Kind: FrameRecount, Summary: st.Summary()})
	return st, in.Summary, err
}

// diff runs the range reconciliation over the entries as they are now.
func (s *session) diff(ctx context.Context) (Diff, error) {
	items, err := s.l.ItemSet(ctx, s.p.Period, s.p.Counterparty)
	if err != nil {
		return Diff{}, err
	}
	r, err := NewReconciler(items, s.p.Limits.Reconcile)
	if err != nil {
		return Diff{}, err
	}
	return s.c.reconcile(r)
}

// agree trades signatures of st and verdicts on them, and saves st agreed
// only when both verdicts passed.
func (s *session) agree(ctx context.Context, st Statement) (Statement, error) {
	st.Disputes, st.Signatures = nil, nil
	if err := st.Sign(s.p.Self); err != nil {
		return Statement{}, err
	}
	in, err := s.swap(SessionFrame{Kind: FrameSignature, Signature: st.Signatures[0]})
	if err != nil {
		return Statement{}, err
	}
	st.Signatures = append(st.Signatures, in.Signature)
	verr := st.VerifySignature(s.p.Peer)
	verdict, err := s.swap(SessionFrame{Kind: FrameVerdict, Accepted: verr == nil})
	switch {
	case err != nil:
		return Statement{}, err
	case verr != nil:
		return Statement{}, fmt.Errorf("%w: %s's signature of statement %s does not verify with its key: %v",
			ErrForged, s.p.Counterparty, st.Period, verr)
	case !verdict.Accepted:
		return Statement{}, fmt.Errorf("%w: %s refused this node's signature of statement %s (is session.self the key it knows?)",
			ErrForged, s.p.Counterparty, st.Period)
	}
	st.Status = StatusAgreed
	if err := s.l.SaveStatement(ctx, st, s.p.Self.GetPublic(), s.p.Peer); err != nil {
		return Statement{}, err
	}
	return st, nil
}

// dispute reconciles the entries once more, as they are after restoring,
// and saves st disputed with every difference listed.
func (s *session) dispute(ctx context.Context, st Statement) (Statement, error) {
	d, err := s.diff(ctx)
	if err != nil {
		return Statement{}, err
	}
	if d.Empty() {
		return Statement{}, fmt.Errorf("%w: statement digests differ but no entry does", ErrProtocol)
	}
	st.Signatures = nil
	st.ApplyDiff(d)
	st.Status = StatusDisputed
	if err := s.l.SaveStatement(ctx, st, s.p.Self.GetPublic(), s.p.Peer); err != nil {
		return Statement{}, err
	}
	return st, nil
}

// send writes one session frame.
func (s *session) send(f SessionFrame) error {
	b, err := f.MarshalBinary()
	if err != nil {
		return err
	}
	return s.c.write(b)
}

// recv reads one session frame, which must be of kind.
func (s *session) recv(kind FrameKind) (SessionFrame, error) {
	b, err := s.c.readMax(MaxSessionFrame)
	if err != nil {
		return SessionFrame{}, err
	}
	f, err := DecodeSessionFrame(b)
	if err != nil {
		return SessionFrame{}, err
	}
	if f.Kind != kind {
		return SessionFrame{}, fmt.Errorf("%w: %s frame where a %s frame belongs", ErrProtocol, f.Kind, kind)
	}
	return f, nil
}

// swap sends out and receives the peer's frame of the same kind. The
// initiator writes first and the responder reads first, so the two never
// both block in a write on an unbuffered or flow-controlled stream.
func (s *session) swap(out SessionFrame) (SessionFrame, error) {
	if s.initiator {
		if err := s.send(out); err != nil {
			return SessionFrame{}, err
		}
		return s.recv(out.Kind)
	}
	in, err := s.recv(out.Kind)
	if err != nil {
		return SessionFrame{}, err
	}
	return in, s.send(out)
}

// swapProofs sends mine and receives the peer's proofs, the initiator's
// first.
func (s *session) swapProofs(mine [][]byte) ([][]byte, error) {
	if s.initiator {
		if err := s.sendProofs(mine); err != nil {
			return nil, err
		}
		return s.recvProofs()
	}
	theirs, err := s.recvProofs()
	if err != nil {
		return nil, err
	}
	return theirs, s.sendProofs(mine)
}

// sendProofs writes proofs in FrameProofs batches that fit
// MaxSessionFrame, the last one marked Last (and empty when there are
// none).
func (s *session) sendProofs(proofs [][]byte) error {
	const room = MaxSessionFrame - 32 // version, kind, flag, count
	var batch [][]byte
	size := 0
	for _, p := range proofs {
		n := uvarintLen(len(p)) + len(p)
		if size+n > room && len(batch) > 0 {
			if err := s.send(SessionFrame{Kind: FrameProofs, Proofs: batch}); err != nil {
				return err
			}
			batch, size = nil, 0
		}
		batch, size = append(batch, p), size+n
	}
	return s.send(SessionFrame{Kind: FrameProofs, Proofs: batch, Last: true})
}

// recvProofs reads FrameProofs batches up to the one marked Last.
func (s *session) recvProofs() ([][]byte, error) {
	var out [][]byte
	for {
		f, err := s.recv(FrameProofs)
		if err != nil {
			return nil, err
		}
		if !f.Last && len(f.Proofs) == 0 {
			return nil, fmt.Errorf("%w: %s sent an empty batch of proofs that is not the last", ErrProtocol, s.p.Counterparty)
		}
		out = append(out, f.Proofs...)
		if len(out) > s.p.Limits.MaxProofs {
			return nil, fmt.Errorf("%w: %s sent more than %d proofs", ErrProtocol, s.p.Counterparty, s.p.Limits.MaxProofs)
		}
		if f.Last {
			return out, nil
		}
	}
}
