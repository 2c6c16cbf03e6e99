package webhook

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestPendingDeliveriesSurviveARestart(t *testing.T) {
	db := openDB(t)
	var up atomic.Bool
	rc := newReceiver(t, func(int) int {
		if up.Load() {
			return http.StatusOK
		}
		return http.StatusBadGateway
	})
	first, err := Open(db, []Config{rc.hook()}, fastOptions, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, first)
	enqueue(t, first, db, "order.accepted", "before the restart")
	checkFor(t, "a refused attempt", func() bool { return deliveries(t, first)[0].Attempts >= 1 })
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if log := deliveries(t, first)[0]; log.Status != StatusPending {
		t.Fatalf("after stop: %+v", log)
	}

	up.Store(true)
	second, err := Open(db, []Config{rc.hook()}, fastOptions, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, second)
	checkFor(t, "the delivery after the restart", settled(t, second, 1))
	if log := deliveries(t, second)[0]; log.Status != StatusDelivered || log.LastStatusCode != 200 {
		t.Fatalf("after restart: %+v", log)
	}
}

func TestSlowHookDoesNotBlockOthers(t *testing.T) {
	db := openDB(t)
	release := make(chan struct{})
	slow := newReceiver(t, func(int) int { <-release; return http.StatusOK })
	t.Cleanup(func() { close(release) }) // runs before the server closes
	fast := newReceiver(t, nil)
	d, err := Open(db, []Config{slow.hook(), fast.hook()}, fastOptions, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	start(t, d)
	for range 3 {
		enqueue(t, d, db, "order.accepted", "x")
	}
	checkFor(t, "the fast hook's deliveries", func() bool { return len(fast.requests()) == 3 })
}

func TestRemovedHookFailsItsPendingDeliveries(t *testing.T) {
	db := openDB(t)
	gone, kept := newReceiver(t, nil), newReceiver(t, nil)
	before, err := Open(db, []Config{gone.hook(), kept.hook()}, fastOptions, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, before, db, "order.accepted", "x") // never run: both stay pending

	reg := prometheus.NewRegistry()
	after, err := Open(db, []Config{kept.hook()}, fastOptions, nil, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, after)
	checkFor(t, "both deliveries to settle", settled(t, after, 2))
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	for _, dl := range deliveries(t, after) {
		switch dl.URL {
		case gone.hook().URL:
			if dl.Status != StatusFailed || dl.Attempts != 0 || !strings.Contains(dl.LastError, "no longer configured") {
				t.Errorf("removed hook: %+v", dl)
			}
		case kept.hook().URL:
			if dl.Status != StatusDelivered {
				t.Errorf("kept hook: %+v", dl)
			}
		}
	}
	if n := len(gone.requests()); n != 0 {
		t.Errorf("removed hook got %d requests", n)
	}
	checkMetric(t, reg, "fedmart_webhook_deliveries_total", "delivered", 1)
	checkMetric(t, reg, "fedmart_webhook_deliveries_total", "failed", 1)
	checkMetric(t, reg, "fedmart_webhook_attempts_total", "ok", 1)
}

// checkMetric checks the counter name with the label result=result.
func checkMetric(t *testing.T, reg *prometheus.Registry, name, result string, want int) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if mf.GetName() == name && len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == result {
				if got := int(m.GetCounter().GetValue()); got != want {
					t.Errorf("%s{result=%q} = %d, want %d", name, result, got, want)
				}
				return
			}
		}
	}
	t.Errorf("%s{result=%q} not found", name, result)
}

func TestRunWithoutHooksWaitsForItsContext(t *testing.T) {
	db := openDB(t)
	d, err := Open(db, nil, Options{}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, d)
	enqueue(t, d, db, "order.accepted", "nobody listens")
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if log := deliveries(t, d); len(log) != 0 {
		t.Fatalf("log = %+v", log)
	}
}
