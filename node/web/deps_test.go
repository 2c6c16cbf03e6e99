package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pagePackages are the kit and the three audiences' packages.
var pagePackages = []string{".", "./storefront", "./console", "./dashboard"}

// gin stays in node/api: the pages are plain net/http.
func TestWebDoesNotImportGin(t *testing.T) {
	for _, pkg := range pagePackages {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if strings.HasPrefix(dep, "github.com/gin-gonic/") {
				t.Errorf("node/web/%s depends on %s", strings.TrimPrefix(pkg, "./"), dep)
			}
		}
	}
}

// The audiences meet in the kit only (node/web and its message catalog,
// node/web/locale): none imports another, so that each can be read, and
// changed, on its own.
func TestAudiencesDoNotImportEachOther(t *testing.T) {
	const module = "github.com/fedmart/fedmart/node/web/"
	kit := map[string]bool{module + "locale": true}
	for _, pkg := range pagePackages[1:] {
		out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, imp := range strings.Fields(string(out)) {
			if strings.HasPrefix(imp, module) && !kit[imp] {
				t.Errorf("node/web/%s imports %s", strings.TrimPrefix(pkg, "./"), imp)
			}
		}
	}
}

// Nothing marks text as safe for html/template: every value is escaped
// in its context.
func TestNoTrustedTemplateTypes(t *testing.T) {
	trusted := regexp.MustCompile(`template\.(HTML|HTMLAttr|JS|JSStr|CSS|URL|Srcset)\(`)
	var files []string
	for _, pkg := range pagePackages {
		found, _ := filepath.Glob(filepath.Join(pkg, "*.go"))
		files = append(files, found...)
	}
	if len(files) < 20 {
		t.Fatalf("only %d files found", len(files))
	}
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
