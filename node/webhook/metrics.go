package webhook

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the dispatcher's Prometheus instruments.
type metrics struct {
	// attempts counts POSTs by result: "ok", "http_error" (a non-2xx
	// answer) or "network_error" (no answer, including timeouts).
	attempts *prometheus.CounterVec
	// deliveries counts finished deliveries by result: "delivered" or
	// "failed".
	deliveries *prometheus.CounterVec
}

// newMetrics registers the instruments on reg, or on a private registry
// when reg is nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedmart_webhook_attempts_total", Help: "Webhook POSTs by result.",
		}, []string{"result"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedmart_webhook_deliveries_total", Help: "Finished webhook deliveries by result.",
		}, []string{"result"}),
	}
	for _, c := range []prometheus.Collector{m.attempts, m.deliveries} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("webhook metrics: %w", err)
		}
	}
	return m, nil
}
