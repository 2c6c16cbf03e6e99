package node

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func discard() *slog.Logger {
	if os.Getenv("FEDMART_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// failureLog keeps the last lines of a test's node logs, INFO and up,
// and prints them if the test fails, so that a failure on a busy CI
// machine says what the members did. FEDMART_TEST_LOG prints every line
// as it comes instead.
func failureLog(t *testing.T) *slog.Logger {
	if os.Getenv("FEDMART_TEST_LOG") != "" {
		return discard()
	}
	r := &lastLines{max: 400}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the members' last %d log lines:\n%s", len(r.lines), strings.Join(r.lines, ""))
		}
	})
	return slog.New(slog.NewTextHandler(r, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// lastLines is a writer that keeps the last max lines written to it.
type lastLines struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (r *lastLines) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.lines) == r.max {
		r.lines = append(r.lines[:0], r.lines[1:]...)
	}
	r.lines = append(r.lines, string(p))
	return len(p), nil
}

func TestInitWritesPrivateFilesAndNeverOverwrites(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "alpha")
	opts := InitOptions{DataDir: dir, Name: "Alpha", P2PListen: []string{"/ip4/127.0.0.1/tcp/0"}, API: "127.0.0.1:0"}
	res, err := Init(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"identity.key", "operator.token"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", f, st.Mode().Perm())
		}
	}
	if got := res.Config.Federation.Listen; len(got) != 2 || got[1] != "/ip4/127.0.0.1/udp/0/quic-v1" {
		t.Errorf("listen = %v, want the TCP address and its QUIC sibling", got)
	}
	key, _ := os.ReadFile(filepath.Join(dir, "identity.key"))
	if _, err := Init(opts); !errors.Is(err, ErrExists) {
		t.Fatalf("second init: err = %v, want ErrExists", err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "identity.key")); string(again) != string(key) {
		t.Fatal("second init changed the identity")
	}

	// The identity survives a restart of the node.
	for i := 0; i < 2; i++ {
		cfg, err := LoadConfig(dir)
		if err != nil {
			t.Fatal(err)
		}
		n, err := New(cfg, discard())
		if err != nil {
			t.Fatal(err)
		}
		if n.PeerID() != res.PeerID {
			t.Fatalf("run %d: peer ID %s, want %s", i, n.PeerID(), res.PeerID)
		}
		if err := n.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInitRefusesBadInputAndWritesNothing(t *testing.T) {
	for name, o := range map[string]InitOptions{
		"bad multiaddr": {Name: "A", P2PListen: []string{"/ip4/999.1.1.1/tcp/1"}},
		"bad api":       {Name: "A", API: "localhost"},
		"no name":       {Name: ""},
	} {
		dir := filepath.Join(t.TempDir(), "n")
		o.DataDir = dir
		if _, err := Init(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: left %s behind", name, dir)
		}
	}
}

// A node closed without ever running releases its API port.
func TestCloseWithoutRunReleasesPorts(t *testing.T) {
	cfg, err := initOrLoad(filepath.Join(t.TempDir(), "n"), "N")
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(cfg, discard())
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", cfg.API.Listen)
	if err != nil {
		t.Fatalf("API port still bound after Close: %v", err)
	}
	l.Close()
}
