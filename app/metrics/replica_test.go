package metrics_test

import (
	"context"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/app/metrics"
	"espacefamille/tenants"
)

// On a replicated node the metrics count the files replicated (the
// platform database and the open demo commune) and show no lag once the
// commune's writes are in the replica.
func TestReplicaMetricsOnAReplicatedNode(t *testing.T) {
	ctx := context.Background()
	rep, err := tenants.NewReplicator(ctx, "file://"+t.TempDir(), tenants.ReplicaOptions{SyncInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close(context.Background()) })
	env := apptest.New(t, apptest.OnSQLite(), apptest.WithReplica(rep)) // platform.db is replicated too
	m := metrics.New()
	m.Watch(metrics.Config{Registry: env.Registry})
	env.Exec(demo.Slug, `INSERT INTO news (title, body, published_from, created_at) VALUES ('Réplique', '', '2026-01-01', '2026-01-01')`)
	if err := env.Registry.SyncReplica(ctx, demo.Slug); err != nil {
		t.Fatal(err)
	}
	body := scrape(t, m)
	for prefix, want := range map[string]string{"espacefamille_replica_files": "2", "espacefamille_replica_errors_total": "0",
		"espacefamille_replica_final_sync_failures_total": "0"} {
		if got := sample(t, body, prefix); got != want {
			t.Errorf("%s = %s, want %s", prefix, got, want)
		}
	}
	if got := rep.Lag(env.Registry.CommunePath(demo.Slug)); got != 0 {
		t.Errorf("lag of the demo commune after its sync = %s, want 0", got)
	}
}
