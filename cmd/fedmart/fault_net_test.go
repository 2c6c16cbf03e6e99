//go:build linux

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fault suite's network. Every member runs in a network namespace of
// its own, with two links:
//
//   - fed0, the federation network: a veth pair to a bridge. The bridge
//     lives in a hub namespace of its own, so that the root namespace's
//     bridge netfilter and firewall never see federation traffic, and
//     libp2p listens only on the member's address there;
//   - mgmt0, the management link: a veth pair straight to the root
//     namespace, on which the member's API listens. The test reaches every
//     node through it, even one that a nemesis has cut off from the rest.
//
// Names carry the test process's pid, so that parallel runs never share a
// namespace or an interface. All addresses come from one 10.X.Y.0/24 that
// nothing in the root namespace uses yet: management links are the /30s
// at .4i, federation addresses .129 and up (a /25). Only the management
// links touch the root namespace; the root namespace forwards nothing, so
// members can meet only through the bridge.

// Ports inside each namespace: every member has the port space to itself.
const (
	faultP2PPort = 4001
	faultAPIPort = 8080
)

// faultNet is the fault suite's network and the faults in force on it.
type faultNet struct {
	t       *testing.T
	prefix  string // fm<pid>: namespaces are <prefix>-<member>, root-side links <prefix>m<i>
	hub     string // the bridge's namespace
	x, y    int    // the block 10.x.y.0/24
	members []*netMember

	mu    sync.Mutex // guards rules
	rules []nsRule   // iptables rules in force, removed by heal
}

// netMember is one member's place in the network.
type netMember struct {
	name, ns        string
	fedIP, mgmtIP   string // the member's own addresses
	hubPort, hostIF string // the bridge-side end of fed0 (in the hub), the root-side end of mgmt0
}

// nsRule is one iptables rule added in a namespace: the arguments after
// -A or -D.
type nsRule struct {
	ns   string
	spec []string
}

// faultPrereqs skips t unless this process can build the network: root,
// `ip netns` (able to add a namespace) and iptables. With
// FEDMART_FAULT_REQUIRED set it fails instead, so that CI cannot skip it
// by accident.
func faultPrereqs(t *testing.T) {
	t.Helper()
	skip := func(why string) {
		if os.Getenv("FEDMART_FAULT_REQUIRED") != "" {
			t.Fatalf("fault suite required but %s", why)
		}
		t.Skipf("fault suite skipped: %s", why)
	}
	if os.Geteuid() != 0 {
		skip("it needs root for network namespaces, veth pairs and iptables (CI runs it as root)")
	}
	for _, tool := range []string{"ip", "iptables", "bash", "timeout"} {
		if _, err := exec.LookPath(tool); err != nil {
			skip(tool + " is not installed (apt-get install iproute2 iptables)")
		}
	}
	probe := fmt.Sprintf("fm%d-probe", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", probe).CombinedOutput(); err != nil {
		skip(fmt.Sprintf("`ip netns add` does not work here: %v %s", err, out))
	}
	defer exec.Command("ip", "netns", "del", probe).Run()
	if out, err := exec.Command("ip", "netns", "exec", probe, "iptables", "-A", "INPUT", "-i", "lo",
		"-m", "statistic", "--mode", "random", "--probability", "0.05", "-j", "DROP").CombinedOutput(); err != nil {
		skip(fmt.Sprintf("iptables with the statistic match does not work in a namespace: %v %s", err, out))
	}
}

// newFaultNet builds the network for the named members and removes it
// when the test ends, passed or not.
func newFaultNet(t *testing.T, names []string) *faultNet {
	t.Helper()
	removeStale(t)
	fn := &faultNet{t: t, prefix: fmt.Sprintf("fm%d", os.Getpid())}
	fn.hub = fn.prefix + "-hub"
	var err error
	if fn.x, fn.y, err = freeBlock(os.Getpid()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fn.remove)
	fn.must("ip", "netns", "add", fn.hub)
	fn.must("ip", "-n", fn.hub, "link", "add", "br0", "type", "bridge")
	fn.must("ip", "-n", fn.hub, "link", "set", "br0", "up")
	for i, name := range names {
		m := &netMember{name: name, ns: fn.prefix + "-" + name,
			fedIP: fmt.Sprintf("10.%d.%d.%d", fn.x, fn.y, 129+i), mgmtIP: fmt.Sprintf("10.%d.%d.%d", fn.x, fn.y, 4*i+2),
			hubPort: fmt.Sprintf("p%d", i), hostIF: fmt.Sprintf("%sm%d", fn.prefix, i)}
		fn.members = append(fn.members, m)
		fn.must("ip", "netns", "add", m.ns)
		fn.must("ip", "-n", m.ns, "link", "set", "lo", "up")
		fn.must("ip", "link", "add", "fed0", "netns", m.ns, "type", "veth", "peer", "name", m.hubPort, "netns", fn.hub)
		fn.must("ip", "-n", fn.hub, "link", "set", m.hubPort, "master", "br0", "up")
		fn.must("ip", "-n", m.ns, "addr", "add", m.fedIP+"/25", "dev", "fed0")
		fn.must("ip", "-n", m.ns, "link", "set", "fed0", "up")
		fn.must("ip", "link", "add", "mgmt0", "netns", m.ns, "type", "veth", "peer", "name", m.hostIF)
		fn.must("ip", "addr", "add", fmt.Sprintf("10.%d.%d.%d/30", fn.x, fn.y, 4*i+1), "dev", m.hostIF)
		fn.must("ip", "link", "set", m.hostIF, "up")
		fn.must("ip", "-n", m.ns, "addr", "add", m.mgmtIP+"/30", "dev", "mgmt0")
		fn.must("ip", "-n", m.ns, "link", "set", "mgmt0", "up")
	}
	return fn
}

// freeBlock picks 10.x.y.0/24 (x from 200) that no address or route of the
// root namespace mentions, starting from one derived from pid so that
// parallel runs start apart.
func freeBlock(pid int) (int, int, error) {
	addrs, err := exec.Command("ip", "-4", "-o", "addr").Output()
	if err != nil {
		return 0, 0, fmt.Errorf("ip addr: %w", err)
	}
	routes, err := exec.Command("ip", "-4", "route", "show", "table", "all").Output()
	if err != nil {
		return 0, 0, fmt.Errorf("ip route: %w", err)
	}
	used := string(addrs) + string(routes)
	const blocks = 56 * 256
	for i := range blocks {
		k := (pid + i) % blocks
		x, y := 200+k/256, k%256
		if !strings.Contains(used, fmt.Sprintf("10.%d.%d.", x, y)) {
			return x, y, nil
		}
	}
	return 0, 0, errors.New("no free 10.x.y.0/24 for the fault network")
}

// staleName matches the namespaces and root-side links of a fault net,
// with the pid of the process that made it.
var staleName = regexp.MustCompile(`^fm([0-9]+)(-[a-z]+|m[0-9]+)$`)

// removeStale deletes what fault nets of processes that no longer run left
// behind: a test binary killed by a timeout runs no cleanups.
func removeStale(t *testing.T) {
	gone := func(name string) bool {
		m := staleName.FindStringSubmatch(name)
		if m == nil {
			return false
		}
		_, err := os.Stat("/proc/" + m[1])
		return errors.Is(err, fs.ErrNotExist)
	}
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && gone(f[0]) {
			t.Logf("removing namespace %s left by a fault suite that no longer runs", f[0])
			_ = exec.Command("ip", "netns", "del", f[0]).Run()
		}
	}
	out, _ = exec.Command("ip", "-o", "link", "show").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			if name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@"); gone(name) {
				t.Logf("removing link %s left by a fault suite that no longer runs", name)
				_ = exec.Command("ip", "link", "del", name).Run()
			}
		}
	}
}

// remove deletes every namespace (which takes their links and iptables
// rules with them) and any root-side link left behind.
func (fn *faultNet) remove() {
	for _, m := range fn.members {
		_ = exec.Command("ip", "netns", "del", m.ns).Run()
		if exec.Command("ip", "link", "show", m.hostIF).Run() == nil {
			_ = exec.Command("ip", "link", "del", m.hostIF).Run()
		}
	}
	_ = exec.Command("ip", "netns", "del", fn.hub).Run()
}

func (fn *faultNet) must(args ...string) {
	fn.t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		fn.t.Fatalf("%s: %v %s", strings.Join(args, " "), err, out)
	}
}

func runTool(args ...string) error {
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// wrap is the command prefix that runs a program in m's namespace.
func (m *netMember) wrap() []string { return []string{"ip", "netns", "exec", m.ns} }

func (m *netMember) p2p() []string {
	return []string{fmt.Sprintf("/ip4/%s/tcp/%d", m.fedIP, faultP2PPort), fmt.Sprintf("/ip4/%s/udp/%d/quic-v1", m.fedIP, faultP2PPort)}
}

func (m *netMember) api() string { return fmt.Sprintf("%s:%d", m.mgmtIP, faultAPIPort) }

// addRule adds an iptables rule in ns and remembers it for heal.
func (fn *faultNet) addRule(ns string, spec ...string) error {
	if err := runTool(append([]string{"ip", "netns", "exec", ns, "iptables", "-A"}, spec...)...); err != nil {
		return err
	}
	fn.mu.Lock()
	defer fn.mu.Unlock()
	fn.rules = append(fn.rules, nsRule{ns: ns, spec: spec})
	return nil
}

// heal removes every iptables rule and brings every bridge port up.
func (fn *faultNet) heal() error {
	fn.mu.Lock()
	rules := fn.rules
	fn.rules = nil
	fn.mu.Unlock()
	var errs []error
	for _, r := range rules {
		errs = append(errs, runTool(append([]string{"ip", "netns", "exec", r.ns, "iptables", "-D"}, r.spec...)...))
	}
	for _, m := range fn.members {
		errs = append(errs, runTool("ip", "-n", fn.hub, "link", "set", m.hubPort, "up"))
	}
	return errors.Join(errs...)
}

// lossy drops each packet on m's federation link with probability p, in
// both directions.
func (fn *faultNet) lossy(m *netMember, p float64) error {
	prob := strconv.FormatFloat(p, 'f', -1, 64)
	return errors.Join(
		fn.addRule(m.ns, "INPUT", "-i", "fed0", "-m", "statistic", "--mode", "random", "--probability", prob, "-j", "DROP"),
		fn.addRule(m.ns, "OUTPUT", "-o", "fed0", "-m", "statistic", "--mode", "random", "--probability", prob, "-j", "DROP"))
}

// dropped counts the packets the random-drop rules in m's namespace have
// dropped so far.
func (fn *faultNet) dropped(m *netMember) (int64, error) {
	out, err := exec.Command("ip", "netns", "exec", m.ns, "iptables", "-L", "-v", "-x", "-n").Output()
	if err != nil {
		return 0, err
	}
	var n int64
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[2] == "DROP" && strings.Contains(line, "statistic") {
			c, _ := strconv.ParseInt(f[0], 10, 64)
			n += c
		}
	}
	return n, nil
}

// cut takes m's port on the bridge down: m reaches no member, no member
// reaches m.
func (fn *faultNet) cut(m *netMember) error {
	return runTool("ip", "-n", fn.hub, "link", "set", m.hubPort, "down")
}

// split drops all federation traffic between the groups a and b, inside
// every member's namespace, both ways.
func (fn *faultNet) split(a, b []*netMember) error {
	var errs []error
	for _, x := range a {
		for _, y := range b {
			for _, p := range [][2]*netMember{{x, y}, {y, x}} {
				errs = append(errs, fn.addRule(p[0].ns, "INPUT", "-s", p[1].fedIP, "-j", "DROP"),
					fn.addRule(p[0].ns, "OUTPUT", "-d", p[1].fedIP, "-j", "DROP"))
			}
		}
	}
	return errors.Join(errs...)
}

// netem reports whether this kernel has the netem qdisc (many CI kernels
// lack sch_netem), trying it on the hub's loopback.
func (fn *faultNet) netem() error {
	if err := runTool("ip", "netns", "exec", fn.hub, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"); err != nil {
		return err
	}
	return runTool("ip", "netns", "exec", fn.hub, "tc", "qdisc", "del", "dev", "lo", "root")
}

// slow delays m's outgoing federation packets (netem only).
func (fn *faultNet) slow(m *netMember, delay, jitter time.Duration) error {
	return runTool("ip", "netns", "exec", m.ns, "tc", "qdisc", "add", "dev", "fed0", "root", "netem",
		"delay", delay.String(), jitter.String())
}

func (fn *faultNet) unslow(m *netMember) error {
	return runTool("ip", "netns", "exec", m.ns, "tc", "qdisc", "del", "dev", "fed0", "root")
}

// reach opens a TCP connection from inside from's namespace to to's
// libp2p port: nil when it connects within two seconds. It proves a cut
// from outside the nodes, whatever they believe.
func (fn *faultNet) reach(from, to *netMember) error {
	script := fmt.Sprintf("exec 3<>/dev/tcp/%s/%d", to.fedIP, faultP2PPort)
	if out, err := exec.Command("ip", "netns", "exec", from.ns, "timeout", "2", "bash", "-c", script).CombinedOutput(); err != nil {
		return fmt.Errorf("%s cannot reach %s: %v %s", from.name, to.name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// reachAll checks every ordered pair of members at once: blocked names the
// pairs that must not connect, every other pair must.
func (fn *faultNet) reachAll(blocked func(a, b *netMember) bool) error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for _, a := range fn.members {
		for _, b := range fn.members {
			if a == b {
				continue
			}
			wg.Go(func() {
				err := fn.reach(a, b)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case blocked(a, b) && err == nil:
					errs = append(errs, fmt.Errorf("%s still reaches %s through the cut", a.name, b.name))
				case !blocked(a, b) && err != nil:
					errs = append(errs, err)
				}
			})
		}
	}
	wg.Wait()
	return errors.Join(errs...)
}
