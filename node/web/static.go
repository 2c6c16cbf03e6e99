package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// static serves the embedded CSS and JavaScript. Pages link each file with
// a version query (see url), so a browser may cache a file for a long time
// and still fetches the new one after an upgrade.
type static struct {
	files    fs.FS
	versions map[string]string // file name to a digest of its content
	server   http.Handler
	icon     *favicon // /favicon.ico
}

// newStatic hashes every embedded file.
func newStatic() (*static, error) {
	files, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	s := &static{files: files, versions: map[string]string{}}
	err = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		s.versions[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.server = http.StripPrefix("/static/", http.FileServerFS(files))
	s.icon, err = newFavicon(files)
	return s, err
}

// url returns the versioned path of a static file; it panics on a name
// that is not embedded, which a test of every page catches.
func (s *static) url(name string) string {
	v, ok := s.versions[name]
	if !ok {
		panic("web: no static file " + name)
	}
	return "/static/" + name + "?v=" + v
}

// ServeHTTP serves one embedded file; directories are not listed.
func (s *static) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/static/")
	if _, ok := s.versions[name]; !ok {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("v") == s.versions[name] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	s.server.ServeHTTP(w, r)
}
