package tenants

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
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
