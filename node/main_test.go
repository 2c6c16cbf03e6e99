package node

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// gossipRouter is the goroutine of a GossipSub router: every node runs
// one for replication, and Close must end it. A router that outlives its
// node keeps the node's host alive, and with it everything the host
// holds: the package's tests once grew to 20 GB that way.
const gossipRouter = "go-libp2p-pubsub.(*PubSub).processLoop"

// TestMain runs the package's tests, then fails them if any GossipSub
// router still runs once every node they opened has been closed.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if n, stack := running(gossipRouter, 15*time.Second); n > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: %d GossipSub routers still run after every test's nodes were closed; the first:\n%s\n", n, stack)
			code = 1
		}
	}
	os.Exit(code)
}

// running waits up to wait for no goroutine to be running fn, and returns
// how many still are, with the first one's stack.
func running(fn string, wait time.Duration) (int, string) {
	deadline := time.Now().Add(wait)
	for {
		buf := make([]byte, 16<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var first string
		n := 0
		for g := range bytes.SplitSeq(buf, []byte("\n\n")) {
			if bytes.Contains(g, []byte(fn)) {
				if n == 0 {
					first = string(g)
				}
				n++
			}
		}
		if n == 0 || time.Now().After(deadline) {
			return n, first
		}
		time.Sleep(100 * time.Millisecond)
	}
}
