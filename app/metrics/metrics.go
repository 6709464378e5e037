// Package metrics exposes the node's Prometheus metrics: the counters the
// application increments as things happen (requests, payments, mail,
// migrations, waits for a writer) and the figures read when Prometheus
// scrapes (communes by status, backups, outbox queues, pending payments,
// open handles, the Go runtime). docs/monitoring.md lists them all.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"espacefamille/app/mail"
	"espacefamille/tenants"
)

// Config is what the metrics read at scrape time.
type Config struct {
	Registry *tenants.Registry
	// Now is the clock of ages (time.Now when nil).
	Now func() time.Time
}

// Metrics holds the collectors of one node.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	writeWait  prometheus.Histogram
	mail       *prometheus.CounterVec
	payments   *prometheus.CounterVec
	migrations *prometheus.CounterVec
}

const ns = "espacefamille"

// New builds the node's metrics: the counters, the Go runtime's and the
// process's figures; Watch adds the figures read from the databases.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "http_requests_total",
			Help: "HTTP requests answered, by route group (first segment of the route: famille, admin, paiement …) and status code."},
			[]string{"group", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route group.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"group"}),
		writeWait: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Name: "db_write_wait_seconds",
			Help:    "Time a write transaction waited for its database's single writer (the write queue).",
			Buckets: []float64{.0005, .001, .005, .01, .025, .05, .1, .25, .5, 1, 5}}),
		mail: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "mail_messages_total",
			Help: "Outbox messages handled by the sender: sent, retried (back to the queue) or failed (given up)."},
			[]string{"outcome"}),
		payments: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "payments_total",
			Help: "Payment providers' answers applied to orders, by outcome (paid, refused, abandoned, late_payment, amount_mismatch …)."},
			[]string{"outcome"}),
		migrations: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "commune_migrations_total",
			Help: "Commune files migrated by this process, by the version reached and outcome (ok, failed)."},
			[]string{"version", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.writeWait, m.mail, m.payments, m.migrations,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Watch adds the figures read at each scrape from cfg.Registry's
// databases (once the registry is open: its Hooks come from Hooks).
func (m *Metrics) Watch(cfg Config) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m.reg.MustRegister(newFleet(cfg), newReplica(cfg.Registry))
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Gatherer returns the metrics' registry (tests).
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Request counts one answered request (web.Config.Observe).
func (m *Metrics) Request(group string, status int, d time.Duration) {
	m.requests.WithLabelValues(group, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(group).Observe(d.Seconds())
}

// MailBatch counts one batch of the mail sender (mail.WithObserver).
func (m *Metrics) MailBatch(_ string, c mail.Counts) {
	m.mail.WithLabelValues("sent").Add(float64(c.Sent))
	m.mail.WithLabelValues("retried").Add(float64(c.Retried))
	m.mail.WithLabelValues("failed").Add(float64(c.Failed))
}

// Payment counts one provider answer applied (billing.Options.OnPayment).
func (m *Metrics) Payment(outcome string) { m.payments.WithLabelValues(outcome).Inc() }

// Hooks are the registry's hooks feeding these metrics (tenants.Options.Hooks).
func (m *Metrics) Hooks() tenants.Hooks {
	return tenants.Hooks{
		WriteWait: func(d time.Duration) { m.writeWait.Observe(d.Seconds()) },
		Migrated: func(_ string, _, to int64, err error) {
			outcome := "ok"
			if err != nil {
				outcome = "failed"
			}
			m.migrations.WithLabelValues(strconv.FormatInt(to, 10), outcome).Inc()
		},
	}
}
