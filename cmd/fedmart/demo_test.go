package main

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoPrintsAWalkThroughAndServesIt runs the README's first command as
// a newcomer would, on its defaults (the other demo tests use small
// catalogs, and a member with 1,200 listings once could not publish the
// starter help centre): the demo prints each member's storefront, console
// and dashboard with the tokens to sign in, every page it names answers,
// and Ctrl-C ends it cleanly.
func TestDemoPrintsAWalkThroughAndServesIt(t *testing.T) {
	cmd := exec.Command(binary, "demo")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "Ctrl-C stops the federation") {
			break
		}
	}
	text := out.String()
	var missing []string
	for _, want := range []string{"Alpha Market", "Beta Bazaar", "Gamma Goods", "operator token", "Sample merchants",
		"fmm_", "Click through it:", "4242 4242 4242 4242"} {
		if !strings.Contains(text, want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		_ = cmd.Process.Kill()
		_ = cmd.Wait() // its log is whole once it has ended
		t.Fatalf("the demo does not print %q:\n%s\nIts log:\n%s", missing, text, stderr.String())
	}
	urls := regexp.MustCompile(`http://127\.0\.0\.1:\d+/(merchant|operator)?`).FindAllString(text, -1)
	if len(urls) < 9 {
		t.Fatalf("the demo names %d page URLs, want a storefront, console and dashboard per member:\n%s", len(urls), text)
	}
	for _, u := range urls {
		res, err := http.Get(u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "<html") {
			t.Errorf("%s: %d, want a page", u, res.StatusCode)
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the demo ended with %v after Ctrl-C", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("the demo did not stop within 30s of Ctrl-C")
	}
}

// TestDemoShoppersLiveAfterTheSale runs the demo with simulated shoppers
// and a fixed seed until they have written to merchants and been
// answered, opened issues that the merchants answered, and escalated one
// that was refused, and the arbiter decided it; Ctrl-C then prints the
// run's summary, whose counts say the same.
func TestDemoShoppersLiveAfterTheSale(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo's shoppers until an issue is escalated")
	}
	cmd := exec.Command(binary, "demo", "--shoppers", "4", "--seed", "3", "--merchants", "1", "--listings", "30")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	steps := []struct{ name, pattern string }{
		{"a shopper writes to a merchant", `wrote to the merchant of part `},
		{"the merchant answers", `answered the shopper of part `},
		{"a shopper opens an issue", `opened an issue on part `},
		{"the merchant answers the issue", `(asked the shopper for more|offered a refund of|refused the issue) `},
		{"a refused issue is escalated", `escalated the refused issue of part `},
		{"the arbiter decides it", `the arbiter decided case `},
		{"a shopper signs in with its account on another member", `signed in with its account on `},
		{"a line is bought at a merchant's offer", `merchants' offers: \d+\.\d\d EUR off`},
		{"a shopper uses the coupon", `coupon WELCOME10: \d+\.\d\d EUR off`},
		{"points pay part of an order", `; \d+ points paid `},
		{"an agreed period settles points spent on another member", `points: .* \(points_redemption, `},
	}
	seen := map[string]bool{}
	var out strings.Builder
	deadline := time.After(5 * time.Minute) // a bound on the wait, not a measure
	for len(seen) < len(steps) {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("the demo stopped:\n%s", out.String())
			}
			out.WriteString(l + "\n")
			for _, s := range steps {
				if regexp.MustCompile(s.pattern).MatchString(l) {
					seen[s.name] = true
				}
			}
		case <-deadline:
			var missing []string
			for _, s := range steps {
				if !seen[s.name] {
					missing = append(missing, s.name)
				}
			}
			t.Fatalf("after 5 minutes the demo has not told that %s:\n%s", strings.Join(missing, ", "), out.String())
		}
	}
	checkDemoLoyalty(t, out.String())
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	summary := ""
	for l := range lines {
		out.WriteString(l + "\n")
		if strings.Contains(l, "in this run: ") {
			summary = l
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("the demo ended with %v after Ctrl-C", err)
	}
	for _, count := range []string{`disk: (\d+) flushes`, `for (\d+) commits of orders and feeds`,
		`restocks: (\d+) feeds from merchants`, `topped up (\d+) listings`, `(\d+) small feeds written in`,
		`messages: (\d+)`, `\((\d+) questions from shoppers`, `(\d+) answers from merchants`,
		`issues: (\d+) opened`, `opened, (\d+) answered`, `(\d+) escalated`} {
		m := regexp.MustCompile(count).FindStringSubmatch(summary)
		if m == nil || m[1] == "0" {
			t.Errorf("the summary's %s is %v, want more than 0: %q", count, m, summary)
		}
	}
	if decided := regexp.MustCompile(`(\d+) decided by the arbiter`).FindStringSubmatch(summary); decided == nil || decided[1] == "0" {
		t.Errorf("the summary says the arbiter decided nothing: %q", summary)
	}
	for _, count := range []string{`(\d+) points earned`, `spent in (\d+) orders`, `(\d+) points entries settled`,
		`WELCOME10 used (\d+) times`, `(\d+) shoppers signed in with another member`} {
		if m := regexp.MustCompile(count).FindStringSubmatch(summary); m == nil || m[1] == "0" {
			t.Errorf("the summary's %s is %v, want more than 0: %q", count, m, summary)
		}
	}
}
