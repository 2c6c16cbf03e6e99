package catalog

import (
	"errors"
	"time"
)

// Errors returned by the catalog. Callers test them with errors.Is; the
// wrapped message names the field, listing, origin or seq at fault.
var (
	// ErrInvalid marks malformed input: a listing field (see ValidationError),
	// a listing id, a merchant name, or a record that is not well formed.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound is returned for an unknown merchant, token or listing, for
	// a taken-down listing, and for a listing that belongs to another merchant.
	ErrNotFound = errors.New("not found")
	// ErrConflict marks a record that contradicts a stored one: the same
	// origin and seq, or the same listing version, signed with other content,
	// or a change to a listing after its takedown.
	ErrConflict = errors.New("conflict")
	// ErrForged marks a record whose signature does not verify, or that is
	// signed by a key other than its origin's.
	ErrForged = errors.New("forged record")
	// ErrTooLarge marks a record over Config.MaxRecordBytes.
	ErrTooLarge = errors.New("record too large")
	// ErrNotMember marks a record whose origin is not an active member.
	ErrNotMember = errors.New("origin is not a member")
	// ErrStale marks a record older than the one stored for its listing
	// and kind; it was superseded and is not stored.
	ErrStale = errors.New("stale record")
	// ErrDuplicate marks a record that is already stored. Callers treat it
	// as a no-op.
	ErrDuplicate = errors.New("duplicate record")
	// ErrOutOfStock marks a take of more units than a SKU has available
	// (see ShortError).
	ErrOutOfStock = errors.New("out of stock")
	// ErrQuota marks a listing over its origin's or merchant's quota (see
	// Config.MaxListings). A replicated record refused for it is valid and
	// still moves its origin's marks, like a stale one: it is just not held.
	ErrQuota = errors.New("over the listing quota")
	// ErrUnavailable marks a write refused while a catalog restored from a
	// backup has not yet learnt its own records back from a member (see
	// MarkRestored).
	ErrUnavailable = errors.New("catalog catching up after a restore")
	// ErrSuspended marks a merchant the operator suspended: its token is
	// refused (MerchantByToken) until it is reinstated. It is also an
	// ErrNotFound, so that a caller that only knows "no such merchant"
	// turns a suspended merchant away all the same.
	ErrSuspended error = suspendedError{}
	// ErrNotAllowed marks a federation page or article whose origin the
	// charter does not let publish them. A replicated record refused for
	// it is valid and moves its origin's marks, like one over quota, but
	// it is neither held nor relayed.
	ErrNotAllowed = errors.New("not allowed by the charter")
	// ErrEarly marks another member's record dated more than MaxClockSkew
	// ahead of this node's clock. Nothing of it is stored and no mark
	// moves, as for a refusal; but the record is not held against the
	// member that relayed it, since it becomes acceptable once this
	// node's clock gets there, and a later catch-up brings it.
	ErrEarly = errors.New("record dated ahead of this node's clock")
)

// MaxClockSkew is how far ahead of this node's clock another member's
// record may be dated: the allowance order messages have too. A record's
// time is its origin's claim, and the storefront sorts by it (newest
// first, reviews, pages); without a bound, a member could date its
// listings a year ahead and stay at the top of every "newest" list.
const MaxClockSkew = 5 * time.Minute

// suspendedError is ErrSuspended: an ErrNotFound with its own words.
type suspendedError struct{}

func (suspendedError) Error() string { return "merchant suspended" }

// Is makes ErrSuspended an ErrNotFound.
func (suspendedError) Is(target error) bool { return target == ErrNotFound }

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// Skipped reports whether Apply's err is a valid record this catalog does
// not hold (stale, duplicate, over quota, in a category it does not hold): its origin's marks move on and
// it is not relayed, but nothing is wrong with it.
func Skipped(err error) bool {
	return errors.Is(err, ErrStale) || errors.Is(err, ErrAway) || errors.Is(err, ErrDuplicate) || errors.Is(err, ErrQuota) || errors.Is(err, ErrNotAllowed)
}
