package oidc

import "errors"

// Errors of the package; each is wrapped with what was refused.
var (
	// ErrNotMember refuses a party that is not an active member of the
	// charter in force (unknown, suspended or removed).
	ErrNotMember = errors.New("not an active member of the charter")
	// ErrInvalid refuses malformed or forged input: a bad signature, an
	// expired token, a wrong verifier, an unknown state.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound is an unknown or expired auth request, code or sign-in.
	ErrNotFound = errors.New("not found or expired")
	// ErrBusy refuses an auth request past a client's or an address's
	// budget.
	ErrBusy = errors.New("too many pending sign-ins")
)
