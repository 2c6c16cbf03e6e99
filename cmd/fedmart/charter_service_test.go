package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
)

// TestCharterServiceFlags: charter new and amend set the complaint
// terms, and refuse terms the charter may not have, naming the field.
func TestCharterServiceFlags(t *testing.T) {
	dir := t.TempDir()
	run := runCharter
	v1, v2 := filepath.Join(dir, "v1.json"), filepath.Join(dir, "v2.json")
	if err := run("new", "--out", v1, "--id", "svc", "--name", "Svc", "--currency", "EUR", "--first-response", "24h"); err != nil {
		t.Fatal(err)
	}
	sc, err := readCharter(v1)
	if err != nil {
		t.Fatal(err)
	}
	if first, res := sc.Charter.Service.Deadlines(); first != 24*time.Hour || res != federation.DefaultResolution || sc.Charter.Service.Arbiter != "" {
		t.Errorf("terms of the new charter: %+v", sc.Charter.Service)
	}
	if err := run("amend", v1, "--out", v2, "--arbiter", "not-a-peer"); err == nil || !strings.Contains(err.Error(), "charter.service.arbiter") {
		t.Errorf("an arbiter that is no peer ID: %v", err)
	}
	if err := run("amend", v1, "--out", v2, "--resolution", "9000h"); err == nil || !strings.Contains(err.Error(), "charter.service.resolution") {
		t.Errorf("a resolution deadline over a year: %v", err)
	}
	if err := run("amend", v1, "--out", v2, "--resolution", "72h"); err != nil {
		t.Fatal(err)
	}
	if sc, err = readCharter(v2); err != nil {
		t.Fatal(err)
	}
	if first, res := sc.Charter.Service.Deadlines(); first != 24*time.Hour || res != 72*time.Hour {
		t.Errorf("terms of the amendment: %+v", sc.Charter.Service)
	}
}
