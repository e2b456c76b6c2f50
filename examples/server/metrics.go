package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// httpMetrics are the collectors of the HTTP layer.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	conns    prometheus.Gauge
	uploads  prometheus.Gauge
}

// newHTTPMetrics registers the HTTP collectors and the Go and process
// collectors on reg.
func newHTTPMetrics(reg *prometheus.Registry) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hazardloop_http_requests_total",
			Help: "HTTP requests answered, by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hazardloop_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		conns: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hazardloop_http_open_connections",
			Help: "HTTP connections open now (at most Config.MaxConns).",
		}),
		uploads: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hazardloop_http_uploads_in_flight",
			Help: "Uploads being received now (at most Config.MaxUploads).",
		}),
	}
	for _, c := range []prometheus.Collector{
		m.requests, m.duration, m.conns, m.uploads,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request, _ caller) error {
	s.metricsHandler.ServeHTTP(w, r)
	return nil
}

func newMetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}
