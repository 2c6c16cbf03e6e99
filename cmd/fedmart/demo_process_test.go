package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// demoRun is one start of the demo under a parent process.
type demoRun struct {
	parent *exec.Cmd
	out    string            // what it printed up to its walk-through's last line
	apis   []string          // every member's API address (HOST:PORT)
	pid    int               // the demo's own process, as it prints it
	tokens map[string]string // merchant name to token
	home   map[string]string // merchant name to member name
}

var (
	demoAPI   = regexp.MustCompile(`storefront  http://(127\.0\.0\.1:\d+)/`)
	demoPid   = regexp.MustCompile(`kill -TERM (\d+)`)
	demoToken = regexp.MustCompile(`(?m)^  (\S+ \S+)\s+(.+?)\s+\d+ listings  (fmm_\S+)`)
)

// startDemo starts argv (the demo, or a parent that runs it) and reads
// what the demo prints until its walk-through ends.
func startDemo(t *testing.T, argv ...string) *demoRun {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // a group of its own, as a terminal gives a job
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// A file, not a pipe: Wait on a parent then does not wait for its
	// child, which may outlive it.
	stderr, err := os.CreateTemp(t.TempDir(), "demo-stderr-")
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &demoRun{parent: cmd, tokens: map[string]string{}, home: map[string]string{}}
	t.Cleanup(func() {
		if r.pid > 0 {
			_ = syscall.Kill(r.pid, syscall.SIGKILL)
		}
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "the end of the process that started it") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	r.out = out.String()
	for _, m := range demoAPI.FindAllStringSubmatch(r.out, -1) {
		r.apis = append(r.apis, m[1])
	}
	for _, m := range demoToken.FindAllStringSubmatch(r.out, -1) {
		r.home[m[2]], r.tokens[m[2]] = m[1], m[3]
	}
	if m := demoPid.FindStringSubmatch(r.out); m != nil {
		r.pid, _ = strconv.Atoi(m[1])
	}
	if len(r.apis) != 2 || len(r.tokens) != 2 || r.pid == 0 {
		log, _ := os.ReadFile(stderr.Name())
		t.Fatalf("%s: want two members' URLs and merchant tokens and the demo's pid, got:\n%s\nstderr:\n%s", strings.Join(argv, " "), r.out, log)
	}
	return r
}

// stopped waits until every member's API port is closed and the demo's
// databases are closed: merchant list --data reads them itself (it could
// not while the demo held their locks), and finds every merchant with its
// kept token.
func (r *demoRun) stopped(t *testing.T, dir string) string {
	t.Helper()
	testwait.For(t, time.Minute, func() error {
		for _, a := range r.apis {
			if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
				c.Close()
				return fmt.Errorf("%s still accepts connections", a)
			}
		}
		return nil
	})
	var list string
	testwait.For(t, time.Minute, func() error {
		// Between the ports closing and the databases closing, the list
		// finds a database locked and an API that does not answer.
		out, errOut, err := fedmartEnv(nil, "merchant", "list", "--data", dir)
		if err != nil {
			return fmt.Errorf("merchant list --data: %v: %s", err, errOut)
		}
		list = out
		if n := strings.Count(list, "stopped: read from its database"); n != 2 {
			return fmt.Errorf("merchant list --data reads %d of 2 members' databases itself:\n%s", n, list)
		}
		return nil
	})
	return list
}

// TestDemoKeepsTokensAndStopsWithItsParent runs the demo with --data as
// a newcomer would, under go run, then from the binary: it prints the
// merchants' tokens on every start (the same ones, but for a token
// replaced meanwhile), merchant list --data lists them whether the demo
// runs or not, and the demo stops cleanly, its ports closed and its
// databases readable, when kill -TERM ends go run (which leaves its child
// running) and on kill -INT to itself.
func TestDemoKeepsTokensAndStopsWithItsParent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the demo with go run and starts it twice")
	}
	dir := t.TempDir()
	args := []string{"demo", "--data", dir, "--members", "2", "--merchants", "1", "--listings", "5"}
	first := startDemo(t, append([]string{"go", "run", "."}, args...)...)

	// While it runs, through each member's API with its operator token.
	list := fedmart(t, "merchant", "list", "--data", dir)
	for name, tok := range first.tokens {
		if !strings.Contains(list, name) || !strings.Contains(list, tok) {
			t.Errorf("merchant list --data while the demo runs does not show %s with its token %s:\n%s", name, tok, list)
		}
	}
	if strings.Count(list, "running at http://127.0.0.1:") != 2 {
		t.Errorf("merchant list --data does not say the members run:\n%s", list)
	}
	// Alpha's operator replaces its merchant's token in the meantime.
	var alphaMerchant string
	for name, member := range first.home {
		if member == "Alpha Market" {
			alphaMerchant = name
		}
	}
	opTok := regexp.MustCompile(`operator token (\S+)`).FindStringSubmatch(first.out)[1]
	merchantID := regexp.MustCompile(`(?m)^  (\S+)\s+` + regexp.QuoteMeta(alphaMerchant)).FindStringSubmatch(list)
	if alphaMerchant == "" || merchantID == nil {
		t.Fatalf("no merchant of Alpha Market in the demo's output and the list:\n%s\n%s", first.out, list)
	}
	req, _ := http.NewRequest("POST", "http://"+first.apis[0]+"/v1/merchants/"+merchantID[1]+"/token", nil)
	req.Header.Set("Authorization", "Bearer "+opTok)
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("rotating %s's token: %v %v", alphaMerchant, res, err)
	} else {
		res.Body.Close()
	}

	// kill -TERM on go run ends the go command at once; the demo sees that
	// the process that started it is gone and stops.
	if err := first.parent.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = first.parent.Wait()
	list = first.stopped(t, dir)
	for name, tok := range first.tokens {
		if shown := strings.Contains(list, tok); shown == (name == alphaMerchant) {
			t.Errorf("merchant list --data of the stopped demo shows %s's kept token: %v; want it only where it still works:\n%s", name, shown, list)
		}
	}

	// Started again from the same folder, from the binary: the same
	// tokens, and a new one for the merchant whose kept token no longer
	// works.
	second := startDemo(t, append([]string{binary}, args...)...)
	for name, tok := range first.tokens {
		got := second.tokens[name]
		switch {
		case name == alphaMerchant && (got == tok || !strings.Contains(second.out, got+"  (new token)")):
			t.Errorf("after its token was replaced, %s is shown %q, want a new token marked new:\n%s", name, got, second.out)
		case name != alphaMerchant && got != tok:
			t.Errorf("restarted with --data, the demo shows %s's token %q, want the same %q:\n%s", name, got, tok, second.out)
		}
	}
	if !strings.Contains(second.out, "   5 listings") {
		t.Errorf("restarted, the demo does not count the merchants' listings:\n%s", second.out)
	}
	// kill -INT on the demo's own process stops it cleanly.
	if err := second.parent.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := second.parent.Wait(); err != nil {
		t.Errorf("the demo ended with %v after SIGINT", err)
	}
	list = second.stopped(t, dir)
	for name, tok := range second.tokens {
		if !strings.Contains(list, tok) {
			t.Errorf("merchant list --data does not show %s's token %s:\n%s", name, tok, list)
		}
	}
}
