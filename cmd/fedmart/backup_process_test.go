package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// TestBackupRestoreCatchesUpFromTheFederation backs alpha up online,
// lets it go on listing, kills it, restores the older backup and restarts
// it. Its catalog must converge with beta's, including what alpha listed
// after the backup (learnt back from beta), and what alpha lists after
// the restore must reach beta: its new records follow the seqs and
// versions it signed after the backup instead of repeating them.
func TestBackupRestoreCatchesUpFromTheFederation(t *testing.T) {
	nodes := formFederation(t, nil, "alpha", "beta")
	alpha, beta := nodes[0], nodes[1]
	alphaM, betaM := addMerchant(t, alpha, "Ferro Works"), addMerchant(t, beta, "Kiel Knives")
	var ids []string
	for i := range 3 {
		ids = append(ids, createListing(t, alpha, alphaM, fmt.Sprintf("Skillet %d", i), fmt.Sprintf("PAN-%d", i)))
		ids = append(ids, createListing(t, beta, betaM, fmt.Sprintf("Knife %d", i), fmt.Sprintf("K-%d", i)))
	}
	testwait.For(t, 60*time.Second, sameCatalog(alpha, beta, ids))

	backup := filepath.Join(t.TempDir(), "alpha.backup")
	out := fedmartErr(t, "backup", "--data", alpha.dir, "--out", backup)
	if !strings.Contains(out.stdout, "through the running node") || !strings.Contains(out.stderr, "backup: ") {
		t.Fatalf("online backup:\n%s\n%s", out.stdout, out.stderr)
	}

	// After the backup alpha lists more, renames a listing and changes a
	// stock; beta holds all of it, the backup none.
	for i := 3; i < 6; i++ {
		ids = append(ids, createListing(t, alpha, alphaM, fmt.Sprintf("Skillet %d", i), fmt.Sprintf("PAN-%d", i)))
	}
	alpha.must(t, "PUT", "/v1/listings/"+ids[0], alphaM, listingInput("Skillet 0, seasoned", "PAN-0"), 200)
	alpha.must(t, "PUT", "/v1/listings/"+ids[2]+"/stock", alphaM, map[string]any{"sku": "PAN-1", "stock": 3}, 200)
	testwait.For(t, 60*time.Second, sameCatalog(alpha, beta, ids))

	betaBackup := filepath.Join(t.TempDir(), "beta.backup")
	fedmartErr(t, "backup", "--data", beta.dir, "--out", betaBackup)
	if msg := fedmartFails(t, "restore", "--data", beta.dir, betaBackup); !strings.Contains(msg, "the node is running") {
		t.Errorf("restore under the running beta: %s", msg)
	}

	alpha.kill9()
	offline := fedmartErr(t, "backup", "--data", alpha.dir, "--out", filepath.Join(t.TempDir(), "alpha-offline.backup"))
	if !strings.Contains(offline.stdout, "straight from") {
		t.Errorf("backup of the stopped alpha:\n%s", offline.stdout)
	}
	if msg := fedmartFails(t, "restore", "--data", alpha.dir, betaBackup); !strings.Contains(msg, `a backup of "beta"`) || !strings.Contains(msg, "--force") {
		t.Errorf("restore of beta's backup into alpha: %s", msg)
	}
	out = fedmartErr(t, "restore", "--data", alpha.dir, backup)
	if !strings.Contains(out.stdout, "restored the backup of alpha") || !strings.Contains(out.stderr, "loading the database") {
		t.Fatalf("restore:\n%s\n%s", out.stdout, out.stderr)
	}
	if kept, _ := filepath.Glob(filepath.Join(alpha.dir, "db.before-restore-*")); len(kept) != 1 {
		t.Fatalf("the replaced database is not kept: %v", kept)
	}
	alpha.start(t)

	// A merchant that acts at once is asked to wait (503) until alpha has
	// learnt back what it signed after the backup; then it is accepted.
	var late string
	waited := 0
	testwait.For(t, 60*time.Second, func() error {
		s, b, err := alpha.do("POST", "/v1/listings", alphaM, listingInput("Lid", "LID-1"))
		if s == 503 {
			waited++
		}
		if err != nil || s == 503 {
			return fmt.Errorf("alpha after its restore: %d %s %v", s, b, err)
		}
		if s != 201 {
			t.Fatalf("a listing on the restored alpha: %d %s", s, b)
		}
		var l struct{ ID string }
		if err := json.Unmarshal(b, &l); err != nil {
			return err
		}
		late = l.ID
		return nil
	})
	ids = append(ids, late)
	t.Logf("the restored alpha asked the merchant to wait %d times", waited)
	alpha.must(t, "PUT", "/v1/listings/"+ids[0], alphaM, listingInput("Skillet 0, oiled", "PAN-0"), 200)
	testwait.For(t, 60*time.Second, sameCatalog(alpha, beta, ids))
	for _, want := range []string{"restored from a backup taken at", "learnt back this node's catalog"} {
		if !strings.Contains(alpha.stderr.String(), want) {
			t.Errorf("alpha's log does not say %q", want)
		}
	}
}

type output struct{ stdout, stderr string }

// fedmartErr runs the binary to completion and returns both its outputs.
func fedmartErr(t *testing.T, args ...string) output {
	t.Helper()
	var stdout, stderr strings.Builder
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("fedmart %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return output{stdout.String(), stderr.String()}
}

// fedmartFails runs the binary, which must fail, and returns its stderr.
func fedmartFails(t *testing.T, args ...string) string {
	t.Helper()
	var stderr strings.Builder
	cmd := exec.Command(binary, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil {
		t.Fatalf("fedmart %s succeeded", strings.Join(args, " "))
	}
	return stderr.String()
}

func addMerchant(t *testing.T, n *procNode, name string) string {
	t.Helper()
	var m struct{ Token string }
	if err := json.Unmarshal(n.must(t, "POST", "/v1/merchants", n.token, map[string]string{"name": name}, 201), &m); err != nil {
		t.Fatal(err)
	}
	return m.Token
}

func listingInput(title, sku string) map[string]any {
	return map[string]any{"title": title, "category": "Home > Kitchen", "brand": "Ferro", "shipping_regions": []string{"DE"},
		"variants": []map[string]any{{"sku": sku, "price": map[string]any{"amount": 2990, "currency": "EUR"}, "stock": 7}}}
}

func createListing(t *testing.T, n *procNode, token, title, sku string) string {
	t.Helper()
	var l struct{ ID string }
	if err := json.Unmarshal(n.must(t, "POST", "/v1/listings", token, listingInput(title, sku), 201), &l); err != nil {
		t.Fatal(err)
	}
	return l.ID
}

// catalogOf describes, one line per listing, what n serves of ids (title,
// version, stock) and how many listings its search finds.
func catalogOf(n *procNode, ids []string) (string, error) {
	var lines []string
	for _, id := range ids {
		s, b, err := n.do("GET", "/v1/catalog/listings/"+id, "", nil)
		if err != nil || s != 200 {
			return "", fmt.Errorf("%s lacks %s: %d %v", n.name, id, s, err)
		}
		var l struct {
			Title    string
			Version  int
			Variants []struct{ Stock int }
		}
		if err := json.Unmarshal(b, &l); err != nil {
			return "", err
		}
		lines = append(lines, fmt.Sprintf("%s %q v%d stock %d", id, l.Title, l.Version, l.Variants[0].Stock))
	}
	slices.Sort(lines)
	s, b, err := n.do("GET", "/v1/catalog/search?limit=100", "", nil)
	var res struct{ Total int }
	if err != nil || s != 200 || json.Unmarshal(b, &res) != nil {
		return "", fmt.Errorf("%s search: %d %v", n.name, s, err)
	}
	return fmt.Sprintf("%s\nsearch finds %d", strings.Join(lines, "\n"), res.Total), nil
}

// sameCatalog is met when a and b serve ids alike and search the same
// number of listings.
func sameCatalog(a, b *procNode, ids []string) func() error {
	return func() error {
		ca, err := catalogOf(a, ids)
		if err != nil {
			return err
		}
		cb, err := catalogOf(b, ids)
		if err != nil {
			return err
		}
		if ca != cb {
			return fmt.Errorf("%s serves\n%s\n%s serves\n%s", a.name, ca, b.name, cb)
		}
		return nil
	}
}
