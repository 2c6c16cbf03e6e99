package order

import (
	"errors"
	"fmt"
)

// Code classifies a refusal on the wire, so that the sender can tell a
// message worth sending again from one that never succeeds without reading
// the receiver's words. Codes are numbered and only ever appended; a reply
// without a code (an older node) counts as CodeUnavailable.
type Code int

// The refusal codes.
const (
	// CodeUnavailable: the receiver could not act on the message now
	// (storage, shutting down); the same message may succeed later.
	CodeUnavailable Code = 1
	// CodeInvalid: the message is malformed; it never succeeds.
	CodeInvalid Code = 2
	// CodeForged: the signature or the sender is wrong; it never succeeds.
	CodeForged Code = 3
	// CodeNotFound: the receiver holds no such part or order. It may learn
	// it (a member catching up after a restore), so senders retry for a
	// while (Config.ParkAfter) before they give up.
	CodeNotFound Code = 4
	// CodeConflict: the part belongs to someone else; it never succeeds.
	CodeConflict Code = 5
	// CodeBudget: the sender is over its budget at the receiver (holds,
	// reserves per minute); it may succeed later.
	CodeBudget Code = 6
)

// String names the code for people.
func (c Code) String() string {
	switch c {
	case CodeInvalid:
		return "invalid message"
	case CodeForged:
		return "forged message"
	case CodeNotFound:
		return "unknown part"
	case CodeConflict:
		return "conflict"
	case CodeBudget:
		return "over budget"
	}
	return "unavailable"
}

// permanent reports whether a message refused with c can never succeed.
func (c Code) permanent() bool {
	return c == CodeInvalid || c == CodeForged || c == CodeConflict
}

// codeOf is the code a refusal with err travels under, and the words the
// sender may read: the refusal's own text for refusals this package
// phrases (they name the field, part or line), and nothing of internal
// failures, which stay in this node's log.
func codeOf(err error) (Code, string) {
	for _, c := range []struct {
		target error
		code   Code
	}{{ErrInvalid, CodeInvalid}, {ErrForged, CodeForged}, {ErrNotFound, CodeNotFound}, {ErrConflict, CodeConflict}, {ErrBudget, CodeBudget}} {
		if errors.Is(err, c.target) {
			return c.code, err.Error()
		}
	}
	return CodeUnavailable, CodeUnavailable.String()
}

// RemoteError is a member's refusal of a message this node sent. It wraps
// ErrUnavailable: from where the shopper stands, the home node did not do
// what was asked. Its text names the member and the code, never the
// member's own words, which are kept in Detail for this node's log.
type RemoteError struct {
	Peer   string
	Kind   string
	Code   Code
	Detail string
}

func (e *RemoteError) Error() string {
	return fmt.Sprintf("%s refused the %s: %s", shortPeer(e.Peer), e.Kind, e.Code)
}

// Unwrap makes a refusal an ErrUnavailable.
func (e *RemoteError) Unwrap() error { return ErrUnavailable }
