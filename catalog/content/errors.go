package content

import (
	"errors"
	"strings"
)

// Errors of the content store. Callers test them with errors.Is.
var (
	// ErrInvalid marks input that is not a valid doc (see ValidationError).
	ErrInvalid = errors.New("invalid")
	// ErrNotFound marks an unknown doc or version.
	ErrNotFound = errors.New("not found")
	// ErrConflict marks a slug another doc of the same kind already uses.
	ErrConflict = errors.New("conflict")
)

// FieldError is one problem with one field of a doc.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists what is wrong with a doc, field by field. It is
// an ErrInvalid, or an ErrConflict when a slug is taken.
type ValidationError struct {
	Errors   []FieldError
	conflict bool
}

// Error joins the problems into one line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("invalid input: ")
	for i, f := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + ": " + f.Message)
	}
	return b.String()
}

// Is makes a ValidationError an ErrInvalid, or an ErrConflict for a taken
// slug.
func (e *ValidationError) Is(target error) bool {
	if e.conflict {
		return target == ErrConflict
	}
	return target == ErrInvalid
}

// fields collects FieldErrors.
type fields []FieldError

func (f *fields) add(field, msg string) { *f = append(*f, FieldError{Field: field, Message: msg}) }

func (f fields) err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Errors: f}
}
