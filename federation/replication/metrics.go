package replication

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	published   prometheus.Counter
	dropped     prometheus.Counter
	received    *prometheus.CounterVec
	syncs       *prometheus.CounterVec
	syncRecords prometheus.Counter
	syncBytes   prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		published:   prometheus.NewCounter(prometheus.CounterOpts{Name: "fedmart_catalog_published_total", Help: "Own records published on the catalog topic."}),
		dropped:     prometheus.NewCounter(prometheus.CounterOpts{Name: "fedmart_catalog_publish_dropped_total", Help: "Own records left to catch-up because publishing failed or the queue was full."}),
		received:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedmart_catalog_gossip_received_total", Help: "Records received on the topic, by outcome."}, []string{"outcome"}),
		syncs:       prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fedmart_catalog_syncs_total", Help: "Catch-up runs as requester, by outcome."}, []string{"outcome"}),
		syncRecords: prometheus.NewCounter(prometheus.CounterOpts{Name: "fedmart_catalog_sync_records_total", Help: "Records received by catch-up."}),
		syncBytes:   prometheus.NewCounter(prometheus.CounterOpts{Name: "fedmart_catalog_sync_bytes_total", Help: "Bytes of records received by catch-up, framing included."}),
	}
	if reg != nil {
		reg.MustRegister(m.published, m.dropped, m.received, m.syncs, m.syncRecords, m.syncBytes)
	}
	return m
}
