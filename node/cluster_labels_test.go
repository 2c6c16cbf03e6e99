package node

import (
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// TestClusterLabelsEachMembersGoroutines checks that the goroutines of
// each member of a cluster, its Badger's and its libp2p host's among
// them, carry the member's profiler label, so that a CPU profile of the
// process splits by member (fedmart bench orders does).
func TestClusterLabelsEachMembersGoroutines(t *testing.T) {
	names := []string{"Alpha", "Beta"}
	c, err := NewCluster(ClusterOptions{Dir: t.TempDir(), Names: names, FederationID: "labels", FederationName: "Labels",
		Currency: "EUR", Period: time.Hour, Log: discard()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
		c.Close()
	})
	testwait.For(t, 30*time.Second, func() error {
		var buf bytes.Buffer
		if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
			return err
		}
		stacks := strings.Split(buf.String(), "\n\n")
		for _, name := range names {
			label := fmt.Sprintf("# labels: {%q:%q}", MemberLabel, name)
			for _, code := range []string{"dgraph-io/badger", "libp2p/go-libp2p", "fedmart/fedmart/federation."} {
				found := false
				for _, s := range stacks {
					found = found || (strings.Contains(s, label) && strings.Contains(s, code))
				}
				if !found {
					return fmt.Errorf("no goroutine labelled %s runs %s", name, code)
				}
			}
		}
		return nil
	})
}
