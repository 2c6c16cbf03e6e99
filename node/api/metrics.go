package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Who may read GET /metrics (Config.Metrics).
const (
	// MetricsOperator serves /metrics to the operator token only.
	MetricsOperator = "operator"
	// MetricsPublic serves /metrics to anyone.
	MetricsPublic = "public"
	// MetricsListener serves no /metrics here: the node serves it on a
	// listener of its own.
	MetricsListener = "listener"
)

// The request histogram's labels come from fixed sets, so that no request
// can add a series: a method outside httpMethods is "other", a path that
// matched no route is "unmatched" (routes are templates such as
// /v1/listings/:id), and a status is its class ("2xx" ... "5xx").
var httpMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

func newRequestHistogram() *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "fedmart_http_request_duration_seconds", Help: "HTTP requests by method, route template and status class.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
	}, []string{"method", "route", "status"})
}

// methodLabel is the method, or "other" for one outside the fixed set.
func methodLabel(m string) string {
	if httpMethods[m] {
		return m
	}
	return "other"
}

// statusClass is "2xx" for 200..299, and so on; anything odd is "5xx".
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "5xx"
	}
	return strconv.Itoa(status/100) + "xx"
}

// clip cuts s to at most n bytes, marking the cut, so that a log line
// never carries an unbounded method or path.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Bounds on what a log line or an error document repeats of a request.
const (
	maxLoggedMethod = 16
	maxLoggedPath   = 256
)

// observe records each request's duration and logs failures once.
func (a *API) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	a.reqs.WithLabelValues(methodLabel(c.Request.Method), route, statusClass(status)).Observe(time.Since(start).Seconds())
	for _, e := range c.Errors {
		a.log.Error("request failed", "method", clip(c.Request.Method, maxLoggedMethod), "path", clip(c.Request.URL.Path, maxLoggedPath),
			"status", status, "err", e.Err)
	}
}

// metricsRoute serves GET /metrics as Config.Metrics says.
func (a *API) metricsRoute() {
	h := gin.WrapH(promhttp.HandlerFor(a.deps.Gatherer, promhttp.HandlerOpts{}))
	switch a.cfg.Metrics {
	case MetricsPublic:
		a.engine.GET("/metrics", h)
	case MetricsListener:
	default:
		a.engine.GET("/metrics", a.operatorOnly, h)
	}
}
