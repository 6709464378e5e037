package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"espacefamille/tenants"
)

// replica reads the continuous replication's figures at each scrape
// (ESPACEFAMILLE_REPLICA_URL; all zero when the node replicates nothing).
type replica struct {
	reg                              *tenants.Registry
	files, lag, errors, finalFailure *prometheus.Desc
}

func newReplica(reg *tenants.Registry) *replica {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(ns+"_"+name, help, nil, nil) }
	return &replica{reg: reg,
		files: d("replica_files", "Files replicated continuously now: the open communes' and the platform database (0: no replica configured)."),
		lag: d("replica_lag_seconds",
			"Age of the oldest write not yet known to be in the replica, over every replicated file (0: the replica has everything): what this node would lose if its disk died now."),
		errors:       d("replica_errors_total", "Operations on the replica storage that failed (uploads, listings, reads, deletions); Litestream retries them."),
		finalFailure: d("replica_final_sync_failures_total", "Commune handles closed without their final sync to the replica: their last writes may be missing from it until the file reopens."),
	}
}

func (r *replica) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(r, ch) }

func (r *replica) Collect(ch chan<- prometheus.Metric) {
	var st tenants.ReplicaStats
	if rep := r.reg.Replica(); rep != nil {
		st = rep.Stats()
	}
	ch <- prometheus.MustNewConstMetric(r.files, prometheus.GaugeValue, float64(st.Files))
	ch <- prometheus.MustNewConstMetric(r.lag, prometheus.GaugeValue, st.Lag.Seconds())
	ch <- prometheus.MustNewConstMetric(r.errors, prometheus.CounterValue, float64(st.Errors))
	ch <- prometheus.MustNewConstMetric(r.finalFailure, prometheus.CounterValue, float64(st.FinalErrors))
}
