package order

import (
	"github.com/fedmart/fedmart/internal/groupsync"
	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	checkouts      *prometheus.CounterVec // by result
	parts          *prometheus.CounterVec // home parts by status reached
	messages       *prometheus.CounterVec // messages received by kind and result
	outbox         prometheus.Gauge       // messages waiting for an acknowledgement
	outboxMessages *prometheus.GaugeVec   // the same per member
	outboxAge      *prometheus.GaugeVec   // age of the oldest waiting message per member
	parked         prometheus.Gauge       // messages the receiver refused for good
}

// newMetrics registers the service's metrics with reg (when set), with
// the flushes of durable, whose counts are read when scraped.
func newMetrics(reg prometheus.Registerer, durable *groupsync.Group) *metrics {
	m := &metrics{
		checkouts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedmart_checkouts_total", Help: "Checkouts on this storefront by result."}, []string{"result"}),
		parts:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedmart_order_parts_total", Help: "Status changes of parts homed on this node."}, []string{"status"}),
		messages:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedmart_order_messages_total", Help: "Order messages received by kind and result."}, []string{"kind", "result"}),
		outbox:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "fedmart_order_outbox", Help: "Order messages waiting for acknowledgement."}),
		outboxMessages: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fedmart_order_outbox_messages",
			Help: "Order messages waiting for acknowledgement, per member (peer ID)."}, []string{"peer"}),
		outboxAge: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fedmart_order_outbox_oldest_age_seconds",
			Help: "Age of the oldest order message waiting for acknowledgement, per member (peer ID)."}, []string{"peer"}),
		parked: prometheus.NewGauge(prometheus.GaugeOpts{Name: "fedmart_order_outbox_parked",
			Help: "Order messages their receiver refused for good, kept for the operator."}),
	}
	if reg != nil {
		reg.MustRegister(m.checkouts, m.parts, m.messages, m.outbox, m.outboxMessages, m.outboxAge, m.parked,
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "fedmart_order_flushes_total", Help: "Flushes of the node's database to disk that order commits wait for; merchants' feeds share them."},
				func() float64 { n, _ := durable.Counts(); return float64(n) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "fedmart_order_flushed_commits_total",
				Help: "Commits made durable by those flushes, order commits and feeds (over the flushes: the group commit's batch size)."},
				func() float64 { _, n := durable.Counts(); return float64(n) }))
	}
	return m
}
