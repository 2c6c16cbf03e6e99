//go:build linux

package main

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// TestFaultSuite runs four members as real processes, each in its own
// network namespace, under a workload of checkouts, fulfilment and
// catalog churn, while nemeses strike one after another: a lossy link, a
// slow link (where the kernel has netem), one member cut off, the
// federation split in halves, one member killed with SIGKILL and
// restarted; one member runs with its clock ahead the whole time. Then,
// with every fault healed and the load stopped, it waits for DESIGN's
// invariants to hold (catalog, orders, stock, outboxes, agreed periods,
// netting) and reports how long each took.
//
// FEDMART_FAULT_SEED=N replays a run's choices (members' roles, listings,
// carts, merchants' decisions); the seed is printed first.
// FEDMART_FAULT_NEMESES=cut,kill plays only the nemeses named (see
// nemesisWanted).
func TestFaultSuite(t *testing.T) {
	faultPrereqs(t)
	began := time.Now()
	seed := faultSeed(t)
	names := []string{"alpha", "beta", "gamma", "delta"}
	fn := newFaultNet(t, names)
	keep := keptDir(t)
	members, skewed := startFaultMembers(t, fn, keep, names, rand.New(rand.NewPCG(seed, 1)))

	load := newFaultLoad(members, seed)
	load.setup(t)
	listings, _, _ := load.snapshot()
	if err := testwait.Until(60*time.Second, time.Second, (&faultCheck{members: members, listings: listings}).catalog); err != nil {
		t.Fatalf("the first listings did not reach every member: %v", err)
	}
	t.Logf("setup done in %s: %d members, %d listings everywhere", time.Since(began).Round(time.Second), len(members), len(listings))

	sched := newSchedule(t, fn, members, rand.New(rand.NewPCG(seed, 2)))
	if skewed != nil {
		sched.done = append(sched.done, fmt.Sprintf("clock %s ahead on %s", faultClockOffset, skewed.name))
	}
	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	loadStart := time.Now()
	waitLoad := load.run(ctx)
	sched.play(loadStart)
	if err := fn.heal(); err != nil {
		t.Errorf("healing: %v", err)
	}
	stopLoad()
	waitLoad()
	loadStop := time.Now()

	listings, orders, counts := load.snapshot()
	if len(orders) == 0 { // checks over no orders prove nothing
		t.Fatalf("no checkout was acknowledged: %s", tally(counts))
	}
	check := &faultCheck{members: members, listings: listings, orders: orders, periods: periodsBetween(loadStart, loadStop), lost: sched.lost, lostAt: sched.lostAt}
	last, _ := time.Parse(time.RFC3339, check.periods[len(check.periods)-1])
	deadline := maxTime(loadStop.Add(60*time.Second), last.Add(time.Minute+50*time.Second)) // the last period ends, closes, reconciles
	t.Logf("load stopped after %s: %s", loadStop.Sub(loadStart).Round(time.Second), tally(counts))
	t.Logf("checking until %s; periods %s", deadline.Format(time.TimeOnly), strings.Join(check.periods, ", "))
	invs := check.converge(loadStop, deadline)
	took := verdicts(t, invs)
	for _, m := range members {
		t.Logf("%s log: %s", m.name, logDigest(m.logPath))
	}
	if t.Failed() {
		dumpFault(t, members)
	}
	parts := 0
	for _, o := range orders {
		parts += len(o.parts)
	}
	lost := ""
	if n := check.lostParts(); n > 0 {
		lost = fmt.Sprintf(" (%d of them %s's own sales to its own shoppers, held by no other member, lost with its disk as documented)", n, sched.lost.name)
	}
	t.Logf("fault suite seed %d: %d orders acknowledged (%d parts%s) of %d checkouts; %d faults (%s); converged: %s; load %s, whole %s",
		seed, len(orders), parts, lost, checkouts(counts), len(sched.done), strings.Join(sched.done, ", "), took,
		loadStop.Sub(loadStart).Round(time.Second), time.Since(began).Round(time.Second))
}

// verdicts fails t for every invariant that did not hold and says how
// long each that held took.
func verdicts(t *testing.T, invs []*invariant) string {
	t.Helper()
	var took []string
	for _, inv := range invs {
		if inv.err != nil {
			took = append(took, inv.name+" never")
			t.Errorf("invariant %s does not hold: %v", inv.name, inv.err)
			continue
		}
		took = append(took, fmt.Sprintf("%s %s", inv.name, inv.took.Round(100*time.Millisecond)))
	}
	return strings.Join(took, ", ")
}

// faultSeed is FEDMART_FAULT_SEED, or a new seed.
func faultSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("FEDMART_FAULT_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("FEDMART_FAULT_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (replay with FEDMART_FAULT_SEED=%d)", seed, seed)
	return seed
}

// keptDir holds the members' folders and logs: removed when the test
// passes, kept (and named) when it fails.
func keptDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "fedmart-fault-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("members' folders and logs kept in %s", dir)
			return
		}
		os.RemoveAll(dir)
	})
	return dir
}

// Node settings for the suite. Holds are short, so that the holds of
// checkouts a fault cut short expire during the run; reconnects back off
// at most a few seconds, so that the checks measure how the federation
// converges rather than the default 30 s dial backoff; and the per-client
// budgets are off, since the whole workload is one client.
var faultConfig = [][2]string{
	{"hold_ttl: 10m0s", "hold_ttl: 4s"},
	{"max_backoff: 30s", "max_backoff: 5s"},
	{"accounts: 10/1h", "accounts: \"off\""},
	{"signins: 30/10m", "signins: \"off\""},
	{"checkouts: 60/1h", "checkouts: \"off\""},
}

// faultClockOffset is how far ahead the clock of one member runs.
const faultClockOffset = "6s"

// startFaultMembers initialises a member in each namespace, signs a
// charter with one-minute settlement periods, starts them and waits until
// all are connected.
func startFaultMembers(t *testing.T, fn *faultNet, root string, names []string, rng *rand.Rand) (members []*faultMember, skewed *faultMember) {
	t.Helper()
	members = make([]*faultMember, len(names))
	var procs []*procNode
	for i, name := range names {
		nm := fn.members[i]
		n := initNodeAt(t, root, name, nm.api(), nm.p2p()...)
		n.wrap, n.logPath = nm.wrap(), filepath.Join(root, name+".log")
		// Should the test binary die without its cleanups (a go test
		// timeout), its nodes die with it.
		n.attr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		tuneConfig(t, n.dir, faultConfig)
		members[i], procs = &faultMember{procNode: n, net: nm, idx: i}, append(procs, n)
	}
	if skewed = members[rng.IntN(len(members))]; nemesisWanted("clock") {
		skewed.env = []string{"FEDMART_CLOCK_OFFSET=" + faultClockOffset}
		t.Logf("%s runs with FEDMART_CLOCK_OFFSET=%s", skewed.name, faultClockOffset)
	} else {
		skewed = nil
	}

	charter := filepath.Join(root, "charter.json")
	fedmart(t, "charter", "new", "--out", charter, "--id", "fault-suite", "--name", "Fault Suite", "--currency", "EUR",
		"--period", "1m", "--federation-fee-bps", "100", "--treasury", members[0].peer)
	for _, m := range members {
		args := []string{"charter", "add-member", charter, "--peer", m.peer, "--name", m.name, "--api", "http://" + m.api}
		for _, a := range m.p2p {
			args = append(args, "--addr", a)
		}
		fedmart(t, args...)
	}
	for _, m := range members {
		fedmart(t, "charter", "sign", charter, "--data", m.dir)
	}
	for _, m := range members {
		m.start(t, "--charter", charter)
	}
	testwait.For(t, 60*time.Second, allConnected(procs...))
	return members, skewed
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func checkouts(counts map[string]int) int {
	n := 0
	for k, v := range counts {
		if strings.HasPrefix(k, "checkout ") && k != "checkout unanswered" {
			n += v
		}
	}
	return n
}

// logDigest counts a member's warnings and errors by message, most
// frequent first.
func logDigest(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	counts := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		line := sc.Text()
		level := field(line, "level")
		if level != "WARN" && level != "ERROR" {
			continue
		}
		counts[level+" "+field(line, "msg")]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(counts[b]-counts[a], strings.Compare(a, b)) })
	if len(keys) == 0 {
		return "no warnings or errors"
	}
	var b strings.Builder
	for i, k := range keys[:min(8, len(keys))] {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%d× %s", counts[k], k)
	}
	return b.String()
}

// dumpFault shows what helps to diagnose a failed convergence: each
// member's own report and last log lines, then a goroutine dump of each
// (SIGQUIT makes a Go process write one to its log, and exit).
func dumpFault(t *testing.T, members []*faultMember) {
	t.Helper()
	for _, m := range members {
		t.Logf("%s", nodeReport(m))
	}
	for _, m := range members {
		b, _ := os.ReadFile(m.logPath)
		t.Logf("last lines of %s:\n%s", m.logPath, lastLines(string(b), 12, 300))
	}
	for _, m := range members {
		if m.cmd == nil || m.cmd.ProcessState != nil {
			continue
		}
		_ = m.cmd.Process.Signal(syscall.SIGQUIT)
		done := make(chan struct{})
		go func() { _ = m.cmd.Wait(); close(done) }()
		select {
		case <-done:
			t.Logf("%s: goroutine dump written to %s", m.name, m.logPath)
		case <-time.After(10 * time.Second):
			t.Logf("%s: no exit 10 s after SIGQUIT; killed", m.name)
			_ = m.cmd.Process.Kill()
			<-done
		}
	}
}

// lastLines returns the last n lines of s, each cut to width bytes.
func lastLines(s string, n, width int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	lines = lines[max(0, len(lines)-n):]
	for i, l := range lines {
		if len(l) > width {
			lines[i] = l[:width] + "..."
		}
	}
	return strings.Join(lines, "\n")
}
