package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSettleCLI(t *testing.T) {
	nodes := formFederation(t, nil, "alpha", "beta")
	a := nodes[0]
	api, token := "http://"+a.api, "@"+filepath.Join(a.dir, "operator.token")
	if out := fedmart(t, "settle", "status", "--api", api, "--token", token); !strings.HasPrefix(out, "period") {
		t.Fatalf("settle status: %q", out)
	}
	if out := fedmart(t, "settle", "status", "--api", api, "--token", token, "--format", "csv"); !strings.HasPrefix(out, "period,start,end,status") {
		t.Fatalf("settle status --format csv: %q", out)
	}
	running := time.Now().UTC().Truncate(time.Hour).Format(time.RFC3339) // the charter's period is 1h
	out, err := exec.Command(binary, "settle", "close", "--period", running, "--api", api, "--token", token).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "runs until") {
		t.Fatalf("closing the running period: %v %s", err, out)
	}
	out, err = exec.Command(binary, "settle", "report", "--api", api, "--token", token).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--period") {
		t.Fatalf("report without a period: %v %s", err, out)
	}
}
