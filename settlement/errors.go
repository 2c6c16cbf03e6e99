package settlement

import "errors"

// Sentinel errors. Callers test them with errors.Is; every returned error
// wraps one of them with the field, id or peer it is about.
var (
	// ErrInvalid reports input that can never be accepted: a malformed
	// policy, event, period name, statement or netting input.
	ErrInvalid = errors.New("settlement: invalid")
	// ErrNotFound reports a period, statement or signature that does not exist.
	ErrNotFound = errors.New("settlement: not found")
	// ErrConflict reports an attempt to rewrite something immutable: an
	// entry id with different content, an event that contradicts an earlier
	// event of the same part, or an agreed statement with a different digest.
	ErrConflict = errors.New("settlement: conflict")
	// ErrCurrency reports amounts in different currencies combined in one
	// computation. It is also an ErrInvalid.
	ErrCurrency = invalidKind("currency mismatch")
	// ErrOverflow reports an amount or balance outside the int64 range.
	ErrOverflow = errors.New("settlement: amount overflow")
	// ErrUnknownPolicy reports an event priced under a policy version the
	// ledger's lookup does not know.
	ErrUnknownPolicy = errors.New("settlement: unknown policy version")
	// ErrForged reports a statement signature that does not verify.
	ErrForged = errors.New("settlement: forged signature")
	// ErrNotAgreed reports a statement used for netting before both parties
	// signed it.
	ErrNotAgreed = errors.New("settlement: statement not agreed")
	// ErrUnbalanced reports stored balances that differ from the balances
	// recomputed from the entries.
	ErrUnbalanced = errors.New("settlement: balances do not match entries")
	// ErrProtocol reports a reconciliation message that is malformed or
	// inconsistent with the protocol state. It is also an ErrInvalid.
	ErrProtocol = invalidKind("reconciliation protocol violation")
	// ErrPeriodOpen reports a reconciliation session about a period that
	// one of the two parties has not closed yet. It is also an ErrConflict:
	// retry once both have closed it.
	ErrPeriodOpen = conflictKind("period not closed")
)

// subKind is a sentinel that is also one of the broad sentinels (ErrInvalid,
// ErrConflict), so that callers translating errors to HTTP statuses need
// only one rule per broad kind.
type subKind struct {
	msg    string
	parent error
}

func invalidKind(msg string) error { return &subKind{msg: msg, parent: ErrInvalid} }

func conflictKind(msg string) error { return &subKind{msg: msg, parent: ErrConflict} }

// Error returns the message with the package prefix.
func (k *subKind) Error() string { return "settlement: " + k.msg }

// Unwrap makes every subKind an instance of its parent sentinel.
func (k *subKind) Unwrap() error { return k.parent }
