package node

import "golang.org/x/sys/unix"

// exchange swaps the names of two directories in one step, so that a
// crash leaves each name on one complete database.
func exchange(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
