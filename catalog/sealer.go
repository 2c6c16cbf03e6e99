package catalog

import (
	"cmp"
	"runtime"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/fedmart/fedmart/internal/cores"
	"github.com/libp2p/go-libp2p/core/crypto"
)

// streamFrom is the number of entries from which a write's deciding hands
// each draft to the signers as soon as it is decided (sealer.stream):
// below it, starting goroutines costs more than the overlap saves.
const streamFrom = 16

// sealer gives one write's drafts this node's next seqs and signs their
// records. A write's drafts come to it in order (add); it signs them all
// at once when the write commits (wait), or, once streamed, each as it is
// added, on goroutines of their own, so that a feed's signatures run on
// the cores its deciding leaves idle instead of after it. It lives under
// the writer lock, in the write's transaction: it reads this node's origin
// state there, on the deciding goroutine, when the first draft with
// something to sign comes.
type sealer struct {
	c     *Catalog
	txn   *badger.Txn
	begun bool
	err   error // from beginning: signing refused, or the origin unread
	st    originState
	t     time.Time
	carry bool

	held []*draft // added, not yet signed (not streamed)
	jobs chan *draft
	wg   sync.WaitGroup

	mu     sync.Mutex // guards failed
	failed error      // the first signature that failed
}

func (c *Catalog) newSealer(txn *badger.Txn) *sealer { return &sealer{c: c, txn: txn} }

// stream makes every draft added from now on start signing at once.
func (s *sealer) stream() {
	if s.jobs != nil {
		return
	}
	jobs := make(chan *draft, 256)
	s.jobs = jobs
	for range max(runtime.GOMAXPROCS(0)-1, 1) { // the deciding goroutine joins them in wait
		s.wg.Go(func() {
			for d := range jobs {
				s.fail(d.seal(s.c.key))
			}
		})
	}
}

// add takes d's seqs, unless it has nothing to sign or has them already.
func (s *sealer) add(d *draft) {
	if !d.changed() || d.recs != nil {
		return
	}
	if !s.begun {
		s.begin()
	}
	if s.err != nil {
		return
	}
	d.records(s.c.self, &s.st.top, s.t, s.carry)
	if s.jobs != nil {
		s.jobs <- d
		return
	}
	s.held = append(s.held, d)
}

func (s *sealer) begin() {
	s.begun = true
	if s.err = s.c.checkSigning(); s.err != nil {
		return
	}
	if s.st, s.err = loadOrigin(s.txn, s.c.self); s.err != nil {
		return
	}
	s.st.top = max(s.st.top, s.st.mark)
	s.t = s.c.now().UTC()
	s.carry = s.c.carryStock.Load() // under wmu: a level lowered meanwhile holds from the next write
}

// wait signs what is held and waits for what streams; it returns the
// first error of either, or of beginning.
func (s *sealer) wait() error {
	s.stop()
	s.sealHeld()
	s.mu.Lock()
	defer s.mu.Unlock()
	return cmp.Or(s.err, s.failed)
}

// fail keeps err if it is the first signature to fail.
func (s *sealer) fail(err error) {
	if err == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = cmp.Or(s.failed, err)
}

// stop signs what streams with the streaming goroutines, which then end.
// A write defers it, so that one that fails leaves none running.
func (s *sealer) stop() {
	if jobs := s.jobs; jobs != nil {
		s.jobs = nil // a panic while signing leaves nothing to close again
		close(jobs)
		for d := range jobs {
			s.fail(d.seal(s.c.key))
		}
	}
	s.wg.Wait()
}

// sealHeld signs the held drafts' records on every core, a record a
// piece: a write of a few listings with two records each still spreads.
func (s *sealer) sealHeld() {
	type piece struct {
		d *draft
		i int
	}
	var pieces []piece
	for _, d := range s.held {
		d.raws = make([][]byte, len(d.recs))
		for i := range d.recs {
			pieces = append(pieces, piece{d, i})
		}
	}
	s.held = nil
	cores.Each(len(pieces), 8, func(k int) {
		p := pieces[k]
		raw, err := seal(p.d.recs[p.i], s.c.key)
		p.d.raws[p.i] = raw
		s.fail(err)
	})
}

// seal signs d's records into d.raws.
func (d *draft) seal(key crypto.PrivKey) error {
	d.raws = make([][]byte, len(d.recs))
	for i, r := range d.recs {
		var err error
		if d.raws[i], err = seal(r, key); err != nil {
			return err
		}
	}
	return nil
}
