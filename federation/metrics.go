package federation

import "github.com/prometheus/client_golang/prometheus"

// metrics are the federation's Prometheus instruments.
type metrics struct {
	charterVersion prometheus.Gauge
	connected      prometheus.Gauge
	unreachable    prometheus.Counter
	refused        prometheus.Counter
	dials          prometheus.Counter
	rtt            prometheus.Histogram
	streams        *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		charterVersion: prometheus.NewGauge(prometheus.GaugeOpts{Name: "fedmart_charter_version", Help: "Version of the charter in force."}),
		connected:      prometheus.NewGauge(prometheus.GaugeOpts{Name: "fedmart_members_connected", Help: "Members this node holds a connection to."}),
		unreachable: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedmart_member_unreachable_total",
			Help: "Times a connected member missed two pings in a row and was disconnected."}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedmart_connections_refused_total", Help: "Connections refused because the peer is not a member."}),
		dials:   prometheus.NewCounter(prometheus.CounterOpts{Name: "fedmart_member_dials_total", Help: "Dial attempts to members."}),
		rtt:     prometheus.NewHistogram(prometheus.HistogramOpts{Name: "fedmart_member_rtt_seconds", Help: "Ping round trip to members.", Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}),
		streams: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedmart_streams_total", Help: "Inbound fedmart streams by protocol and outcome."}, []string{"protocol", "outcome"}),
	}
	if reg != nil {
		reg.MustRegister(m.charterVersion, m.connected, m.unreachable, m.refused, m.dials, m.rtt, m.streams)
	}
	return m
}
