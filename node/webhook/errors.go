package webhook

import "errors"

// Errors returned by the package. Callers test them with errors.Is; the
// wrapped message says which argument or header part is at fault.
var (
	// ErrInvalid marks bad input: a hook configuration, an event name, a
	// payload that does not encode as JSON, or a malformed cursor.
	ErrInvalid = errors.New("invalid")
	// ErrSignature marks a Fedmart-Signature header that Verify refuses:
	// malformed, outside the time tolerance, or not matching the body.
	ErrSignature = errors.New("webhook signature refused")
)
