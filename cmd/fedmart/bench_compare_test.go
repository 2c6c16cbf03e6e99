package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBenchCompareShowsBothRuns runs a small catalog search bench with
// --json, then again with --compare on its output, and checks that the
// comparison has a row for every figure with the previous value, the new
// one and the change.
func TestBenchCompareShowsBothRuns(t *testing.T) {
	run := func(args ...string) (string, string) {
		t.Helper()
		cmd := newBench()
		var out, errs bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&errs)
		cmd.SetArgs(append([]string{"catalog", "--only", "search", "--search-docs", "200"}, args...))
		if err := cmd.ExecuteContext(t.Context()); err != nil {
			t.Fatalf("bench %v: %v\n%s", args, err, errs.String())
		}
		return out.String(), errs.String()
	}
	first, _ := run("--json")
	var prev report
	if err := json.Unmarshal([]byte(first), &prev); err != nil {
		t.Fatalf("--json output: %v\n%s", err, first)
	}
	path := filepath.Join(t.TempDir(), "prev.json")
	if err := os.WriteFile(path, []byte(first), 0o600); err != nil {
		t.Fatal(err)
	}

	out, _ := run("--compare", path)
	_, table, ok := strings.Cut(out, "previous run")
	if !ok {
		t.Fatalf("no comparison in the output:\n%s", out)
	}
	header := regexp.MustCompile(`(?m)^figure +previous +now +change$`)
	if !header.MatchString(table) {
		t.Fatalf("no figure/previous/now/change header:\n%s", table)
	}
	num := `-?[0-9]+\.[0-9]{3} [A-Za-z/]+`
	for _, f := range prev.Figures {
		row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(f.Name) + ` +` + num + ` +` + num + ` +([+-][0-9.]+%|-)$`)
		if !row.MatchString(table) {
			t.Errorf("no row with both values for %q:\n%s", f.Name, table)
		}
	}

	// With --json, stdout stays one report and the comparison goes to stderr.
	jsonOut, errs := run("--json", "--compare", path)
	if err := json.Unmarshal([]byte(jsonOut), &report{}); err != nil {
		t.Errorf("--json --compare stdout is not one report: %v", err)
	}
	if !header.MatchString(errs) {
		t.Errorf("--json --compare: no comparison on stderr:\n%s", errs)
	}
}

// TestBenchCompareRefusesABadFile checks that a file that is not a
// report is refused, naming the flag, before anything runs.
func TestBenchCompareRefusesABadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "prev.json")
	if err := os.WriteFile(path, []byte("scenario catalog\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := newBench()
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs([]string{"catalog", "--only", "search", "--search-docs", "200", "--compare", path})
	err := cmd.ExecuteContext(t.Context())
	if err == nil || !strings.Contains(err.Error(), "--compare") {
		t.Fatalf("bench with a table as --compare: %v; want an error naming --compare", err)
	}
}
