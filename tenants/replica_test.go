package tenants_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"espacefamille/tenants"
)

// A commune opened, written and evicted before Litestream's first sync
// (one second) is in the replica all the same: the eviction's final sync
// reads the file itself. Without it, the file was closed unread and the
// replica held nothing.
func TestCommuneEvictedWithinOneSyncIntervalIsInTheReplica(t *testing.T) {
	ctx := context.Background()
	rep, err := tenants.NewReplicator(ctx, "file://"+t.TempDir(), tenants.ReplicaOptions{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rep.Close(context.Background()) })
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), MaxOpen: 4, Logger: quietLogger(), Replica: rep})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	createCommune(t, reg, "eclair")
	err = reg.WithCommune(ctx, "eclair", func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO families (name, created_at) VALUES ('FAMILLE ÉCLAIR', '2026-01-01')`)
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	reg.Cache().Evict("eclair")
	if st := rep.Stats(); st.Files != 1 || st.FinalErrors != 0 {
		t.Fatalf("after the eviction: %+v, want the platform database only and no failed final sync", st)
	}
	path := reg.CommunePath("eclair")
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
	if _, err := reg.RestoreFromReplica(ctx, rep, "eclair", tenants.ReplicaRestore{}); err != nil {
		t.Fatal(err)
	}
	var n int
	err = reg.WithCommune(ctx, "eclair", func(db *tenants.DB) error {
		return db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM families WHERE name = 'FAMILLE ÉCLAIR'`).Scan(&n)
	})
	if err != nil || n != 1 {
		t.Fatalf("families restored: %d (%v), want 1", n, err)
	}
}
