package locale

import (
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
)

// fileKeys are the message ids of one language, from all its files.
func fileKeys(t *testing.T, tag string) map[string]bool {
	t.Helper()
	files, err := messageFiles(messageFS, tag)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, name := range files {
		buf, err := fs.ReadFile(messageFS, name)
		if err != nil {
			t.Fatal(err)
		}
		mf, err := i18n.ParseMessageFileBytes(buf, path.Base(name), map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, m := range mf.Messages {
			if keys[m.ID] {
				t.Errorf("%s: %q is in two files of %s", name, m.ID, tag)
			}
			keys[m.ID] = true
		}
	}
	if len(keys) == 0 {
		t.Fatalf("the files of %s hold no messages", tag)
	}
	return keys
}

// Every language has every message: a key in one file and not in another
// would show English, or the bare key, to some visitors.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	en := fileKeys(t, English)
	for _, tag := range tags[1:] {
		other := fileKeys(t, tag)
		for k := range en {
			if !other[k] {
				t.Errorf("%s lacks %q", tag, k)
			}
		}
		for k := range other {
			if !en[k] {
				t.Errorf("%s has %q, which %s lacks", tag, k, English)
			}
		}
	}
}

var (
	// templateCall is a template's {{t "id" ...}} or (t "id" ...).
	templateCall = regexp.MustCompile(`[{(]-?\s*t\s+"([^"]+)"`)
	// goCall is a handler's site.T(r, "id", ...), Locale.T("id") or a
	// navigation item's MsgID: "id".
	goCall = regexp.MustCompile(`(?:\.T\((?:r, )?|MsgID: )"([^"]+)"`)
)

// usedKeys are the ids the pages' templates and Go files name, by file.
func usedKeys(t *testing.T) map[string][]string {
	t.Helper()
	used := map[string][]string{}
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var re *regexp.Regexp
		switch {
		case strings.HasSuffix(p, ".html"):
			re = templateCall
		case strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go"):
			re = goCall
		default:
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			used[string(m[1])] = append(used[string(m[1])], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return used
}

// Every id a page names is in the message files.
func TestEveryUsedKeyExists(t *testing.T) {
	en := fileKeys(t, English)
	used := usedKeys(t)
	if len(used) < 10 {
		t.Fatalf("only %d message ids found in the pages: is the scan broken?", len(used))
	}
	for k, files := range used {
		if strings.HasSuffix(k, "_") || strings.HasSuffix(k, ".") {
			// The prefix of ids built at run time ("search.sort_"+value):
			// some message must start with it.
			if !slices.ContainsFunc(slices.Collect(maps.Keys(en)), func(id string) bool { return strings.HasPrefix(id, k) }) {
				t.Errorf("no message starts with %q, which %s uses as a prefix", k, strings.Join(files, ", "))
			}
			continue
		}
		if !en[k] {
			slices.Sort(files)
			t.Errorf("%q is used by %s but is no message", k, strings.Join(slices.Compact(files), ", "))
		}
	}
}
