package media

import "errors"

// Errors returned by the store and the service. Callers test them with
// errors.Is; the wrapped message says what was wrong with the file.
var (
	// ErrTooLarge marks a file over Config.MaxUploadBytes, or a member's
	// answer over MaxCanonicalBytes.
	ErrTooLarge = errors.New("picture too large")
	// ErrUnsupported marks bytes that are not a JPEG, PNG or WebP image,
	// whatever their name or declared type.
	ErrUnsupported = errors.New("not a JPEG, PNG or WebP picture")
	// ErrInvalid marks a picture that does not decode (cut short,
	// corrupt), has no pixels, or has more than Config.MaxPixels; and a
	// malformed hash or size name.
	ErrInvalid = errors.New("invalid picture")
	// ErrNotFound marks a picture this node does not hold and could not
	// fetch: no live listing shows it, or no member that lists it handed
	// it out.
	ErrNotFound = errors.New("picture not found")
	// ErrQuota marks an upload past the merchant's Config.MerchantBytes.
	ErrQuota = errors.New("over the merchant's picture quota")
	// ErrMismatch marks bytes a member handed out whose SHA-256 is not the
	// hash asked for, or that are not a canonical picture; nothing of
	// them is kept.
	ErrMismatch = errors.New("picture does not match its hash")
	// ErrBudget marks a fetch or a hand-out refused because a client or a
	// member spent its budget.
	ErrBudget = errors.New("over the picture budget")
)
