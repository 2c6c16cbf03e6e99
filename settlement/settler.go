package settlement

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Timing of the Settler: how long after a period's end its first session
// starts (its last statuses are usually delivered by then; the watermarks
// make waiting safe either way), how long the member that does not open a
// pair's sessions waits before it opens one itself, how often the loop
// looks, how often a disputed statement is tried again when nothing
// changed here (from disputeFirstRetry, doubling to disputeRetry), how
// long that member waits after a failed session of its own (between half
// of lateRetry and all of it), and how long one session may take.
const (
	settleGrace       = 2 * time.Second
	settleLate        = 30 * time.Second
	settleEvery       = 2 * time.Second
	disputeFirstRetry = 2 * time.Second
	disputeRetry      = time.Minute
	lateRetry         = 30 * time.Second
	SessionBudget     = 2 * time.Minute
)

// Roster is the federation as settlement sees it now: the active members
// (this node among them) and the charter's treasury and period length.
type Roster struct {
	Members  []Member
	Treasury string
	Length   time.Duration
}

// Member is one active member, with what a waiting note says of it.
type Member struct {
	PeerID    string
	Name      string
	Reachable bool
	LastSeen  time.Time
}

// Federation tells the Settler who settles with whom; the node adapts the
// federation's charter and member states to it.
type Federation interface {
	Roster() (Roster, error)
}

// SessionStream is a stream a session runs over: Close ends it after a
// session, Reset after a failure.
type SessionStream interface {
	io.ReadWriter
	Close() error
	Reset() error
}

// Sessions opens session streams to members; federation/settlewire does it
// over libp2p.
type Sessions interface {
	Open(ctx context.Context, peer string) (SessionStream, error)
}

// StatementSource fetches a member's statements of a period, for netting;
// federation/settlewire does it over libp2p.
type StatementSource interface {
	Statements(ctx context.Context, member, period string) ([]Statement, error)
}

// Watermarks tell how far this node's statuses have reached a member (the
// order service's Watermark).
type Watermarks interface {
	Watermark(ctx context.Context, peer string) (time.Time, error)
}

// SettlerDeps are what a Settler works with.
type SettlerDeps struct {
	Ledger     *Ledger
	Key        crypto.PrivKey // signs agreed statements
	Federation Federation
	Sessions   Sessions
	Statements StatementSource
	Watermarks Watermarks
	Evidence   Evidence
	// MaxProofSize bounds one proof (see SessionLimits).
	MaxProofSize int
	Log          *slog.Logger
	Now          func() time.Time
}

// Settler settles every period with every member. Of each pair the
// member with the smaller peer ID opens the sessions, oldest unsettled
// period first; a period settles once both members' watermarks passed its
// end (see the package comment). Empty periods are settled like any other,
// so that every pair signs every period. The other member opens a session
// too for a period it still holds unsettled half a minute after its end:
// the opener may be down, may have settled it before this member lost it
// to a restore, or may have saved it agreed from a session whose last
// frame this member never got. One session runs with a member at a time,
// so two members that both opened every round would refuse each other's
// sessions for as long as their rounds overlapped: after a session of
// its own fails, this member waits 15 to 30 s (lateRetry) before its
// next, leaving the opener's rounds free. A disputed
// statement is tried again when new entries arrive here, or after a
// wait that starts at two seconds and doubles to a minute: a dispute over
// an entry still on its way there (an outbox draining after a restart)
// clears within seconds, one that stays costs a session a minute.
//
// Lifecycle: NewSettler, then Run(ctx) until the node stops; Answer serves
// the sessions members open; the view methods (Periods, Statements,
// Netting...) serve the API and pages.
type Settler struct {
	d    SettlerDeps
	self string
	wake chan struct{}

	mu    sync.Mutex                    // guards tried, busy and late
	tried map[string]map[string]retried // peer -> period -> the sessions run again for a disputed statement
	busy  map[string]bool               // peers a session runs with now, opened by either side
	late  map[string]time.Time          // peer -> when this side may open a session with it again

	failing failingMembers // touched by round alone
}

// retried is when a disputed statement's session last ran again, and how
// many times in a row it did with nothing new here.
type retried struct {
	at time.Time
	n  int
}

// disputeWait is how long a disputed statement waits, after n sessions
// in a row with nothing new here, before it runs another.
func disputeWait(n int) time.Duration {
	return min(disputeFirstRetry<<min(n, 8), disputeRetry)
}

// NewSettler returns a settler; Run starts its loop.
func NewSettler(d SettlerDeps) *Settler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Settler{d: d, self: d.Ledger.Self(), wake: make(chan struct{}, 1), tried: map[string]map[string]retried{}, busy: map[string]bool{}, late: map[string]time.Time{},
		failing: failingMembers{}}
}

// errBusy refuses a second session with a member while one runs: two at
// once (each side opening one) would save the same statements from both.
var errBusy = errors.New("a settlement session with this member is running")

// claim marks a session with peer as running, unless one is.
func (s *Settler) claim(peer string) (func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy[peer] {
		return nil, errBusy
	}
	s.busy[peer] = true
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.busy, peer)
	}, nil
}

// Nudge makes the loop look now.
func (s *Settler) Nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run settles until ctx ends.
func (s *Settler) Run(ctx context.Context) error {
	t := time.NewTicker(settleEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.wake:
		}
		if err := s.round(ctx); err != nil && ctx.Err() == nil {
			s.d.Log.Debug("settlement: round incomplete", "err", err)
		}
	}
}

// failWarnAfter is how long a member's periods fail to settle before the
// log warns, and failWarnEvery how often, at most, it warns again: a
// period that waits a few seconds for a watermark after its end (an
// outbox draining) is no news.
const (
	failWarnAfter = time.Minute
	failWarnEvery = time.Minute
)

// stuck is a member whose periods this node failed to settle in the
// rounds that tried, since the last that did not fail.
type stuck struct {
	since  time.Time // the first failure
	n      int       // the failed rounds
	warned time.Time // zero: no warning yet
}

// failingMembers is the members whose periods do not settle, by peer ID,
// so that the log says so without a line every two seconds: a member's
// failed rounds are only in round's debug line (a member restarting, a
// session cut, a watermark not yet past a period's end) until they have
// gone on for a minute; then the log warns, and again once a minute
// while they go on, and the member's first round to settle after a
// warning says so. A round that waits (latePair after a failure,
// disputes between tries) tells nothing either way. A member that leaves
// the roster leaves the map (forget).
type failingMembers map[string]*stuck

func (f failingMembers) note(log *slog.Logger, m Member, err error, now time.Time) {
	st := f[m.PeerID]
	if err == nil {
		if st != nil && !st.warned.IsZero() {
			log.Info("settlement: periods with a member settle again", "member", m.Name, "peer", m.PeerID, "failed_rounds", st.n)
		}
		delete(f, m.PeerID)
		return
	}
	if st == nil {
		st = &stuck{since: now}
		f[m.PeerID] = st
	}
	st.n++
	if now.Sub(st.since) < failWarnAfter || now.Sub(st.warned) < failWarnEvery {
		return
	}
	st.warned = now
	log.Warn("settlement: periods with a member cannot settle", "member", m.Name, "peer", m.PeerID,
		"failed_rounds", st.n, "since", st.since.UTC(), "err", err)
}

// round settles with every member. Its error names each member whose
// periods it could not settle, and the log warns of one that stays so
// (failingMembers). Run calls it, or a test, on one goroutine.
func (s *Settler) round(ctx context.Context) error {
	r, err := s.d.Federation.Roster()
	if err != nil {
		return fmt.Errorf("reading the roster: %w", err)
	}
	s.forget(r)
	var errs []error
	for _, m := range r.Members {
		var err error
		switch {
		case m.PeerID == s.self:
			continue
		case m.PeerID < s.self: // the other side opens
			err = s.latePair(ctx, m.PeerID, r.Length)
		default:
			err = opened(s.pair(ctx, m.PeerID, r.Length, settleGrace), s.disputes(ctx, m.PeerID, r.Length))
		}
		if errors.Is(err, errWaiting) || ctx.Err() != nil {
			continue
		}
		s.failing.note(s.d.Log, m, err, s.d.Now())
		if err != nil {
			errs = append(errs, fmt.Errorf("with %s (%s): %w", m.Name, m.PeerID, err))
		}
	}
	return errors.Join(errs...)
}

// forget drops what the settler keeps of members that left the roster:
// a member that rejoins starts afresh, its first failed round no warning
// and its first session not held back by a wait from before.
func (s *Settler) forget(r Roster) {
	in := make(map[string]bool, len(r.Members))
	for _, m := range r.Members {
		in[m.PeerID] = true
	}
	keepOnly(s.failing, in)
	s.mu.Lock()
	defer s.mu.Unlock()
	keepOnly(s.tried, in)
	keepOnly(s.late, in)
}

// keepOnly deletes m's entries whose peer is not in in.
func keepOnly[V any](m map[string]V, in map[string]bool) {
	maps.DeleteFunc(m, func(id string, _ V) bool { return !in[id] })
}

// errWaiting is latePair's answer while it waits after a failed session,
// and disputes' while its disputes wait for their next try.
var errWaiting = errors.New("waiting to try again")

// opened is how a round of the side that opens went, from its pair's
// error and its disputes': waiting only when the pair settled or had
// nothing to settle and the disputes wait.
func opened(pairErr, disputesErr error) error {
	if errors.Is(disputesErr, errWaiting) {
		return cmp.Or(pairErr, disputesErr)
	}
	return errors.Join(pairErr, disputesErr)
}

// latePair settles the periods that ended at least settleLate ago with
// member id, the one that opens the pair's sessions. After a session of
// this node's fails, it opens none for a random half to whole lateRetry,
// and answers errWaiting meanwhile.
func (s *Settler) latePair(ctx context.Context, id string, length time.Duration) error {
	s.mu.Lock()
	due := !s.d.Now().Before(s.late[id])
	s.mu.Unlock()
	if !due {
		return errWaiting
	}
	err := s.pair(ctx, id, length, settleLate)
	if err != nil {
		s.mu.Lock()
		s.late[id] = s.d.Now().Add(lateRetry/2 + rand.N(lateRetry/2))
		s.mu.Unlock()
	}
	return err
}

// pair settles the periods with member id that ended at least after ago,
// from the pair's cursor on, and stops at the first it cannot settle yet.
func (s *Settler) pair(ctx context.Context, id string, length, after time.Duration) error {
	l := s.d.Ledger
	start, err := l.Start(ctx, id)
	if err != nil {
		return err
	}
	periods, err := l.PeriodsFrom(ctx, start, length)
	if err != nil {
		return err
	}
	p, err := l.Pair(ctx, id)
	if err != nil {
		return err
	}
	ended := s.d.Now().Add(-after)
	cursor := p.Cursor
	for _, per := range periods {
		if per.End.After(ended) {
			return nil
		}
		if per.Name < cursor { // names of one length sort by time
			continue
		}
		st, err := l.Statement(ctx, per.Name, id)
		if err != nil {
			return err
		}
		if st.Status == StatusOpen {
			if _, err := s.session(ctx, id, per.Name, length); err != nil {
				return err
			}
		}
		// The cursor moves on only from where this loop found it, and not
		// past a start that moved back meanwhile (an earlier genesis, ours
		// or theirs, resets it): the next round starts over from the new
		// start.
		next, moved := per.Next().Name, false
		err = l.UpdatePair(ctx, id, func(p *Pair) {
			if p.Cursor == cursor {
				p.Cursor, moved = next, true
			}
		})
		if err != nil || !moved {
			return err
		}
		now, err := l.Start(ctx, id)
		if err != nil {
			return err
		}
		if PeriodOf(now, length).Start.Before(PeriodOf(start, length).Start) {
			return l.UpdatePair(ctx, id, func(p *Pair) { p.Cursor = "" })
		}
		cursor = next
	}
	return nil
}

// disputes runs a disputed period's session again when new entries
// arrived here, or a while after the last try (they may have arrived
// there): a dispute settles by itself when new evidence does. It answers
// errWaiting when there are disputes and none was due.
func (s *Settler) disputes(ctx context.Context, id string, length time.Duration) error {
	list, err := s.d.Ledger.Disputed(ctx, id)
	if err != nil {
		return err
	}
	tried := s.stillDisputed(id, list)
	var errs []error
	ran := false
	for _, saved := range list {
		st, err := s.d.Ledger.Statement(ctx, saved.Period, id)
		if err != nil {
			return err
		}
		s.mu.Lock()
		r := tried[saved.Period]
		changed := st.Digest != saved.Digest
		now := s.d.Now()
		due := changed || now.Sub(r.at) > disputeWait(r.n)
		if due {
			n := r.n + 1
			if changed {
				n = 0 // news here: the waits start again from the first
			}
			tried[saved.Period] = retried{at: now, n: n}
		}
		s.mu.Unlock()
		if due {
			_, err := s.session(ctx, id, saved.Period, length)
			errs = append(errs, err)
			ran = true
		}
	}
	if len(list) > 0 && !ran {
		return errWaiting
	}
	return errors.Join(errs...)
}

// stillDisputed returns the tries of member id's disputed statements,
// keeping only those of list: a statement no longer disputed leaves.
func (s *Settler) stillDisputed(id string, list []Statement) map[string]retried {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(list) == 0 {
		delete(s.tried, id)
		return nil
	}
	old, tried := s.tried[id], make(map[string]retried, len(list))
	for _, st := range list {
		if r, ok := old[st.Period]; ok {
			tried[st.Period] = r
		}
	}
	s.tried[id] = tried
	return tried
}

// Settle runs one session of period with member id as its initiator, now,
// and records how it went in the pair.
func (s *Settler) Settle(ctx context.Context, id, period string) (Statement, error) {
	r, err := s.d.Federation.Roster()
	if err != nil {
		return Statement{}, err
	}
	return s.session(ctx, id, period, r.Length)
}

// session runs one session of period with member id as its initiator and
// records how it went in the pair.
func (s *Settler) session(ctx context.Context, id, period string, length time.Duration) (Statement, error) {
	ctx, cancel := context.WithTimeout(ctx, SessionBudget)
	defer cancel()
	st, err := s.open(ctx, id, period, length)
	now := s.d.Now().UTC()
	msg, before := "", ""
	if err != nil {
		msg = err.Error()
	}
	uerr := s.d.Ledger.UpdatePair(ctx, id, func(p *Pair) { before, p.Attempt, p.Error = p.Error, now, msg })
	if uerr != nil && err == nil {
		err = uerr
	}
	if msg != before && msg != "" && ctx.Err() == nil { // say it once, not every round
		s.d.Log.Info("settlement: period not settled yet", "period", period, "peer", id, "why", msg)
	}
	return st, err
}

func (s *Settler) open(ctx context.Context, id, period string, length time.Duration) (Statement, error) {
	done, err := s.claim(id)
	if err != nil {
		return Statement{}, err
	}
	defer done()
	p, err := s.params(ctx, id, period, length)
	if err != nil {
		return Statement{}, err
	}
	stream, err := s.d.Sessions.Open(ctx, id)
	if err != nil {
		return Statement{}, fmt.Errorf("%w: %v", errUnreachable, err)
	}
	st, err := s.d.Ledger.ReconcilePeriod(ctx, stream, true, p)
	if err != nil {
		_ = stream.Reset()
		return Statement{}, err
	}
	_ = stream.Close() // the statement is saved; the peer may have closed first
	return st, nil
}

// errUnreachable marks a session that could not even start.
var errUnreachable = errors.New("unreachable")

// Answer serves a session member remote opened over rw.
func (s *Settler) Answer(ctx context.Context, remote string, rw io.ReadWriter) error {
	r, err := s.d.Federation.Roster()
	if err != nil {
		return err
	}
	done, err := s.claim(remote)
	if err != nil {
		return err
	}
	defer done()
	p, err := s.params(ctx, remote, "", r.Length)
	if err != nil {
		return err
	}
	if _, err = s.d.Ledger.ReconcilePeriod(ctx, rw, false, p); err != nil && !errors.Is(err, ErrPeriodOpen) {
		s.d.Log.Info("settlement: a session a member opened failed", "peer", remote, "err", err)
	}
	return err
}

// params are the session parameters with member id, this node's
// watermark to it computed now.
func (s *Settler) params(ctx context.Context, id, period string, length time.Duration) (SessionParams, error) {
	pid, err := peer.Decode(id)
	if err != nil {
		return SessionParams{}, fmt.Errorf("%w: member %q: %v", ErrInvalid, id, err)
	}
	pub, err := pid.ExtractPublicKey()
	if err != nil {
		return SessionParams{}, fmt.Errorf("%w: member %q: %v", ErrInvalid, id, err)
	}
	through, err := s.through(ctx, id)
	if err != nil {
		return SessionParams{}, err
	}
	return SessionParams{Period: period, Counterparty: id, Self: s.d.Key, Peer: pub,
		Evidence: s.d.Evidence, Length: length, Through: through,
		Limits: SessionLimits{MaxProofSize: s.d.MaxProofSize}}, nil
}

// through is this node's watermark to member id: how far every status
// this node stated for parts id sold has reached id. With the treasury,
// whose fees are owed on other members' statuses, it is also no later
// than what every other member declared to this node: until then this
// node may still learn of a sale it owes the treasury a fee on.
func (s *Settler) through(ctx context.Context, id string) (time.Time, error) {
	t, err := s.d.Watermarks.Watermark(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	r, err := s.d.Federation.Roster()
	if err != nil {
		return time.Time{}, err
	}
	if id != r.Treasury || s.self == r.Treasury {
		return t, nil
	}
	for _, m := range r.Members {
		if m.PeerID == s.self || m.PeerID == id {
			continue
		}
		got, err := s.d.Ledger.Received(ctx, m.PeerID)
		if err != nil {
			return time.Time{}, err
		}
		if got.Before(t) {
			t = got
		}
	}
	return t, nil
}
