package mail

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the queue's Prometheus instruments.
type metrics struct {
	// attempts counts SMTP attempts by result: "ok" or "error".
	attempts *prometheus.CounterVec
	// finished counts finished messages by status: "sent", "mailbox" or
	// "failed".
	finished *prometheus.CounterVec
	// suppressed counts notifications not queued: their recipient
	// unsubscribed (counted when the change is tried, even if it aborts).
	suppressed prometheus.Counter
}

// newMetrics registers the instruments on reg (a private registry when
// nil); the queued and oldest-age gauges read the queue at each scrape.
func newMetrics(reg prometheus.Registerer, q *Queue) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedmart_mail_attempts_total", Help: "SMTP delivery attempts by result.",
		}, []string{"result"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fedmart_mail_messages_total", Help: "Finished e-mail messages by status: sent, mailbox (kept locally, no SMTP configured) or failed.",
		}, []string{"status"}),
		suppressed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "fedmart_mail_suppressed_total", Help: "Notification e-mails not queued because their recipient unsubscribed.",
		}),
	}
	for _, s := range []string{StatusSent, StatusMailbox, StatusFailed} {
		m.finished.WithLabelValues(s)
	}
	queued := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "fedmart_mail_queued", Help: "E-mail messages waiting to be delivered.",
	}, func() float64 {
		n, _, _ := q.pendingStats()
		return float64(n)
	})
	oldest := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "fedmart_mail_oldest_queued_seconds", Help: "Age of the oldest e-mail message waiting to be delivered (0 when none).",
	}, func() float64 {
		_, at, _ := q.pendingStats()
		if at.IsZero() {
			return 0
		}
		return q.opt.Now().Sub(at).Seconds()
	})
	for _, c := range []prometheus.Collector{m.attempts, m.finished, m.suppressed, queued, oldest} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("mail metrics: %w", err)
		}
	}
	return m, nil
}
