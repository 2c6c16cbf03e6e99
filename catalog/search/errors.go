package search

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers test them with errors.Is; returned errors wrap
// them with the parameter or file they are about.
var (
	// ErrInvalidQuery reports a query that can never succeed: a malformed
	// or foreign cursor, an unknown sort, a negative or inverted price
	// range, or text or filters over the limits. The message names the
	// parameter ("search: invalid query: cursor: malformed").
	ErrInvalidQuery = errors.New("search: invalid query")
	// ErrNoSnapshot reports that Load found no snapshot in the directory.
	ErrNoSnapshot = errors.New("search: no snapshot")
	// ErrCorruptSnapshot reports a snapshot that is truncated, fails its
	// checksum, does not decode, or has an unknown format version.
	ErrCorruptSnapshot = errors.New("search: corrupt snapshot")
)

// invalid returns an ErrInvalidQuery naming param.
func invalid(param, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidQuery, param, fmt.Sprintf(format, args...))
}
