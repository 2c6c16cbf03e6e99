//go:build linux

package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fedmart/fedmart/internal/testwait"
)

// nemesis is one fault of the schedule. It stays in force for hold; just
// before it is healed, verify proves from outside the nodes that it really
// is in force (a cut that lets traffic through would make every check
// after it meaningless).
type nemesis struct {
	kind   string // as FEDMART_FAULT_NEMESES names it
	name   string
	hold   time.Duration
	start  func() error
	verify func() error
	stop   func() error
}

// schedule is the nemeses, one after another with quiet gaps between.
type schedule struct {
	t    *testing.T
	list []nemesis
	gap  time.Duration // quiet time after each nemesis
	tail time.Duration // quiet time before the load stops
	done []string      // the nemeses played, for the summary
	// lost is the member whose disk was restored from a backup taken
	// before the load, once that nemesis ran (nil otherwise), and lostAt
	// when it was killed.
	lost   *faultMember
	lostAt time.Time
}

// Nemesis parameters.
const (
	faultHold = 20 * time.Second // lossy link, slow link, cut, halves
	faultDown = 3 * time.Second  // a killed member stays down
	faultGap  = 6 * time.Second
	faultTail = 8 * time.Second
	faultLoss = 0.05
)

// newSchedule deals the members their roles with rng and lines up the
// nemeses.
func newSchedule(t *testing.T, fn *faultNet, members []*faultMember, rng *rand.Rand) *schedule {
	s := &schedule{t: t, gap: faultGap, tail: faultTail}
	perm := rng.Perm(len(members))
	lossy, cut, killed, restored := members[perm[0]], members[perm[1]], members[perm[2]], members[perm[3%len(members)]]
	backup := onlineBackup(t, restored)
	var list []nemesis
	list = append(list, nemesis{
		kind: "loss", name: fmt.Sprintf("%.0f%% loss on %s", faultLoss*100, lossy.name), hold: faultHold,
		start:  func() error { return fn.lossy(lossy.net, faultLoss) },
		verify: func() error { return droppedSome(fn, lossy) },
		stop:   fn.heal,
	})
	if err := fn.netem(); err != nil {
		t.Logf("no netem on this kernel (%v): skipping the slow-link nemesis", err)
	} else {
		slow := members[perm[3]]
		list = append(list, nemesis{
			kind: "slow", name: "150ms delay on " + slow.name, hold: faultHold,
			start: func() error { return fn.slow(slow.net, 150*time.Millisecond, 50*time.Millisecond) },
			stop:  func() error { return fn.unslow(slow.net) },
		})
	}
	list = append(list, nemesis{
		kind: "cut", name: cut.name + " cut off", hold: faultHold,
		start: func() error { return fn.cut(cut.net) },
		verify: func() error {
			s.observe(members, func(a, b *faultMember) bool { return a == cut || b == cut })
			return fn.reachAll(func(a, b *netMember) bool { return a == cut.net || b == cut.net })
		},
		stop: fn.heal,
	})
	order := rng.Perm(len(members))
	left := func(m *faultMember) bool { return slices.Index(order, m.idx) < len(members)/2 }
	var a, b []*netMember
	var an, bn []string
	for _, m := range members {
		if left(m) {
			a, an = append(a, m.net), append(an, m.name)
		} else {
			b, bn = append(b, m.net), append(bn, m.name)
		}
	}
	list = append(list, nemesis{
		kind: "halves", name: fmt.Sprintf("halves %v|%v", an, bn), hold: faultHold,
		start: func() error { return fn.split(a, b) },
		verify: func() error {
			s.observe(members, func(x, y *faultMember) bool { return left(x) != left(y) })
			return fn.reachAll(func(x, y *netMember) bool { return slices.Contains(a, x) != slices.Contains(a, y) })
		},
		stop: fn.heal,
	})
	list = append(list, nemesis{
		kind: "kill", name: "kill -9 of " + killed.name, hold: faultDown,
		start: func() error { killed.kill9(); return nil },
		verify: func() error {
			if code, _, err := killed.do("GET", "/healthz", "", nil); err == nil {
				return fmt.Errorf("%s answers %d after kill -9", killed.name, code)
			}
			return nil
		},
		stop: func() error { return restartMember(t, killed) },
	})
	list = append(list, nemesis{
		kind: "restore", name: "disk of " + restored.name + " lost, restored from a backup taken before the load", hold: faultDown,
		start: func() error {
			restored.kill9()
			s.lost, s.lostAt = restored, time.Now()
			out, err := exec.Command(binary, "restore", "--data", restored.dir, backup).CombinedOutput()
			if err != nil {
				return fmt.Errorf("fedmart restore: %v\n%s", err, out)
			}
			return nil
		},
		verify: func() error {
			if code, _, err := restored.do("GET", "/healthz", "", nil); err == nil {
				return fmt.Errorf("%s answers %d while its disk is being restored", restored.name, code)
			}
			return nil
		},
		stop: func() error { return restartMember(t, restored) },
	})
	for _, n := range list {
		if nemesisWanted(n.kind) {
			s.list = append(s.list, n)
		} else {
			t.Logf("FEDMART_FAULT_NEMESES leaves out %s", n.name)
		}
	}
	return s
}

// onlineBackup backs m up through its running API, as an operator's
// nightly job would, and returns the file.
func onlineBackup(t *testing.T, m *faultMember) string {
	file := filepath.Join(t.TempDir(), m.name+".backup")
	fedmart(t, "backup", "--data", m.dir, "--out", file)
	return file
}

// nemesisWanted reports whether FEDMART_FAULT_NEMESES (a comma-separated
// list of loss, slow, cut, halves, kill, restore and clock; "none" for a run
// without faults) asks for nemeses of kind; unset, it asks for all. It
// narrows a replay down to the fault that matters, or runs the workload
// alone for comparison.
func nemesisWanted(kind string) bool {
	v, ok := os.LookupEnv("FEDMART_FAULT_NEMESES")
	return !ok || slices.Contains(strings.Split(v, ","), kind)
}

// droppedSome checks that the lossy link's rules have dropped packets.
func droppedSome(fn *faultNet, m *faultMember) error {
	n, err := fn.dropped(m.net)
	if err != nil {
		return err
	}
	fn.t.Logf("the lossy link of %s dropped %d packets", m.name, n)
	if n == 0 {
		return errors.New("the lossy link dropped nothing")
	}
	return nil
}

// restart starts a killed member on its data folder again and waits until
// it is ready.
func restartMember(t *testing.T, m *faultMember) error {
	m.start(t)
	return testwait.Until(60*time.Second, 200*time.Millisecond, func() error {
		s, b, err := m.do("GET", "/readyz", "", nil)
		if err != nil || s != 200 {
			return fmt.Errorf("%s not ready after restart: %d %s %v", m.name, s, b, err)
		}
		return nil
	})
}

// observe logs what the members themselves believe while a cut is in
// force: which members that the cut separates from them they still show
// as connected. It asserts nothing (the cut is proven by reachAll); a
// member shown connected across a cut is worth knowing.
func (s *schedule) observe(members []*faultMember, cut func(a, b *faultMember) bool) {
	for _, m := range members {
		conn, err := m.members()
		if err != nil {
			s.t.Logf("  %s's members: %v", m.name, err)
			continue
		}
		var across []string
		for _, o := range members {
			if o != m && cut(m, o) && conn[o.name] {
				across = append(across, o.name)
			}
		}
		if len(across) > 0 {
			s.t.Logf("  %s still shows %v connected across the cut", m.name, across)
		}
	}
}

// warmup is how long the load runs before the first nemesis: long enough
// that the load stops between 35 and 50 s into a settlement minute
// (periods are minutes of the Unix epoch), so that the period it stops in
// ends soon after and the checks need not wait long for it to close,
// while the clock that runs a few seconds ahead is still in that period.
func (s *schedule) warmup(loadStart time.Time) time.Duration {
	const least = 5 * time.Second
	total := least + s.tail + faultGap*time.Duration(len(s.list))
	for _, n := range s.list {
		total += n.hold
	}
	sec := loadStart.Add(total + 3*time.Second).Second() // a restart takes a few seconds
	switch {
	case sec < 35:
		return least + time.Duration(35-sec)*time.Second
	case sec > 50:
		return least + time.Duration(95-sec)*time.Second
	}
	return least
}

// play runs the schedule, logging each nemesis with its time.
func (s *schedule) play(loadStart time.Time) {
	stamp := func() string {
		now := time.Now()
		return fmt.Sprintf("%s (+%s)", now.Format("15:04:05.0"), now.Sub(loadStart).Round(100*time.Millisecond))
	}
	warm := s.warmup(loadStart)
	s.t.Logf("%s load running; first nemesis after %s", stamp(), warm)
	time.Sleep(warm)
	for _, n := range s.list {
		s.t.Logf("%s nemesis: %s", stamp(), n.name)
		if err := n.start(); err != nil {
			s.t.Errorf("nemesis %s did not start: %v", n.name, err)
		}
		time.Sleep(n.hold)
		if n.verify != nil {
			if err := n.verify(); err != nil {
				s.t.Errorf("nemesis %s was not in force: %v", n.name, err)
			}
		}
		if err := n.stop(); err != nil {
			s.t.Errorf("nemesis %s did not heal: %v", n.name, err)
		}
		s.t.Logf("%s healed: %s", stamp(), n.name)
		s.done = append(s.done, n.name)
		time.Sleep(s.gap)
	}
	time.Sleep(s.tail)
	s.t.Logf("%s stopping the load", stamp())
}
