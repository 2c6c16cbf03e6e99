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
// a newcomer would: the demo prints each member's storefront, console and
// dashboard with the tokens to sign in, every page it names answers, and
// Ctrl-C ends it cleanly.
func TestDemoPrintsAWalkThroughAndServesIt(t *testing.T) {
	cmd := exec.Command(binary, "demo", "--merchants", "1", "--listings", "5")
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
	for _, want := range []string{"Alpha Market", "Beta Bazaar", "Gamma Goods", "operator token", "Sample merchants",
		"fmm_", "Click through it:", "4242 4242 4242 4242"} {
		if !strings.Contains(text, want) {
			t.Errorf("the demo does not print %q:\n%s", want, text)
		}
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
