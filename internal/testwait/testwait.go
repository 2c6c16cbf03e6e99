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

// Until calls fn every interval until it returns nil, and returns nil then;
// once timeout has passed it returns fn's last error instead. It is For
// for tests that wait for several things at once, or that report what
// they saw before they fail: the timeout bounds the wait, it asserts
// nothing.
func Until(timeout, interval time.Duration, fn func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := fn()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(interval)
	}
}
