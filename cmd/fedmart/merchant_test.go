package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// startSolo runs a federation of one node under root, and waits until
// its API answers.
func startSolo(t *testing.T, root string) *procNode {
	t.Helper()
	n := initNode(t, root, "solo")
	charter := filepath.Join(root, "charter.json")
	fedmart(t, "charter", "new", "--out", charter, "--id", "solo", "--name", "Solo", "--currency", "EUR")
	fedmart(t, "charter", "add-member", charter, "--peer", n.peer, "--name", n.name, "--api", "http://"+n.api,
		"--addr", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", n.tcp))
	fedmart(t, "charter", "sign", charter, "--data", n.dir)
	n.start(t, "--charter", charter)
	testwait.For(t, 20*time.Second, func() error {
		_, _, err := n.do("GET", "/healthz", "", nil)
		return err
	})
	return n
}

// fedmartEnv runs the binary with extra environment and returns its
// stdout, stderr and error.
func fedmartEnv(env []string, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// TestMerchantCLIAndTokens adds a merchant, lists merchants and replaces
// tokens from the command line, giving the token each documented way.
func TestMerchantCLIAndTokens(t *testing.T) {
	root := t.TempDir()
	n := startSolo(t, root)
	api, opFile := "http://"+n.api, "@"+filepath.Join(n.dir, "operator.token")
	ferro := filepath.Join(root, "ferro.token")
	out := fedmart(t, "merchant", "add", "Ferro Works", "--api", api, "--token", opFile, "--out", ferro)
	id, _, _ := strings.Cut(strings.TrimPrefix(out, "merchant "), "\n")
	if st, err := os.Stat(ferro); err != nil || st.Mode().Perm() != 0o600 || id == "" {
		t.Fatalf("merchant add: %q, token file %v %v", out, st, err)
	}
	// The token from the environment, as a file or as itself.
	if out, errOut, err := fedmartEnv([]string{tokenEnv + "=" + opFile}, "merchant", "list", "--api", api); err != nil || !strings.Contains(out, "Ferro Works") || errOut != "" {
		t.Fatalf("merchant list with %s=@FILE: %v %q %q", tokenEnv, err, out, errOut)
	}
	if _, errOut, err := fedmartEnv([]string{tokenEnv + "=" + n.token}, "merchant", "list", "--api", api); err != nil || errOut != "" {
		t.Fatalf("merchant list with %s=TOKEN: %v %q", tokenEnv, err, errOut)
	}
	// Inline still works, and warns that ps shows it.
	_, errOut, err := fedmartEnv(nil, "merchant", "list", "--api", api, "--token", n.token)
	if err != nil || !strings.Contains(errOut, "visible to every user of this machine (ps)") {
		t.Errorf("an inline token: %v, stderr %q", err, errOut)
	}
	if _, errOut, err := fedmartEnv([]string{tokenEnv + "="}, "merchant", "list", "--api", api); err == nil || !strings.Contains(errOut, "--token: required") {
		t.Errorf("no token at all: %v %q", err, errOut)
	}
	// The operator replaces the merchant's token: the old one stops working.
	rotated := filepath.Join(root, "ferro-2.token")
	fedmart(t, "merchant", "rotate-token", id, "--api", api, "--token", opFile, "--out", rotated)
	if _, errOut, err := fedmartEnv(nil, "merchant", "rotate-token", "--api", api, "--token", "@"+ferro); err == nil || !strings.Contains(errOut, "HTTP 403") {
		t.Errorf("the replaced token: %v %q, want 403", err, errOut)
	}
	// The merchant replaces its own.
	out, _, err = fedmartEnv([]string{tokenEnv + "=@" + rotated}, "merchant", "rotate-token", "--api", api)
	if err != nil || !strings.Contains(out, "token    fmm_") {
		t.Fatalf("a merchant's own rotation: %v %q", err, out)
	}
}
