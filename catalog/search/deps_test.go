package search

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies keeps the package plain data structures: the standard
// library, roaring bitmaps, the Snowball stemmer and the internal/cores
// helper (itself standard library only), and in particular no
// libp2p and no gin.
func TestDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := []string{
		"github.com/fedmart/fedmart/catalog/search",
		"github.com/fedmart/fedmart/internal/cores", // standard library only
		"github.com/RoaringBitmap/roaring/",
		"github.com/bits-and-blooms/bitset",
		"github.com/blevesearch/snowballstem",
		"golang.org/x/sys/cpu", // roaring's SIMD detection
	}
	for _, pkg := range strings.Fields(string(out)) {
		ok := false
		for _, a := range allowed {
			ok = ok || strings.HasPrefix(pkg, a)
		}
		if !ok {
			t.Errorf("search depends on %s", pkg)
		}
	}
}
