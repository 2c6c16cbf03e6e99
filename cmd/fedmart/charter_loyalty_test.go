package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/federation"
)

// TestCharterLoyaltyFlags: charter new sets the loyalty policy, amend
// changes only the settings given, and a bad one is refused naming the
// charter field.
func TestCharterLoyaltyFlags(t *testing.T) {
	dir := t.TempDir()
	run := runCharter
	v1, v2 := filepath.Join(dir, "v1.json"), filepath.Join(dir, "v2.json")
	if err := run("new", "--out", v1, "--id", "pts", "--name", "Pts", "--currency", "EUR",
		"--loyalty-earn-bps", "10000", "--loyalty-point-value", "1", "--loyalty-funder", "home",
		"--loyalty-spendable-on", "delivered", "--loyalty-expiry", "8760h"); err != nil {
		t.Fatal(err)
	}
	sc, err := readCharter(v1)
	if err != nil {
		t.Fatal(err)
	}
	want := federation.Loyalty{EarnBPS: 10000, PointValue: 1, Funder: federation.FunderHome,
		SpendableOn: federation.SpendableOnDelivered, Expiry: federation.Duration(8760 * time.Hour)}
	if sc.Charter.Loyalty != want {
		t.Errorf("loyalty of the new charter: %+v", sc.Charter.Loyalty)
	}
	if err := run("amend", v1, "--out", v2, "--loyalty-funder", "split"); err == nil || !strings.Contains(err.Error(), "charter.loyalty.funder_home_bps") {
		t.Errorf("a split without the home's share: %v", err)
	}
	if err := run("amend", v1, "--out", v2, "--loyalty-max-share-bps", "3000"); err != nil {
		t.Fatal(err)
	}
	if sc, err = readCharter(v2); err != nil {
		t.Fatal(err)
	}
	want.MaxShareBPS = 3000
	if sc.Charter.Loyalty != want {
		t.Errorf("loyalty of the amendment: %+v", sc.Charter.Loyalty)
	}
}
