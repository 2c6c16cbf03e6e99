// Package testwait lets tests wait for what other goroutines, processes
// or federation members make true. It asserts no timing: the timeout only
// bounds how long a test waits before it reports what it saw last.
package testwait

import (
	"testing"
	"time"
)

// poll is the pause between two checks.
const poll = 20 * time.Millisecond

// For calls fn until it returns nil, and fails t with fn's last error
// once timeout has passed.
func For(t testing.TB, timeout time.Duration, fn func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", timeout, err)
		}
		time.Sleep(poll)
	}
}
