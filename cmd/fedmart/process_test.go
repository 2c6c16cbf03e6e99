package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// The process-level tests drive the real binary: built once per test run.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fedmart-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "fedmart")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building fedmart: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fedmart runs the binary to completion and returns its stdout.
func fedmart(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("fedmart %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// handedOut are the ports freePort has given in this test binary: a port
// is free again as soon as its probe closes, and the kernel may offer it
// once more, so that one node's API would land on another's libp2p port.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freePort returns a port of network ("tcp" or "udp") on loopback that
// nothing listens on now and that no earlier call returned.
func freePort(t *testing.T, network string) int {
	t.Helper()
	handedOut.Lock()
	defer handedOut.Unlock()
	for {
		p := probePort(t, network)
		if !handedOut.ports[p] {
			handedOut.ports[p] = true
			return p
		}
	}
}

// Ports are probed below the kernel's ephemeral range (32768 and up on
// Linux), which listeners on port 0 draw from: the other test binaries
// running at the same time open libp2p hosts on port 0 all the while, and
// one of them could take a port between its probe here and the node's
// start.
const (
	portLow  = 20000
	portHigh = 32000
)

// probePort returns a port of network below the ephemeral range that is
// free now.
func probePort(t *testing.T, network string) int {
	t.Helper()
	for range 1000 {
		p := portLow + rand.IntN(portHigh-portLow)
		addr := fmt.Sprintf("127.0.0.1:%d", p)
		if network == "udp" {
			if c, err := net.ListenPacket("udp", addr); err == nil {
				c.Close()
				return p
			}
			continue
		}
		if l, err := net.Listen("tcp", addr); err == nil {
			l.Close()
			return p
		}
	}
	t.Fatalf("no free %s port between %d and %d", network, portLow, portHigh)
	return 0
}

// procNode is one initialised node folder and, while running, its process.
type procNode struct {
	name, dir, api, token, peer string
	tcp, udp                    int
	p2p                         []string // libp2p listen addresses, as the charter lists them
	cmd                         *exec.Cmd
	stderr                      *logBuffer // the running process's log, unless logPath is set

	// How start runs the process. wrap prefixes the command line (for
	// example "ip netns exec NS" to run it in a network namespace); env is
	// added to the test's environment; with logPath the log is appended to
	// that file (kept across restarts, and written by the process itself,
	// so that a kill or a goroutine dump loses nothing) instead of stderr;
	// attr, when set, is the process's SysProcAttr.
	wrap    []string
	env     []string
	logPath string
	attr    *syscall.SysProcAttr
}

func initNode(t *testing.T, root, name string) *procNode {
	tcp, udp := freePort(t, "tcp"), freePort(t, "udp")
	n := initNodeAt(t, root, name, fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp")),
		fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", tcp), fmt.Sprintf("/ip4/127.0.0.1/udp/%d/quic-v1", udp))
	n.tcp, n.udp = tcp, udp
	return n
}

// initNodeAt initialises a node folder under root whose API listens on
// api (HOST:PORT) and libp2p on the multiaddrs p2p.
func initNodeAt(t *testing.T, root, name, api string, p2p ...string) *procNode {
	t.Helper()
	n := &procNode{name: name, dir: filepath.Join(root, name), api: api, p2p: p2p}
	args := []string{"init", "--data", n.dir, "--name", name, "--api", n.api, "--sandbox-payments"}
	for _, a := range p2p {
		args = append(args, "--p2p-listen", a)
	}
	fedmart(t, args...)
	n.peer = strings.TrimSpace(fedmart(t, "id", "--data", n.dir))
	tok, _ := os.ReadFile(filepath.Join(n.dir, "operator.token"))
	n.token = strings.TrimSpace(string(tok))
	return n
}

func (n *procNode) start(t *testing.T, args ...string) {
	t.Helper()
	argv := append(append(append([]string{}, n.wrap...), binary, "run", "--data", n.dir), args...)
	n.cmd = exec.Command(argv[0], argv[1:]...)
	n.cmd.SysProcAttr = n.attr
	if len(n.env) > 0 {
		n.cmd.Env = append(os.Environ(), n.env...)
	}
	if n.logPath == "" {
		log, name, began := &logBuffer{}, n.name, time.Now()
		n.stderr, n.cmd.Stderr = log, log
		t.Cleanup(func() { // a failed test says what each run of its nodes warned of
			if t.Failed() {
				t.Logf("%s, the run started %s: its last warnings and errors:\n%s", name, began.Format(time.TimeOnly), warnings(log.String(), 20))
			}
		})
	} else {
		f, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close() // the process holds its own copy
		n.stderr, n.cmd.Stderr = nil, f
	}
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmd := n.cmd
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
}

// members returns the node's view of the other members: name -> connected.
func (n *procNode) members() (map[string]bool, error) {
	req, _ := http.NewRequest("GET", "http://"+n.api+"/v1/federation/members", nil)
	req.Header.Set("Authorization", "Bearer "+n.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		Members []struct {
			Name      string `json:"name"`
			Connected bool   `json:"connected"`
		}
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %s", n.name, b)
	}
	m := map[string]bool{}
	for _, x := range out.Members {
		m[x.Name] = x.Connected
	}
	return m, nil
}

func allConnected(nodes ...*procNode) func() error {
	return func() error {
		for _, n := range nodes {
			m, err := n.members()
			if err != nil {
				return err
			}
			for _, o := range nodes {
				if o != n && !m[o.name] {
					return fmt.Errorf("%s does not see %s connected (%v)", n.name, o.name, m)
				}
			}
		}
		return nil
	}
}

func TestProcessesFormFederationAndRestart(t *testing.T) {
	root := t.TempDir()
	nodes := []*procNode{initNode(t, root, "alpha"), initNode(t, root, "beta"), initNode(t, root, "gamma")}
	charter := filepath.Join(root, "charter.json")
	fedmart(t, "charter", "new", "--out", charter, "--id", "proc-test", "--name", "Process Test", "--currency", "EUR", "--period", "1h")
	for _, n := range nodes {
		fedmart(t, "charter", "add-member", charter, "--peer", n.peer, "--name", n.name, "--api", "http://"+n.api,
			"--addr", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", n.tcp), "--addr", fmt.Sprintf("/ip4/127.0.0.1/udp/%d/quic-v1", n.udp))
	}
	for _, n := range nodes {
		fedmart(t, "charter", "sign", charter, "--data", n.dir)
	}
	if out := fedmart(t, "charter", "verify", charter); !strings.Contains(out, "valid: Process Test") {
		t.Fatalf("verify: %s", out)
	}
	for _, n := range nodes {
		n.start(t, "--charter", charter)
	}
	testwait.For(t, 30*time.Second, allConnected(nodes...))

	beta := nodes[1]
	start := time.Now()
	if err := beta.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- beta.cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("beta exited with %v after SIGTERM\n%s", err, beta.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("beta still running 10 s after SIGTERM")
	}
	t.Logf("beta stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	testwait.For(t, 15*time.Second, func() error {
		m, err := nodes[0].members()
		if err != nil || m["beta"] {
			return fmt.Errorf("alpha still sees beta connected: %v %v", m, err)
		}
		return nil
	})
	beta.start(t) // the charter is stored now
	testwait.For(t, 30*time.Second, allConnected(nodes...))
}

func TestRunRefusesInvalidCharterBeforeListening(t *testing.T) {
	root := t.TempDir()
	a, b := initNode(t, root, "alpha"), initNode(t, root, "beta")
	charter := filepath.Join(root, "charter.json")
	fedmart(t, "charter", "new", "--out", charter, "--id", "bad", "--name", "Bad", "--currency", "EUR")
	for _, n := range []*procNode{a, b} {
		fedmart(t, "charter", "add-member", charter, "--peer", n.peer, "--name", n.name, "--api", "http://"+n.api,
			"--addr", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", n.tcp))
	}
	fedmart(t, "charter", "sign", charter, "--data", a.dir) // beta never signs
	cmd := exec.Command(binary, "run", "--data", a.dir, "--charter", charter)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("run with an under-signed charter: err = %v", err)
	}
	if !strings.Contains(stderr.String(), "beta") || !strings.Contains(stderr.String(), "has not signed") {
		t.Fatalf("the error does not name the missing signer: %s", stderr.String())
	}
	if c, err := net.DialTimeout("tcp", a.api, time.Second); err == nil {
		c.Close()
		t.Fatal("something listens on the API port of a node that refused to start")
	}
	vout, verr := exec.Command(binary, "charter", "verify", charter).CombinedOutput()
	if verr == nil || !strings.Contains(string(vout), "has not signed") {
		t.Fatalf("charter verify: %v %s", verr, vout)
	}

	// An amendment signed by one of two members is refused against its predecessor.
	fedmart(t, "charter", "sign", charter, "--data", b.dir)
	v2 := filepath.Join(root, "charter-v2.json")
	fedmart(t, "charter", "amend", charter, "--out", v2)
	fedmart(t, "charter", "suspend", v2, "--peer", b.peer)
	fedmart(t, "charter", "sign", v2, "--data", a.dir)
	vout, verr = exec.Command(binary, "charter", "verify", v2, "--previous", charter).CombinedOutput()
	if verr == nil || !strings.Contains(string(vout), "1 of 2 active members") {
		t.Fatalf("charter verify --previous of an under-signed amendment: %v %s", verr, vout)
	}
	fedmart(t, "charter", "sign", v2, "--data", b.dir)
	if out := fedmart(t, "charter", "verify", v2, "--previous", charter); !strings.Contains(out, "version 2") {
		t.Fatalf("verify of a signed amendment: %s", out)
	}
}

// logBuffer keeps a running process's log: the process writes it while
// the test reads it.
type logBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// warnings returns the last n lines of log at level WARN or ERROR.
func warnings(log string, n int) string {
	var out []string
	for line := range strings.Lines(log) {
		if level := field(line, "level"); level == "WARN" || level == "ERROR" {
			out = append(out, strings.TrimRight(line, "\n"))
		}
	}
	if len(out) == 0 {
		return "(none)"
	}
	return strings.Join(out[max(0, len(out)-n):], "\n")
}

// field reads key=value or key="quoted value" from a slog text line.
func field(line, key string) string {
	i := strings.Index(line, " "+key+"=")
	if i < 0 {
		return ""
	}
	rest := line[i+len(key)+2:]
	if strings.HasPrefix(rest, `"`) {
		if s, err := strconv.QuotedPrefix(rest); err == nil {
			u, _ := strconv.Unquote(s)
			return u
		}
	}
	v, _, _ := strings.Cut(rest, " ")
	return v
}

// String returns the log so far.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
