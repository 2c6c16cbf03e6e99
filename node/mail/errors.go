package mail

import "errors"

// Errors the package wraps.
var (
	// ErrInvalid: a message or a cursor is malformed; the text names the field.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound: no message has that id.
	ErrNotFound = errors.New("not found")
)
