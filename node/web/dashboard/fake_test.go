package dashboard

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/replication"
	"github.com/libp2p/go-libp2p/core/peer"
)

// fakeReplication and fakeAmendments are what the operator page tests
// drive: in-memory state the test sets. Replication progress comes from
// catch-up rounds with connected members, and amendments from the
// federation's libp2p exchange, neither of which these tests open.

// fakeReplication reports the progress the test set per member, and zero
// progress for any other.
type fakeReplication struct {
	mu       sync.Mutex // guards progress
	progress map[peer.ID]replication.Progress
}

var _ Replication = (*fakeReplication)(nil)

func newFakeReplication() *fakeReplication {
	return &fakeReplication{progress: map[peer.ID]replication.Progress{}}
}

func (f *fakeReplication) set(p peer.ID, pr replication.Progress) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.progress[p] = pr
}

func (f *fakeReplication) Progress(p peer.ID) replication.Progress {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.progress[p]
}

// fakeAmendments keeps pending proposals. Propose records the document
// and answers proposeErr when set; SignProposal adds self to the
// proposal's signers and answers signErr when set.
type fakeAmendments struct {
	self string // this node's peer ID, the signer

	mu           sync.Mutex // guards every field below
	proposals    []federation.Proposal
	proposed     []*federation.SignedCharter
	signed       []string // digests SignProposal was called with
	proposeErr   error
	signErr      error
	selfProposed int // proposals ProposeSigned took
}

var _ Amendments = (*fakeAmendments)(nil)

func newFakeAmendments(self string) *fakeAmendments { return &fakeAmendments{self: self} }

func (f *fakeAmendments) add(p federation.Proposal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.proposals = append(f.proposals, p)
}

func (f *fakeAmendments) setErrs(propose, sign error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.proposeErr, f.signErr = propose, sign
}

// calls returns the documents proposed and the digests signed so far.
func (f *fakeAmendments) calls() ([]*federation.SignedCharter, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.proposed), slices.Clone(f.signed)
}

func (f *fakeAmendments) Proposals() []federation.Proposal {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.proposals)
}

func (f *fakeAmendments) Propose(_ context.Context, sc *federation.SignedCharter) (federation.Proposal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.proposed = append(f.proposed, sc)
	if f.proposeErr != nil {
		return federation.Proposal{}, f.proposeErr
	}
	p := federation.Proposal{Charter: sc, Digest: sc.Charter.Digest()}
	f.proposals = append(f.proposals, p)
	return p, nil
}

// ProposeSigned records the document as proposed with this node's
// signature: it lists this node among the signers.
func (f *fakeAmendments) ProposeSigned(ctx context.Context, sc *federation.SignedCharter) (federation.Proposal, error) {
	p, err := f.Propose(ctx, sc)
	if err != nil {
		return p, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.selfProposed++
	i := len(f.proposals) - 1
	f.proposals[i].Signers = append(f.proposals[i].Signers, f.self)
	return f.proposals[i], nil
}

func (f *fakeAmendments) SignProposal(_ context.Context, digest string) (federation.Proposal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.signed = append(f.signed, digest)
	if f.signErr != nil {
		return federation.Proposal{}, f.signErr
	}
	for i, p := range f.proposals {
		if p.Digest == digest {
			if !slices.Contains(p.Signers, f.self) {
				f.proposals[i].Signers = append(slices.Clone(p.Signers), f.self)
			}
			return f.proposals[i], nil
		}
	}
	return federation.Proposal{}, fmt.Errorf("%w: no proposal %s", federation.ErrInvalid, digest)
}
