package webtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The checks every page passes, in a real Chromium: axe-core's
// accessibility rules with no serious or critical violation, and, at a
// phone's 390x844, no element whose content overflows its box. A page
// that only "does not scroll sideways" can still hide a table's columns
// inside the table's own box, or cut a chart off inside its SVG; the
// overflow check measures the boxes themselves.
//
// axe-core comes from the npm registry: .ci/run installs a pinned
// version into a temporary folder and names its axe.min.js in AxeEnv.
// Locally:
//
//	npm install --prefix /tmp/axe axe-core@4.14.1
//	export FEDMART_AXE_CORE=/tmp/axe/node_modules/axe-core/axe.min.js

// AxeEnv names the file of axe-core's script (axe.min.js).
const AxeEnv = "FEDMART_AXE_CORE"

// BrowserRequiredEnv, when set (as .ci/run sets it), makes a missing
// Chromium or axe-core fail a browser test instead of skipping it.
const BrowserRequiredEnv = "FEDMART_BROWSER_REQUIRED"

// Chromium finds Debian's Chromium (or another Chrome) on PATH. Without
// one the test skips, saying what to install, unless BrowserRequiredEnv
// is set.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(BrowserRequiredEnv) != "" {
		t.Fatalf("no Chromium on PATH and %s is set: install it (apt-get install chromium)", BrowserRequiredEnv)
	}
	t.Skip("browser tests need Chromium: apt-get install chromium (skipped: none on PATH)")
	return ""
}

// Chrome starts a headless Chromium with a window of width x height
// (390, 844 for a phone) for t, and returns its context for chromedp;
// t.Cleanup closes it. It runs without Chromium's sandbox, which cannot
// start as root (CI runs as root).
func Chrome(t testing.TB, width, height int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(width, height),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// PageChecker runs the checks on the page a chromedp context shows.
type PageChecker struct {
	axe string // axe-core's script; "" runs the overflow check alone
}

// NewPageChecker reads axe-core's script from the file AxeEnv names.
// Without it the accessibility check is skipped, and says so in the
// test's log, unless BrowserRequiredEnv is set: then the test fails.
func NewPageChecker(t testing.TB) *PageChecker {
	t.Helper()
	path := os.Getenv(AxeEnv)
	if path == "" {
		if os.Getenv(BrowserRequiredEnv) != "" {
			t.Fatalf("%s is set but %s is not: install axe-core (npm install --prefix DIR axe-core) and name DIR/node_modules/axe-core/axe.min.js in %s", BrowserRequiredEnv, AxeEnv, AxeEnv)
		}
		t.Logf("accessibility checks skipped: %s names no axe-core script (npm install --prefix /tmp/axe axe-core, then %s=/tmp/axe/node_modules/axe-core/axe.min.js)", AxeEnv, AxeEnv)
		return &PageChecker{}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v", AxeEnv, err)
	}
	if !strings.Contains(string(b), "axe") {
		t.Fatalf("%s: %s is not axe-core's script", AxeEnv, path)
	}
	return &PageChecker{axe: string(b)}
}

// Axe says whether the accessibility check runs.
func (c *PageChecker) Axe() bool { return c.axe != "" }

// Check runs both checks on the page open in ctx and returns what they
// found, each problem naming its element; nil when the page passes.
// Run it at 390x844 for the overflow check to mean what it says.
func (c *PageChecker) Check(ctx context.Context) ([]string, error) {
	a11y, err := c.Accessibility(ctx)
	if err != nil {
		return nil, err
	}
	over, err := Overflow(ctx)
	if err != nil {
		return nil, err
	}
	return append(a11y, over...), nil
}

// Accessibility runs axe-core on the page open in ctx and returns its
// Shoot takes a full-page screenshot of the page open in ctx, saves it as
// file in the folder shots (when shots is set), and on a phone (width
// 390) reports every problem Check finds as an error of t, naming what.
func (c *PageChecker) Shoot(t testing.TB, ctx context.Context, shots, file string, width int, what string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if shots != "" {
		_ = os.WriteFile(filepath.Join(shots, file), png, 0o644)
	}
	if width != 390 {
		return
	}
	problems, err := c.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s at 390x844: %s", what, p)
	}
}

// serious and critical violations, each with the elements at fault.
func (c *PageChecker) Accessibility(ctx context.Context) ([]string, error) {
	if c.axe == "" {
		return nil, nil
	}
	// The script is given to the page through DevTools, which the
	// page's Content-Security-Policy does not govern.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe !== 'undefined'`))
	if err != nil {
		return nil, fmt.Errorf("looking for axe-core: %w", err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](c.axe+"\n;true")); err != nil {
			return nil, fmt.Errorf("loading axe-core: %w", err)
		}
	}
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("running axe-core: %w", err)
	}
	return found, nil
}

// axeRun runs every rule of axe-core and describes each serious or
// critical violation: its rule, what it asks, and up to five elements
// with the first reason axe gives for each.
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
	.filter(v => v.impact === 'serious' || v.impact === 'critical')
	.map(v => v.impact + ' ' + v.id + ' (' + v.help + '): ' + v.nodes.slice(0, 5).map(n =>
		n.target.join(' ') + ' [' + ((n.failureSummary || '').split('\n')[1] || '').trim() + ']').join('; ') +
		(v.nodes.length > 5 ? '; and ' + (v.nodes.length - 5) + ' more' : '')))`

// Overflow returns what overflows its box on the page open in ctx: the
// page itself when it scrolls sideways (naming the innermost elements
// that reach past the window's edge); a table, row, cell, caption,
// SVG or pre whose content is wider than its box (scrollWidth >
// clientWidth); any other element that scrolls or clips sideways and
// has content wider than its box (a table scrolling in a wrapper
// included); an SVG or image wider than its parent; and an SVG chart
// whose drawing reaches past its viewBox, where it is cut off. Form
// controls scroll their own text and are left out, as are elements
// that truncate with an ellipsis on purpose and visually hidden ones.
func Overflow(ctx context.Context) ([]string, error) {
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowJS))
	if err != nil {
		return nil, fmt.Errorf("measuring overflow: %w", err)
	}
	return found, nil
}

const overflowJS = `(() => {
	const name = e => {
		let s = e.tagName.toLowerCase();
		const cls = typeof e.className === 'string' ? e.className : (e.className && e.className.baseVal) || '';
		if (e.id) s += '#' + e.id;
		else if (cls.trim()) s += '.' + cls.trim().split(/\s+/).join('.');
		const text = (e.textContent || '').trim().replace(/\s+/g, ' ');
		return s + (text ? ' "' + (text.length > 40 ? text.slice(0, 40) + '…' : text) + '"' : '');
	};
	const out = [], found = [];
	const root = document.documentElement;
	if (root.scrollWidth > window.innerWidth) {
		const past = e => e.getBoundingClientRect().right > window.innerWidth + 1;
		const innermost = Array.from(document.body.querySelectorAll('*')).filter(e => past(e) && !Array.from(e.children).some(past));
		out.push('the page scrolls sideways: ' + root.scrollWidth + 'px wide in a ' + window.innerWidth + 'px window; reaching past its edge: ' +
			innermost.slice(0, 5).map(name).join(', '));
	}
	const boxes = new Set(['table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'svg', 'pre']);
	const controls = new Set(['input', 'textarea', 'select', 'option', 'button']);
	// Visually hidden: clipped away, or inside a box of at most a pixel
	// that hides its overflow (the .visually-hidden pattern, a stacked
	// table's thead); screen readers read it, nobody sees it overflow.
	const hidden = new Map();
	const isHidden = e => {
		if (!e || e === document.body) return false;
		if (hidden.has(e)) return hidden.get(e);
		const st = getComputedStyle(e);
		const h = (st.clip !== 'auto' && st.position === 'absolute') ||
			(st.overflowX !== 'visible' && e.getBoundingClientRect().width <= 1) || isHidden(e.parentElement);
		hidden.set(e, h);
		return h;
	};
	for (const e of document.body.querySelectorAll('*')) {
		const tag = e.tagName.toLowerCase();
		if (controls.has(tag) || (e.closest('svg') && e.closest('svg') !== e)) continue; // an SVG is measured whole
		const st = getComputedStyle(e);
		if (st.display === 'none' || st.visibility === 'hidden' || st.textOverflow === 'ellipsis' || isHidden(e)) continue;
		const clips = st.overflowX !== 'visible';
		if ((boxes.has(tag) || clips) && e.scrollWidth > e.clientWidth + 1) {
			found.push([e, name(e) + ': content ' + e.scrollWidth + 'px wide in a ' + e.clientWidth + 'px box' + (clips ? ' (' + st.overflowX + ')' : '')]);
			continue;
		}
		if ((tag === 'svg' || tag === 'img') && e.parentElement) {
			const w = e.getBoundingClientRect().width, pw = e.parentElement.clientWidth;
			if (pw > 0 && w > pw + 1) {
				found.push([e, name(e) + ': ' + Math.round(w) + 'px wide in a ' + pw + 'px parent']);
				continue;
			}
		}
		if (tag === 'svg' && e.viewBox && e.viewBox.baseVal && e.viewBox.baseVal.width > 0) {
			const vb = e.viewBox.baseVal;
			let bb;
			try { bb = e.getBBox(); } catch (_) { continue; }
			if (bb.width > 0 && (bb.x < vb.x - 1 || bb.x + bb.width > vb.x + vb.width + 1)) {
				found.push([e, name(e) + ': its drawing spans x ' + Math.round(bb.x) + ' to ' + Math.round(bb.x + bb.width) + ', past its viewBox (' + vb.x + ' to ' + (vb.x + vb.width) + '), and is cut off']);
			}
		}
	}
	// One overflowing cell overflows its row, body and table too: name
	// the innermost element only.
	for (const [e, msg] of found) {
		if (!found.some(([d]) => d !== e && e.contains(d))) out.push(msg);
	}
	return out;
})()`
