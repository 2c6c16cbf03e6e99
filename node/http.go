package node

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/fedmart/fedmart/node/api"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// maxHeaderBytes caps a request's header (and its request line): a
// larger one is refused with 431 before any handler sees it. 64 KiB is
// far more than any browser or client of the API sends.
const maxHeaderBytes = 64 << 10

// newHTTPServer is the node's HTTP server for handler, with the
// configured timeouts and the header cap.
func newHTTPServer(cfg APIConfig, handler http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: min(5*time.Second, cfg.ReadTimeout),
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       2 * cfg.WriteTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// openMetrics starts listening on api.metrics_listen when api.metrics is
// listener: that listener serves GET /metrics alone, without
// authentication, for a Prometheus on a network the operator controls.
func (n *Node) openMetrics(reg prometheus.Gatherer) error {
	if n.cfg.API.Metrics != api.MetricsListener {
		return nil
	}
	l, err := net.Listen("tcp", n.cfg.API.MetricsListen)
	if err != nil {
		return fmt.Errorf("api.metrics_listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	n.metricsListener, n.metricsServer = l, newHTTPServer(n.cfg.API, mux, n.log)
	return nil
}

// MetricsAddr is the address of the metrics listener, "" without one.
func (n *Node) MetricsAddr() string {
	if n.metricsListener == nil {
		return ""
	}
	return n.metricsListener.Addr().String()
}
