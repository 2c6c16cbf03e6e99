package main

import (
	"crypto/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TestCharterContentFlag: charter new names the publishers of federation
// pages, amend keeps them unless given, "" opens publishing to every
// member again, and a bad peer ID is refused naming the charter field.
func TestCharterContentFlag(t *testing.T) {
	dir := t.TempDir()
	run := runCharter
	_, pub, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	publishers := func(file string) []string {
		t.Helper()
		sc, err := readCharter(file)
		if err != nil {
			t.Fatal(err)
		}
		return sc.Charter.Content.Publishers
	}
	v1, v2, v3 := filepath.Join(dir, "v1.json"), filepath.Join(dir, "v2.json"), filepath.Join(dir, "v3.json")
	if err := run("new", "--out", v1, "--id", "pub", "--name", "Pub", "--currency", "EUR", "--content-publisher", id.String()); err != nil {
		t.Fatal(err)
	}
	if got := publishers(v1); !slices.Equal(got, []string{id.String()}) {
		t.Errorf("publishers of the new charter: %q", got)
	}
	if err := run("amend", v1, "--out", v2, "--content-publisher", "not-a-peer"); err == nil || !strings.Contains(err.Error(), "charter.content.publishers[0]") {
		t.Errorf("a publisher that is no peer ID: %v", err)
	}
	if err := run("amend", v1, "--out", v2, "--arbiter", ""); err != nil {
		t.Fatal(err)
	}
	if got := publishers(v2); !slices.Equal(got, []string{id.String()}) {
		t.Errorf("an amendment without the flag changed the publishers: %q", got)
	}
	if err := run("amend", v2, "--out", v3, "--content-publisher", ""); err != nil {
		t.Fatal(err)
	}
	if got := publishers(v3); got != nil {
		t.Errorf("publishers after --content-publisher \"\": %q, want none (every member)", got)
	}
}
