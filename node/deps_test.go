package node

import (
	"os/exec"
	"strings"
	"testing"
)

// catalog, settlement and the order domain (with every package below
// them) are plain Go: they must import neither gin nor any libp2p
// networking package (core/crypto, core/peer and core/record, which sign
// and identify, are allowed). Their streams live in federation/.
func TestDomainPackagesStayOffTheNetwork(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "../catalog/...", "../settlement/...", "../federation/order/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	forbidden := []string{
		"github.com/chromedp/", // a browser driver, for tests only
		"github.com/gin-gonic/",
		"github.com/libp2p/go-libp2p-pubsub",
		"github.com/libp2p/go-libp2p/core/network",
		"github.com/libp2p/go-libp2p/core/host",
		"github.com/libp2p/go-libp2p/p2p/",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("catalog, settlement or the order domain depends on %s", dep)
			}
		}
	}
}
