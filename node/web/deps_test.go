package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/catalog"
	"github.com/fedmart/fedmart/catalog/search"
	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/federation/order"
)

// The node passes its services as they are.
var (
	_ Searcher      = (*search.Index)(nil)
	_ Listings      = (*catalog.Catalog)(nil)
	_ Merchants     = (*catalog.Catalog)(nil)
	_ ListingEditor = (*catalog.Catalog)(nil)
	_ Federation    = (*federation.Federation)(nil)
	_ Orders        = (*order.Service)(nil)
)

// gin stays in node/api: the pages are plain net/http.
func TestWebDoesNotImportGin(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/gin-gonic/") {
			t.Errorf("node/web depends on %s", dep)
		}
	}
}

// Nothing marks text as safe for html/template: every value is escaped
// in its context.
func TestNoTrustedTemplateTypes(t *testing.T) {
	trusted := regexp.MustCompile(`template\.(HTML|HTMLAttr|JS|JSStr|CSS|URL|Srcset)\(`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := trusted.Find(b); m != nil {
			t.Errorf("%s converts to a trusted template type: %s", f, m)
		}
	}
}
