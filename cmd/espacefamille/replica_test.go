package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"strings"
	"testing"

	"espacefamille/tenants"
)

// A commune served by a replicated node is restored from the replica by
// the command line, with its progress; what the replica cannot serve is
// refused with exit status 2 and a clear message.
func TestRestoreFromReplicaCommand(t *testing.T) {
	ctx := context.Background()
	data, replica := t.TempDir(), "file://"+t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	// The serving node: it writes a family, replicated, and stops.
	rep, err := tenants.NewReplicator(ctx, replica, tenants.ReplicaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: data, MaxOpen: 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Replica: rep})
	if err != nil {
		t.Fatal(err)
	}
	err = reg.WithCommune(ctx, "mazan", func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO families (name, created_at) VALUES ('FAMILLE RÉPLIQUÉE', '2026-01-01')`)
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	reg.Close()
	rep.Close(ctx)
	// Its family is lost.
	if code, _, errs := cli(t, envv, "commune", "check", "mazan"); code != 0 {
		t.Fatalf("check: %d %s", code, errs)
	}
	loseFamily(t, data)

	envv["ESPACEFAMILLE_REPLICA_URL"] = replica
	code, out, errs := cli(t, envv, "commune", "restore", "mazan", "--from-replica", "--settle", "0s")
	if code != 0 {
		t.Fatalf("restore: %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"suspended", "downloading", "integrity check", "restored", "Europe/Paris"} {
		if !strings.Contains(out, want) {
			t.Errorf("the progress lacks %q:\n%s", want, out)
		}
	}
	if n := replicatedFamilies(t, data); n != 1 {
		t.Fatalf("%d families after the restore, want the replicated one", n)
	}
	if code, out, _ := cli(t, envv, "commune", "list"); code != 0 || !strings.Contains(out, "mazan") || strings.Contains(out, "suspend") {
		t.Fatalf("after the restore the commune is not active again: %d\n%s", code, out)
	}

	// The platform database too: a rename made while no node replicated
	// is undone by restoring the replica's platform database.
	if code, _, errs := cli(t, envv, "commune", "rename", "mazan", "--name", "Commune renommée"); code != 0 {
		t.Fatalf("rename: %d %s", code, errs)
	}
	code, out, errs = cli(t, envv, "platform", "restore", "--from-replica")
	if code != 0 || !strings.Contains(out, "platform database restored") || !strings.Contains(out, "before the restore kept in") {
		t.Fatalf("platform restore: %d\n%s\n%s", code, out, errs)
	}
	if code, out, _ := cli(t, envv, "commune", "list"); code != 0 || !strings.Contains(out, "Commune de Mazan") {
		t.Fatalf("the platform database was not restored: %d\n%s", code, out)
	}

	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no replica configured", map[string]string{"ESPACEFAMILLE_DATA": data},
			[]string{"mazan", "--from-replica"}, "no replica configured"},
		{"a commune the replica lacks", envv, []string{"inconnue", "--from-replica"}, "holds no copy"},
		{"a moment before its history", envv, []string{"mazan", "--from-replica", "--at", "2001-01-01 12:00"}, "outside the history"},
		{"a moment that is no moment", envv, []string{"mazan", "--from-replica", "--at", "hier"}, "is not a moment"},
		{"with a backup file too", envv, []string{"mazan", "--from-replica", "--from", "x.db"}, "not with --from"},
		{"a moment in the future", envv, []string{"mazan", "--from-replica", "--at", "2999-01-01 12:00"}, "outside the history"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := cli(t, tc.env, append([]string{"commune", "restore"}, tc.args...)...)
			if code != 2 || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, %q; want 2 and %q", code, errs, tc.want)
			}
		})
	}
}

func loseFamily(t *testing.T, data string) {
	t.Helper()
	withMazan(t, data, func(db *tenants.DB) error {
		return db.Tx(context.Background(), func(tx *sql.Tx) error {
			_, err := tx.Exec(`DELETE FROM families WHERE name = 'FAMILLE RÉPLIQUÉE'`)
			return err
		})
	})
	if n := replicatedFamilies(t, data); n != 0 {
		t.Fatalf("%d families after the loss", n)
	}
}

func replicatedFamilies(t *testing.T, data string) int {
	t.Helper()
	var n int
	withMazan(t, data, func(db *tenants.DB) error {
		return db.Reader().QueryRowContext(context.Background(), `SELECT count(*) FROM families WHERE name = 'FAMILLE RÉPLIQUÉE'`).Scan(&n)
	})
	return n
}

func withMazan(t *testing.T, data string, fn func(*tenants.DB) error) {
	t.Helper()
	reg, err := tenants.Open(context.Background(), tenants.Options{DataDir: data, MaxOpen: 1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if err := reg.WithCommune(context.Background(), "mazan", fn); err != nil {
		t.Fatal(err)
	}
}
