package storefront

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/fedmart/fedmart/node/web/webtest"
)

// shootPages looks at pages as a signed-in shopper got them (bodies by
// name, served at /snap/<name> with their styles from h's site) in
// Chromium at a phone's and a desktop's size, in the order of names:
// webtest.PageChecker's checks (nothing overflows, axe-core), and the
// screenshots <prefix><name>-<width>.png in $FEDMART_SCREENSHOTS.
func (h *harness) shootPages(t *testing.T, prefix string, names []string, pages map[string]string) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		name, snap := strings.CutPrefix(req.URL.Path, "/snap/")
		if body, ok := pages[name]; ok && snap {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(body))
			return
		}
		h.handler.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	check := webtest.NewPageChecker(t)
	shots := os.Getenv("FEDMART_SCREENSHOTS")
	for _, size := range []struct{ w, h int }{{390, 844}, {1280, 900}} {
		ctx := webtest.Chrome(t, size.w, size.h)
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		for _, name := range names {
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/snap/"+name), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
				cancel()
				t.Fatal(err)
			}
			check.Shoot(t, ctx, shots, fmt.Sprintf("%s%s-%d.png", prefix, name, size.w), size.w, name)
		}
		cancel()
	}
}
