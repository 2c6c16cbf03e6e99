package catalog

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsNoNetworking keeps the catalog plain Go: the transports that
// carry its records live elsewhere (DESIGN.md, section 2).
func TestImportsNoNetworking(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
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
				t.Errorf("catalog depends on %s", dep)
			}
		}
	}
}
