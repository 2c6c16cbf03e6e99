package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Why the demo watches its parent. `go run ./cmd/fedmart demo` is two
// processes: the go command, and the demo it built and started as its
// child. The go command catches SIGINT and SIGQUIT for as long as the
// child runs (cmd/go/internal/base: signal.Notify on os.Interrupt and
// SIGQUIT, then RunStdin waits for the child), on the understanding that
// a terminal's Ctrl-C reaches the whole foreground process group, the
// child included, and the child decides. So:
//
//   - Ctrl-C in a terminal reaches both: the demo stops, then go run.
//   - kill -INT on the go command's pid reaches only the go command,
//     which keeps it and goes on waiting: nothing stops. No process but
//     the go command can see that signal, so the demo cannot act on it;
//     signal the process group (kill -INT -- -PGID, what a terminal does)
//     or the demo's own pid, which it prints.
//   - kill -TERM (or -HUP, or -KILL) on the go command's pid ends the go
//     command at once, and the demo, its child, is left running with its
//     ports open, adopted by another process.
//
// The last case is the one fedmart can fix: the demo notices that the
// process that started it is gone (it was adopted: its parent pid
// changed) and stops as it does on SIGINT, closing every member's
// database cleanly. It suits a demo, which belongs to the terminal or
// the program that started it; `fedmart run` does not do this, so that a
// node can outlive the shell that started it.

// errParentGone is the cause of a context ended by watchParent.
var errParentGone = errors.New("the process that started the demo has ended")

// parentPoll is how often watchParent looks at the parent pid: a stopped
// go run is noticed within it.
const parentPoll = 250 * time.Millisecond

// watchParent returns a context that ends with ctx, or once the process
// that started this one has ended (this one was adopted), saying so on
// stderr. A process started by init (parent pid 1), as in a container,
// has no parent to watch.
func watchParent(ctx context.Context, stderr io.Writer) (context.Context, context.CancelFunc) {
	parent := os.Getppid()
	ctx, cancel := context.WithCancelCause(ctx)
	if parent <= 1 {
		return ctx, func() { cancel(nil) }
	}
	go func() {
		t := time.NewTicker(parentPoll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if os.Getppid() != parent {
				fmt.Fprintf(stderr, "fedmart: %v (pid %d): stopping the federation\n", errParentGone, parent)
				cancel(errParentGone)
				return
			}
		}
	}()
	return ctx, func() { cancel(nil) }
}
