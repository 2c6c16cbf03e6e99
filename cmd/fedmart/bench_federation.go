package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fedmart/fedmart/federation"
	"github.com/fedmart/fedmart/node"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/spf13/cobra"
)

const meshRounds = 3

func benchFederation(cmd *cobra.Command, o benchOptions) (report, error) {
	ctx := cmd.Context()
	var mesh, bare []time.Duration
	for i := 0; i < meshRounds; i++ {
		fmt.Fprintf(cmd.ErrOrStderr(), "mesh round %d/%d: %d members...\n", i+1, meshRounds, o.members)
		d, err := timeFedmartMesh(ctx, o.members)
		if err != nil {
			return report{}, err
		}
		mesh = append(mesh, d)
		b, err := timeBareMesh(ctx, o.members)
		if err != nil {
			return report{}, err
		}
		bare = append(bare, b)
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "idle memory: starting a node process and a bare libp2p host process...")
	rss, err := idleNodeRSS(ctx)
	if err != nil {
		return report{}, err
	}
	bareRSS, err := idleProcessRSS(ctx, []string{"bench", "bare-host"}, nil)
	if err != nil {
		return report{}, err
	}
	return report{Figures: []figure{
		{Name: fmt.Sprintf("full mesh of %d members (median of %d)", o.members, meshRounds), Unit: "ms", Value: ms(median(mesh)),
			Baseline: "bare libp2p hosts, same transports", Base: ms(median(bare)), Goal: "< 2000 ms"},
		{Name: "idle node resident memory", Unit: "MiB", Value: rss, Baseline: "bare libp2p host process", Base: bareRSS, Goal: "< 80 MiB"},
	}}, nil
}

// timeFedmartMesh starts a cluster and measures from Run until every member
// reports every other member connected.
func timeFedmartMesh(ctx context.Context, n int) (time.Duration, error) {
	c, remove, err := newBenchCluster(n, "strict")
	if err != nil {
		return 0, err
	}
	defer remove()
	defer c.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	for !fullMesh(c) {
		select {
		case err := <-done:
			return 0, fmt.Errorf("cluster stopped: %v", err)
		case <-time.After(2 * time.Millisecond):
		}
		if time.Since(start) > time.Minute {
			return 0, fmt.Errorf("no full mesh after a minute")
		}
	}
	d := time.Since(start)
	cancel()
	<-done
	return d, nil
}

func fullMesh(c *node.Cluster) bool {
	for _, n := range c.Nodes {
		for _, m := range n.Federation().Members() {
			if !m.Connected {
				return false
			}
		}
	}
	return true
}

// timeBareMesh connects n plain libp2p hosts (TCP+QUIC, Noise, yamux) to
// each other, every pair once, all at the same time.
func timeBareMesh(ctx context.Context, n int) (time.Duration, error) {
	hosts := make([]host.Host, n)
	for i := range hosts {
		h, err := bareHost()
		if err != nil {
			return 0, err
		}
		defer h.Close()
		hosts[i] = h
	}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n*n)
	for i := range hosts {
		for j := i + 1; j < n; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := hosts[i].Connect(ctx, peer.AddrInfo{ID: hosts[j].ID(), Addrs: hosts[j].Addrs()}); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	d := time.Since(start)
	close(errs)
	for err := range errs {
		return 0, err
	}
	return d, nil
}

func bareHost() (host.Host, error) {
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	return federation.BuildHost(key, []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/udp/0/quic-v1"}, nil, nil)
}

// newBenchIdle is the hidden helper process that holds a bare libp2p host
// open, so that its memory can be measured beside an idle node's.
func newBenchIdle() *cobra.Command {
	return &cobra.Command{
		Use: "bare-host", Hidden: true, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, err := bareHost()
			if err != nil {
				return err
			}
			defer h.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "ready")
			<-cmd.Context().Done()
			return nil
		},
	}
}

// idleNodeRSS runs `fedmart run` on a fresh one-member federation and
// measures its resident memory once it has been idle for a few seconds.
func idleNodeRSS(ctx context.Context) (float64, error) {
	dir, err := os.MkdirTemp("", "fedmart-idle-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	c, err := node.NewCluster(node.ClusterOptions{
		Dir: dir, Names: []string{"idle"}, FederationID: "idle", FederationName: "Idle", Currency: "EUR", Period: time.Hour,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return 0, err
	}
	url := c.Nodes[0].APIURL()
	if err := c.Close(); err != nil {
		return 0, err
	}
	return idleProcessRSS(ctx, []string{"run", "--data", filepath.Join(dir, "idle")}, func() bool {
		resp, err := http.Get(url + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// idleProcessRSS starts this binary with args, waits until ready (or for
// its first output line), lets it idle, and reads VmRSS in MiB.
func idleProcessRSS(ctx context.Context, args []string, ready func() bool) (float64, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
		return 0, fmt.Errorf("%s did not start: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	go io.Copy(io.Discard, out)
	for deadline := time.Now().Add(30 * time.Second); ready != nil && !ready(); {
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s not ready after 30s", strings.Join(args, " "))
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(5 * time.Second) // idle: let start-up garbage be collected
	return rssMiB(cmd.Process.Pid)
}

func rssMiB(pid int) (float64, error) { return procStatusMiB(pid, "VmRSS:") }

// heapAfterGC is this process's heap in use after a GC, in MiB.
func heapAfterGC() float64 {
	runtime.GC()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	return float64(mem.HeapInuse) / (1 << 20)
}

// procStatusMiB reads one kB field of /proc/PID/status, in MiB.
func procStatusMiB(pid int, field string) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024, err
		}
	}
	return 0, fmt.Errorf("no %s for pid %d", field, pid)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
