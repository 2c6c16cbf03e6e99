package federation

import "errors"

// Errors returned by the federation package. Callers test them with errors.Is;
// the wrapped message names the field, signer or peer at fault.
var (
	// ErrInvalid marks malformed input: a charter field, a config key, a wire message.
	ErrInvalid = errors.New("invalid")
	// ErrBadSignature marks a signature that does not verify.
	ErrBadSignature = errors.New("bad signature")
	// ErrForeignSigner marks a signature by a peer that is not a member.
	ErrForeignSigner = errors.New("foreign signer")
	// ErrTooFewSignatures marks a charter without the signatures its version needs.
	ErrTooFewSignatures = errors.New("too few signatures")
	// ErrVersion marks a charter version that skips, repeats or forks the chain.
	ErrVersion = errors.New("charter version out of sequence")
	// ErrNoCharter is returned when the node holds no valid charter yet.
	ErrNoCharter = errors.New("no charter")
	// ErrNotMember is returned when a peer outside the charter tries to take part.
	ErrNotMember = errors.New("not a federation member")
	// ErrNoProposal is returned for a digest that names no pending amendment.
	ErrNoProposal = errors.New("no such pending amendment")
	// ErrTooManyProposals is returned when MaxProposals amendments are
	// already pending and another is proposed.
	ErrTooManyProposals = errors.New("too many pending amendments")
)
