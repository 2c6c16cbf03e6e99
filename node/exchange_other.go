//go:build !linux

package node

import "errors"

// exchange is not available here: Restore falls back to two renames.
func exchange(string, string) error { return errors.New("no atomic exchange of names on this system") }
