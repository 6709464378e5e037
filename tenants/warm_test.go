package tenants

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"
)

// A commune left open in the cache keeps one read connection past the
// pool's idle time (its next visit does not parse the schema again),
// while the connections a burst added still close.
func TestOpenCommuneKeepsOneWarmReadConnection(t *testing.T) {
	ctx := context.Background()
	const idle = 600 * time.Millisecond
	reg, err := Open(ctx, Options{DataDir: t.TempDir(), MaxOpen: 8, ReadIdle: idle,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.CreateCommune(ctx, NewCommune{Slug: "venasque", Name: "Venasque"}, nil); err != nil {
		t.Fatal(err)
	}
	db, release, err := reg.Acquire(ctx, "venasque")
	if err != nil {
		t.Fatal(err)
	}
	// A burst: three readers at once.
	var conns []*sql.Conn
	for range 3 {
		conn, err := db.read.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		var v string
		if err := conn.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'name'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
	}
	for _, conn := range conns {
		conn.Close()
	}
	release()
	if n := db.read.Stats().OpenConnections; n != 3 {
		t.Fatalf("%d read connections open after the burst, want 3", n)
	}
	time.Sleep(4 * idle)
	if n := db.read.Stats().OpenConnections; n != 1 {
		t.Fatalf("%d read connections open after %v idle, want the one kept warm", n, 4*idle)
	}
}

// The writer's connection of a commune that wrote once closes after
// WriteIdle unused, and the next write opens it again: an open handle
// comes back to the one read connection the cache budgets.
func TestWriterConnectionClosesWhenUnused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := OpenDB(path, OpenOptions{Create: true, WriteIdle: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	write := func(v int) {
		t.Helper()
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS t (v INTEGER); INSERT INTO t (v) VALUES (?)`, v)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	write(1)
	if n := db.W.Stats().OpenConnections; n != 1 {
		t.Fatalf("%d writer connections after a write, want 1", n)
	}
	time.Sleep(2 * time.Second) // database/sql's cleaner runs at least every second
	if n := db.W.Stats().OpenConnections; n != 0 {
		t.Fatalf("%d writer connections left unused past WriteIdle, want 0", n)
	}
	write(2)
	var count int
	if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&count); err != nil || count != 2 {
		t.Fatalf("%d rows (%v), want both writes", count, err)
	}
}
