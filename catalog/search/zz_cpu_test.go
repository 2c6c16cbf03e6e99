package search

import (
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"strings"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestZZCPU(t *testing.T) {
	if os.Getenv("ZZCPU") == "" {
		t.Skip()
	}
	t0 := time.Now()
	ix := benchIndex()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	st, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(st), "\n") {
		if strings.HasPrefix(l, "VmRSS") || strings.HasPrefix(l, "VmHWM") {
			t.Log(l)
		}
	}
	t.Logf("built %d in %v; heap %d MB; terms %d brands %d", ix.Len(), time.Since(t0), ms.HeapAlloc>>20, len(ix.terms), len(ix.brands.names))
	for _, bq := range benchQueries {
		res, _ := ix.Search(bq.q)
		best := time.Hour
		for range 7 {
			w0 := time.Now()
			for range 30 {
				ix.Search(bq.q)
			}
			best = min(best, time.Since(w0)/30)
		}
		t.Logf("%-28s hits %7d  best %8.3f ms/q", bq.name, res.Total, float64(best)/1e6)
	}
	// parallel: 8 goroutines, mixed queries, latency distribution
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var mine []time.Duration
			for i := range 200 {
				q := benchQueries[(g+i)%len(benchQueries)].q
				t0 := time.Now()
				ix.Search(q)
				mine = append(mine, time.Since(t0))
				runtime.Gosched() // a client waits for the network between requests
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	w0 := time.Now()
	wg.Wait()
	slices.Sort(lat)
	t.Logf("8 clients: %d queries in %v; p50 %v p90 %v p99 %v max %v", len(lat), time.Since(w0), lat[len(lat)/2], lat[len(lat)*9/10], lat[len(lat)*99/100], lat[len(lat)-1])
	dir := t.TempDir()
	s0 := time.Now()
	ix.Save(dir, "x")
	fi, _ := os.Stat(dir + "/" + SnapshotFile)
	t.Logf("save %v, %d MB", time.Since(s0), fi.Size()>>20)
	s0 = time.Now()
	_, _, err := Load(dir)
	t.Logf("load %v err %v", time.Since(s0), err)
}

func TestZZProfile(t *testing.T) {
	if os.Getenv("ZZPROF") == "" {
		t.Skip()
	}
	ix := benchIndex()
	runtime.GC()
	hf, _ := os.Create("/tmp/zz-heap.prof")
	pprof.WriteHeapProfile(hf)
	hf.Close()
	for _, bq := range benchQueries {
		f, _ := os.Create("/tmp/zz-" + bq.name + ".prof")
		pprof.StartCPUProfile(f)
		for range 100 {
			ix.Search(bq.q)
		}
		pprof.StopCPUProfile()
		f.Close()
	}
}
