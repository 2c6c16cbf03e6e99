package federation

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Proposal is a charter amendment gathering signatures: the next version
// of the charter, with every valid signature of a voter collected so far.
// It takes force (and stops being a proposal) once more than two thirds of
// the current version's active members have signed it.
//
// A proposal lives on every member that has heard of it, keyed by its
// digest. Members merge the signatures they learn (union by signer) and pass
// a copy on whenever it gained one, so every member converges on the same
// set; the first member to see a supermajority applies the version as if it
// had been submitted, and the charter exchange carries it to the rest. Every
// member drops the proposals that no longer follow the charter in force.
type Proposal struct {
	// Charter is the proposed version with the signatures gathered.
	Charter *SignedCharter `json:"charter"`
	// Digest is the proposed charter's digest, which names the proposal.
	Digest string `json:"digest"`
	// Signers are the current version's active members who have signed.
	Signers []string `json:"signers"`
	// Voters are the current version's active members.
	Voters []string `json:"voters"`
	// Needed is how many voters must sign for it to take force.
	Needed int `json:"needed"`
	// ReceivedAt is when this node first heard of it.
	ReceivedAt time.Time `json:"received_at"`
}

// Carried reports whether enough voters have signed. A carried proposal has
// taken force: Propose and SignProposal return one when their signature
// completed the supermajority.
func (p Proposal) Carried() bool { return p.Needed > 0 && len(p.Signers) >= p.Needed }

// MaxProposals bounds the amendments a node keeps pending at once; another
// one is refused with ErrTooManyProposals until one takes force or lapses
// (a charter version is applied and it no longer follows it).
const MaxProposals = 16

// Proposals lists the pending amendments, oldest first.
func (f *Federation) Proposals() []Proposal {
	cur := f.charter.Load()
	if cur == nil {
		return nil
	}
	var out []Proposal
	for _, h := range f.proposals.list() {
		// A version applied a moment ago may not have pruned the book yet.
		if checkSuccession(&cur.Charter, &h.sc.Charter) != nil {
			continue
		}
		out = append(out, proposalView(&cur.Charter, h))
	}
	return out
}

// Propose accepts a proposed next version of the charter: it must be valid
// and follow the charter in force, and every signature on it must verify and
// come from an active member of the current version (a voter). It needs at
// least one signature and may have fewer than take force; a pending proposal
// with the same digest gains its signatures. The proposal is kept (it
// survives a restart) and sent to every connected member. If it now carries
// a supermajority it takes force at once, as through Submit, and the
// returned proposal is Carried.
func (f *Federation) Propose(ctx context.Context, sc *SignedCharter) (Proposal, error) {
	if sc == nil {
		return Proposal{}, fmt.Errorf("%w: proposal: no charter", ErrInvalid)
	}
	f.applyMu.Lock()
	res, err := f.offerLocked(sc)
	f.applyMu.Unlock()
	if err != nil {
		return Proposal{}, err
	}
	// The operator's request may end (a closed tab) before every member
	// heard: the sending does not end with it.
	f.announce(context.WithoutCancel(ctx), res, "")
	return res.view, nil
}

// SignProposal adds this node's signature to the pending amendment named by
// digest, keeps it, sends it on, and applies it if that makes a
// supermajority. An unknown digest is ErrNoProposal; a node that is not an
// active member of the current version has no vote (ErrNotMember). A node
// signs at most one of rival amendments to the same version (ErrVersion
// for the second), so that two rivals can never both take force. Signing
// one it signed already changes nothing.
func (f *Federation) SignProposal(ctx context.Context, digest string) (Proposal, error) {
	f.applyMu.Lock()
	res, err := f.signLocked(digest)
	f.applyMu.Unlock()
	if err != nil {
		return Proposal{}, err
	}
	f.announce(context.WithoutCancel(ctx), res, "")
	return res.view, nil
}

// ProposeSigned is Propose with this node's signature added first, when it
// is not on sc yet: an operator proposes an amendment drafted with
// `fedmart charter amend` without signing it offline. The same rules as
// SignProposal hold: a node that is not an active member has no vote
// (ErrNotMember), and a node signs one of rival amendments (ErrVersion).
func (f *Federation) ProposeSigned(ctx context.Context, sc *SignedCharter) (Proposal, error) {
	if sc == nil {
		return Proposal{}, fmt.Errorf("%w: proposal: no charter", ErrInvalid)
	}
	f.applyMu.Lock()
	res, err := f.signAndOfferLocked(sc)
	f.applyMu.Unlock()
	if err != nil {
		return Proposal{}, err
	}
	f.announce(context.WithoutCancel(ctx), res, "")
	return res.view, nil
}

func (f *Federation) signAndOfferLocked(sc *SignedCharter) (offerResult, error) {
	cur := f.charter.Load()
	if cur == nil {
		return offerResult{}, ErrNoCharter
	}
	if !cur.Charter.IsActive(f.self) {
		return offerResult{}, fmt.Errorf("federation: proposing: this node (%s) is not an active member of charter version %d and has no vote: %w",
			f.self, cur.Charter.Version, ErrNotMember)
	}
	if slices.ContainsFunc(sc.Signatures, func(s Signature) bool { return s.PeerID == f.self.String() }) {
		return f.offerLocked(sc)
	}
	if err := checkSuccession(&cur.Charter, &sc.Charter); err != nil {
		return offerResult{}, err
	}
	if rival, ok := f.signedRival(sc); ok {
		return offerResult{}, fmt.Errorf("federation: proposing: this node signed amendment %s for version %d already, and a member signs one amendment per version, so that two can never both take force: %w",
			rival, sc.Charter.Version, ErrVersion)
	}
	signed := cloneSigned(sc)
	if err := signed.Sign(f.key); err != nil {
		return offerResult{}, err
	}
	return f.offerLocked(signed)
}

// offerResult is what merging one copy of a proposal did.
type offerResult struct {
	view    Proposal       // the proposal after the merge
	signed  *SignedCharter // the merged copy, to send on
	changed bool           // a new proposal or a new signature was learnt
	applied bool           // it carried and is now the charter in force
}

func (f *Federation) signLocked(digest string) (offerResult, error) {
	cur := f.charter.Load()
	if cur == nil {
		return offerResult{}, ErrNoCharter
	}
	h, ok := f.proposals.get(digest)
	if !ok || checkSuccession(&cur.Charter, &h.sc.Charter) != nil {
		return offerResult{}, fmt.Errorf("federation: amendment %s: %w", digest, ErrNoProposal)
	}
	if !cur.Charter.IsActive(f.self) {
		return offerResult{}, fmt.Errorf("federation: signing amendment %s: this node (%s) is not an active member of charter version %d and has no vote: %w",
			digest, f.self, cur.Charter.Version, ErrNotMember)
	}
	if rival, ok := f.signedRival(h.sc); ok {
		return offerResult{}, fmt.Errorf("federation: signing amendment %s: this node signed amendment %s for version %d already, and a member signs one amendment per version, so that two can never both take force: %w",
			digest, rival, h.sc.Charter.Version, ErrVersion)
	}
	sc := cloneSigned(h.sc)
	if err := sc.Sign(f.key); err != nil {
		return offerResult{}, err
	}
	return f.offerLocked(sc)
}

// MaxProposalsPerSigner is how many pending proposals one member's
// signature may carry before a new proposal signed by it alone is refused,
// so that a single member cannot fill every slot and block the others'
// amendments (one to suspend it included).
const MaxProposalsPerSigner = 4

// signersBusy reports whether every signer of sc already signs
// MaxProposalsPerSigner pending proposals.
func (f *Federation) signersBusy(sc *SignedCharter) bool {
	count := map[string]int{}
	for _, h := range f.proposals.list() {
		for _, s := range h.sc.Signatures {
			count[s.PeerID]++
		}
	}
	for _, s := range sc.Signatures {
		if count[s.PeerID] < MaxProposalsPerSigner {
			return false
		}
	}
	return true
}

// signedRival returns the digest of another pending proposal for the same
// version that this node has signed, if any.
func (f *Federation) signedRival(sc *SignedCharter) (string, bool) {
	digest, self := sc.Charter.Digest(), f.self.String()
	for _, h := range f.proposals.list() {
		d := h.sc.Charter.Digest()
		if d == digest || h.sc.Charter.Version != sc.Charter.Version {
			continue
		}
		if slices.ContainsFunc(h.sc.Signatures, func(s Signature) bool { return s.PeerID == self }) {
			return d, true
		}
	}
	return "", false
}

// offerLocked checks sc against the charter in force, merges it into the
// pending set and applies it if it carries. Caller holds applyMu.
func (f *Federation) offerLocked(sc *SignedCharter) (offerResult, error) {
	cur := f.charter.Load()
	if cur == nil {
		return offerResult{}, ErrNoCharter
	}
	if err := checkProposal(&cur.Charter, sc); err != nil {
		return offerResult{}, err
	}
	digest := sc.Charter.Digest()
	h, held := f.proposals.get(digest)
	res := offerResult{changed: true}
	switch {
	case held:
		h.sc, res.changed = mergeSignatures(h.sc, sc)
	case f.proposals.len() >= MaxProposals:
		return offerResult{}, fmt.Errorf("federation: amendment %s: %d are pending already, the most a node keeps; sign one or wait until a version is applied: %w",
			digest, MaxProposals, ErrTooManyProposals)
	case f.signersBusy(sc):
		return offerResult{}, fmt.Errorf("federation: amendment %s: each of its signers has signed %d pending amendments already, the most one member may keep pending; sign one of those or wait until a version is applied: %w",
			digest, MaxProposalsPerSigner, ErrTooManyProposals)
	default:
		h = heldProposal{sc: sortedSignatures(sc), receivedAt: time.Now().UTC()}
	}
	if res.changed {
		if n := len(h.sc.Marshal()); n > MaxCharterBytes {
			return offerResult{}, fmt.Errorf("%w: amendment %s: with its signatures it is %d bytes, more than the %d allowed", ErrInvalid, digest, n, MaxCharterBytes)
		}
		if err := f.proposals.put(digest, h); err != nil {
			return offerResult{}, err
		}
	}
	res.view, res.signed = proposalView(&cur.Charter, h), h.sc
	if res.view.Carried() {
		if err := f.verifyAndApply(h.sc, false); err != nil { // apply drops it from the pending set
			return offerResult{}, err
		}
		res.applied = true
	}
	return res, nil
}

// announce tells the other members what a merge changed: a version that
// took force goes out through the charter exchange, a proposal that gained a
// signature to every connected member but the one it came from.
func (f *Federation) announce(ctx context.Context, res offerResult, from peer.ID) {
	switch {
	case res.applied:
		f.spread(ctx)
	case res.changed:
		f.forward(ctx, res.signed, from)
	}
}

// checkProposal verifies sc as a candidate successor of cur: a valid body
// that follows cur, with at least one signature, every one of which verifies
// and comes from an active member of cur. The error names the field and the
// signer at fault, and wraps ErrInvalid (with ErrBadSignature or
// ErrForeignSigner for a signature).
func checkProposal(cur *Charter, sc *SignedCharter) error {
	if err := sc.Charter.Validate(); err != nil {
		return err
	}
	if err := checkSuccession(cur, &sc.Charter); err != nil {
		return err
	}
	if len(sc.Signatures) == 0 {
		return fmt.Errorf("%w: signatures: an amendment is proposed with at least one voter's signature", ErrInvalid)
	}
	msg := signedBytes(&sc.Charter)
	seen := make(map[peer.ID]bool, len(sc.Signatures))
	for i, s := range sc.Signatures {
		field := fmt.Sprintf("signatures[%d]", i)
		id, err := peer.Decode(s.PeerID)
		if err != nil {
			return fmt.Errorf("%w: %s.peer_id: %q is not a peer ID", ErrInvalid, field, s.PeerID)
		}
		if seen[id] {
			return fmt.Errorf("%w: %s: %s signed twice", ErrInvalid, field, s.PeerID)
		}
		seen[id] = true
		if !cur.IsActive(id) {
			return fmt.Errorf("%w: %w: %s: signer %s (%s) is not an active member of charter version %d and has no vote",
				ErrInvalid, ErrForeignSigner, field, s.PeerID, memberName(&sc.Charter, cur, id), cur.Version)
		}
		if err := verifyOne(id, s.Signature, msg); err != nil {
			return fmt.Errorf("%w: %w: %s: signature of %s (%s): %v", ErrInvalid, ErrBadSignature, field, s.PeerID, memberName(&sc.Charter, cur, id), err)
		}
	}
	return nil
}

// proposalView describes a held proposal against the charter in force.
func proposalView(cur *Charter, h heldProposal) Proposal {
	signed := make(map[string]bool, len(h.sc.Signatures))
	for _, s := range h.sc.Signatures {
		signed[s.PeerID] = true
	}
	p := Proposal{Charter: cloneSigned(h.sc), Digest: h.sc.Charter.Digest(), Signers: []string{}, Voters: []string{}, ReceivedAt: h.receivedAt}
	for _, m := range cur.ActiveMembers() {
		p.Voters = append(p.Voters, m.PeerID)
		if signed[m.PeerID] {
			p.Signers = append(p.Signers, m.PeerID)
		}
	}
	slices.Sort(p.Voters)
	slices.Sort(p.Signers)
	p.Needed = needed(len(p.Voters))
	return p
}

// mergeSignatures returns held with the signatures of in that it lacks, and
// whether there were any. Both must carry the same body. held is not changed.
func mergeSignatures(held, in *SignedCharter) (*SignedCharter, bool) {
	out := cloneSigned(held)
	have := make(map[string]bool, len(held.Signatures))
	for _, s := range held.Signatures {
		have[s.PeerID] = true
	}
	changed := false
	for _, s := range in.Signatures {
		if !have[s.PeerID] {
			out.Signatures = append(out.Signatures, s)
			have[s.PeerID] = true
			changed = true
		}
	}
	return sortedSignatures(out), changed
}

// hasNewSignatures reports whether in carries a signer that held lacks.
func hasNewSignatures(held, in *SignedCharter) bool {
	_, changed := mergeSignatures(held, in)
	return changed
}

// sortedSignatures returns a copy of sc with its signatures ordered by
// signer, so that members holding the same set hold the same document.
func sortedSignatures(sc *SignedCharter) *SignedCharter {
	out := cloneSigned(sc)
	slices.SortFunc(out.Signatures, func(a, b Signature) int { return cmp.Compare(a.PeerID, b.PeerID) })
	return out
}

// cloneSigned copies sc deeply enough that changing the copy's signatures,
// members or overrides leaves sc as it was. Held proposals are never changed
// in place; callers get copies.
func cloneSigned(sc *SignedCharter) *SignedCharter {
	out := &SignedCharter{Charter: sc.Charter, Signatures: slices.Clone(sc.Signatures)}
	out.Charter.Members = slices.Clone(sc.Charter.Members)
	for i := range out.Charter.Members {
		out.Charter.Members[i].Addrs = slices.Clone(out.Charter.Members[i].Addrs)
	}
	out.Charter.Policy.Overrides = slices.Clone(sc.Charter.Policy.Overrides)
	return out
}
