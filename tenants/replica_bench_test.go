package tenants_test

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"testing"
	"time"

	"espacefamille/tenants"
)

// BenchmarkReplicaLagAt500WritesPerSecond writes 500 transactions per
// second into one commune (one iteration = one second of load) while its
// file is replicated to a file replica with the production settings (a
// sync every second), sampling the replication lag every 20 ms: the
// writes a dead disk would lose at each moment. It reports the lag's
// median, 99th percentile and maximum, the rate achieved, and the time
// the replica took to hold the last write once the load stopped.
//
//	go test -run '^$' -bench BenchmarkReplicaLagAt500WritesPerSecond -benchtime 20x ./tenants/
func BenchmarkReplicaLagAt500WritesPerSecond(b *testing.B) {
	ctx := context.Background()
	rep, err := tenants.NewReplicator(ctx, "file://"+b.TempDir(), tenants.ReplicaOptions{Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	defer rep.Close(ctx)
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: b.TempDir(), MaxOpen: 4, Logger: quietLogger(), Replica: rep})
	if err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	createCommune(b, reg, "charge")
	db, release, err := reg.Acquire(ctx, "charge")
	if err != nil {
		b.Fatal(err)
	}
	defer release()
	path := db.Path()

	var mu sync.Mutex
	var samples []time.Duration
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				l := rep.Lag(path)
				mu.Lock()
				samples = append(samples, l)
				mu.Unlock()
			}
		}
	}()

	const perSecond = 500
	insert := func(i int) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO families (name, created_at) VALUES (?, '2026-12-03T10:00:00Z')`,
				"FAMILLE CHARGE "+time.Now().Format(time.RFC3339Nano))
			return err
		})
	}
	b.ResetTimer()
	start := time.Now()
	n := b.N * perSecond
	for i := range n {
		if wait := time.Until(start.Add(time.Duration(i) * time.Second / perSecond)); wait > 0 {
			time.Sleep(wait)
		}
		if err := insert(i); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	last := time.Now()
	for rep.Lag(path) > 0 {
		time.Sleep(5 * time.Millisecond)
	}
	drain := time.Since(last)
	b.StopTimer()
	close(stop)
	<-sampled

	slices.Sort(samples)
	q := func(p float64) float64 {
		if len(samples) == 0 {
			return 0
		}
		return float64(samples[int(p*float64(len(samples)-1))].Milliseconds())
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "tx/s")
	b.ReportMetric(q(0.5), "lag-p50-ms")
	b.ReportMetric(q(0.99), "lag-p99-ms")
	b.ReportMetric(q(1), "lag-max-ms")
	b.ReportMetric(float64(drain.Milliseconds()), "drain-ms")
}
