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
// median, 99th percentile and maximum, the rate achieved, the time the
// replica took to hold the last write once the load stopped, and, for
// every transaction, the time from its commit to the moment the replica
// was seen holding it (polled every 2 ms): its median and 99th
// percentile.
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
	var samples, delays []time.Duration
	var committed []time.Time // commits not yet seen in the replica, in order
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
				through := tenants.ReplicatedThrough(rep, path)
				now := time.Now()
				mu.Lock()
				if i%10 == 0 {
					samples = append(samples, rep.Lag(path))
				}
				n := 0
				for n < len(committed) && committed[n].Before(through) {
					delays = append(delays, now.Sub(committed[n]))
					n++
				}
				committed = committed[n:]
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
		at := time.Now()
		mu.Lock()
		committed = append(committed, at)
		mu.Unlock()
	}
	elapsed := time.Since(start)
	last := time.Now()
	for rep.Lag(path) > 0 {
		time.Sleep(5 * time.Millisecond)
	}
	for waited := 0; waited < 1000; waited++ { // the poller sees the last commits too
		mu.Lock()
		left := len(committed)
		mu.Unlock()
		if left == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	drain := time.Since(last)
	b.StopTimer()
	close(stop)
	<-sampled

	b.ReportMetric(float64(n)/elapsed.Seconds(), "tx/s")
	b.ReportMetric(quantileMs(samples, 0.5), "lag-p50-ms")
	b.ReportMetric(quantileMs(samples, 0.99), "lag-p99-ms")
	b.ReportMetric(quantileMs(samples, 1), "lag-max-ms")
	b.ReportMetric(float64(drain.Milliseconds()), "drain-ms")
	b.ReportMetric(quantileMs(delays, 0.5), "commit-to-replica-p50-ms")
	b.ReportMetric(quantileMs(delays, 0.99), "commit-to-replica-p99-ms")
	b.ReportMetric(float64(n-len(delays)), "unseen-tx")
}

// quantileMs is the p quantile (0 to 1) of ds in milliseconds (0 for
// none); ds is sorted in place.
func quantileMs(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
}
