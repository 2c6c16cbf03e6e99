package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fedmart/fedmart/federation"
)

// TestCharterProtocolFlag: a new charter speaks this build's highest
// protocol level unless told a lower one; level 1 is written as no level
// at all, which a build from before protocol levels reads; amend changes
// the level only when asked, and refuses one this build does not speak,
// naming the field.
func TestCharterProtocolFlag(t *testing.T) {
	dir := t.TempDir()
	run := runCharter
	level := func(file string) (int, bool) {
		t.Helper()
		sc, err := readCharter(file)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return sc.Charter.Level(), bytes.Contains(raw, []byte(`"protocol"`))
	}
	file := func(name string) string { return filepath.Join(dir, name) }
	if err := run("new", "--out", file("top.json"), "--id", "lv", "--name", "Lv", "--currency", "EUR"); err != nil {
		t.Fatal(err)
	}
	if l, _ := level(file("top.json")); l != federation.ProtocolLevel {
		t.Errorf("a new charter is at level %d, want %d", l, federation.ProtocolLevel)
	}
	if err := run("new", "--out", file("one.json"), "--id", "lv", "--name", "Lv", "--currency", "EUR", "--protocol", "1"); err != nil {
		t.Fatal(err)
	}
	if l, written := level(file("one.json")); l != 1 || written {
		t.Errorf("--protocol 1: level %d, field written: %v", l, written)
	}
	if err := run("amend", file("one.json"), "--out", file("same.json")); err != nil {
		t.Fatal(err)
	}
	if l, _ := level(file("same.json")); l != 1 {
		t.Errorf("amend without --protocol moved the level to %d", l)
	}
	if err := run("amend", file("one.json"), "--out", file("two.json"), "--protocol", "2"); err != nil {
		t.Fatal(err)
	}
	if l, _ := level(file("two.json")); l != 2 {
		t.Errorf("amend --protocol 2: level %d", l)
	}
	if err := run("amend", file("two.json"), "--out", file("zero.json"), "--protocol", "0"); err != nil { // 0 is level 1, as a charter written before levels
		t.Errorf("--protocol 0: %v", err)
	} else if l, written := level(file("zero.json")); l != 1 || written {
		t.Errorf("--protocol 0: level %d, field written: %v", l, written)
	}
	for _, bad := range []string{"-1", strconv.Itoa(federation.ProtocolLevel + 1)} {
		err := run("amend", file("one.json"), "--out", file("bad"+bad+".json"), "--protocol", bad)
		if err == nil || !strings.Contains(err.Error(), "charter.protocol") {
			t.Errorf("--protocol %s: %v", bad, err)
		}
	}
}

// runCharter runs the charter command with args, its output discarded.
func runCharter(args ...string) error {
	cmd := newCharter()
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	return cmd.Execute()
}
