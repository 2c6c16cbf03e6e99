package settlement

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoNetworkingImports keeps the package free of gin and libp2p
// networking: its types stay plain Go values at the edges.
func TestNoNetworkingImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	forbidden := []string{
		"github.com/gin-gonic/",
		"github.com/libp2p/go-libp2p/core/network",
		"github.com/libp2p/go-libp2p/core/host",
		"github.com/libp2p/go-libp2p/p2p/",
		"github.com/libp2p/go-libp2p-pubsub",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("settlement depends on %s", dep)
			}
		}
	}
}
