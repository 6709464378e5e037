//go:build linux

package tenants_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"espacefamille/tenants"
)

// lowerFileLimit sets this process's soft limit of open files for the
// test (the tests of this package that run at the same time are the
// parallel ones, which wait for the sequential ones to end).
func lowerFileLimit(t *testing.T, n uint64) {
	t.Helper()
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	if old.Cur < n {
		t.Skipf("the file limit is already %d", old.Cur)
	}
	lower := old
	lower.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lower); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
			t.Error(err)
		}
	})
}

func TestCacheSizeAboveTheFileLimitIsLoweredWithAWarning(t *testing.T) {
	lowerFileLimit(t, 480)
	var logs bytes.Buffer
	reg, err := tenants.Open(context.Background(), tenants.Options{DataDir: t.TempDir(), MaxOpen: 10_000,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	// Five eighths of 480 descriptors at 3 per open commune.
	if got := reg.Cache().Max(); got != 100 {
		t.Errorf("cache size = %d, want 100 (what 480 descriptors allow)", got)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "lowered to fit the file-descriptor limit") ||
		!strings.Contains(logs.String(), "may open 480") {
		t.Errorf("no clear warning in the log:\n%s", logs.String())
	}

	// A size that fits is kept as asked, without a warning.
	logs.Reset()
	reg2, err := tenants.Open(context.Background(), tenants.Options{DataDir: t.TempDir(), MaxOpen: 100,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer reg2.Close()
	if got := reg2.Cache().Max(); got != 100 || strings.Contains(logs.String(), "lowered") {
		t.Errorf("cache size = %d, log:\n%s", got, logs.String())
	}
}

func TestCheckpointConnectionsStayWithinTheirShareOfTheFileLimit(t *testing.T) {
	// 30 files written at once, each past the commits that start a
	// background checkpoint on a connection of its own: 90 descriptors
	// for the writers, 60 more if every checkpoint connected.
	lowerFileLimit(t, 160)
	budget := tenants.CheckpointConnBudget()
	if budget != 10 {
		t.Fatalf("checkpoint budget under a limit of 160 = %d, want 10 (an eighth, 2 descriptors each)", budget)
	}
	ctx := context.Background()
	dir := t.TempDir()
	var dbs []*tenants.DB
	defer func() {
		for _, db := range dbs {
			db.Close()
		}
	}()
	for i := range 30 {
		db, err := tenants.OpenDB(filepath.Join(dir, fmt.Sprintf("c%02d.db", i)), tenants.OpenOptions{Create: true})
		if err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db)
		if _, err := db.W.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
			t.Fatal(err)
		}
	}
	for _, db := range dbs {
		for k := range 40 {
			if err := db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO t (v) VALUES (?)`, strings.Repeat("x", 100+k))
				return err
			}); err != nil {
				t.Fatalf("write %d: %v", k, err)
			}
			if n := tenants.CheckpointConns(); n > budget {
				t.Fatalf("%d checkpoint connections open, budget %d", n, budget)
			}
		}
	}
	// The checkpoints run in the background; their connections stay open
	// 10 s after use, so the count settles at the budget.
	deadline := time.Now().Add(20 * time.Second)
	for tenants.CheckpointConns() < budget && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := tenants.CheckpointConns(); n != budget {
		t.Fatalf("%d checkpoint connections open after the writes, want the budget, %d", n, budget)
	}
	// Every file still writes and reads.
	for _, db := range dbs {
		var n int
		if err := db.W.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 40 {
			t.Fatalf("rows = %d, %v", n, err)
		}
	}
	for _, db := range dbs {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	dbs = nil
	if n := tenants.CheckpointConns(); n != 0 {
		t.Errorf("%d checkpoint connections still counted once every file is closed", n)
	}
}
