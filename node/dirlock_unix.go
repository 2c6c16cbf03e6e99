//go:build !windows && !plan9 && !js && !wasip1 && !aix

package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// lockDatabase takes the lock Badger takes on its directory (flock on the
// directory itself) until release is called, so that no node opens the
// database at dir meanwhile; another process holding it is ErrRunning. A
// directory that does not exist needs no lock.
func lockDatabase(dir string) (release func(), err error) {
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return func() {}, nil
	}
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: another process has %s open; stop the node first", ErrRunning, dir)
		}
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return func() { _ = f.Close() }, nil // closing the file releases the lock
}
