package webtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// fixture is a phone page with one of each fault the checks look for,
// each in an element with an id that says so, beside what must pass: a
// stacked table whose header row is visually hidden, a visually hidden
// label, a chart that fits, a title that truncates with an ellipsis.
const fixture = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Fixture</title>
<style>
body { margin: 0; font: 16px sans-serif; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
#wrap-bad { overflow-x: auto; }
#wrap-bad table { width: 600px; }
table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
table.stack th, table.stack td { display: block; }
td#cell-bad { width: 40px; max-width: 40px; white-space: nowrap; }
.trunc { overflow: hidden; white-space: nowrap; text-overflow: ellipsis; width: 100px; }
</style></head><body><main><h1>Fixture</h1>
<div id="wrap-bad"><table><tr><td>wide</td></tr></table></div>
<table class="stack"><thead><tr><th>A very long column heading</th><th>Another long heading</th></tr></thead>
<tbody><tr><td>1</td><td>2</td></tr></tbody></table>
<table style="table-layout: fixed; width: 100px"><tr><td id="cell-bad">a-very-long-unbreakable-word-in-a-cell</td></tr></table>
<svg id="svg-cut" viewBox="0 0 100 50" width="100" height="50" role="img" aria-label="cut"><rect x="60" y="0" width="80" height="20"/></svg>
<svg id="svg-fits" viewBox="0 0 100 50" style="width: 100%" role="img" aria-label="fits"><rect x="0" y="0" width="100" height="20"/></svg>
<div><svg id="svg-wide" viewBox="0 0 800 50" width="800" height="50" role="img" aria-label="wide"><rect width="10" height="10"/></svg></div>
<p class="trunc">A long title that is cut off with an ellipsis on purpose</p>
<label for="q" class="vh">Search</label><input id="q" name="q">
<img id="img-no-alt" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="1" height="1">
</main></body></html>`

func TestPageCheckerFindsWhatOverflowsAndWhatAxeRefuses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; img-src data:")
		_, _ = w.Write([]byte(fixture))
	}))
	defer srv.Close()
	check := NewPageChecker(t)
	ctx := Chrome(t, 390, 844)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL)); err != nil {
		t.Fatal(err)
	}
	over, err := Overflow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range over {
		id, _, _ := strings.Cut(f, " ")
		ids = append(ids, strings.TrimSuffix(id, ":"))
	}
	slices.Sort(ids)
	want := []string{"div#wrap-bad", "svg#svg-cut", "svg#svg-wide", "td#cell-bad", "the"} // "the page scrolls sideways"
	if !slices.Equal(ids, want) {
		t.Errorf("overflow found %q, want %q:\n%s", ids, want, strings.Join(over, "\n"))
	}
	if !check.Axe() {
		return
	}
	a11y, err := check.Accessibility(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(a11y) != 1 || !strings.HasPrefix(a11y[0], "critical image-alt ") || !strings.Contains(a11y[0], "#img-no-alt") {
		t.Errorf("axe-core found %q, want the image without alt text alone", a11y)
	}
	// A second run on the same page does not load axe-core again.
	if again, err := check.Accessibility(ctx); err != nil || !slices.Equal(again, a11y) {
		t.Errorf("axe-core again: %q, %v", again, err)
	}
}
