package tenants

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// Values recorded with WriteLater are visible as pending at once, later
// values replace earlier ones, and closing the handle writes them in one
// transaction: nothing recorded is lost at eviction or shutdown.
func TestWriteLaterIsWrittenInOneBatchAtClose(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.db")
	db, err := OpenDB(path, OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(`CREATE TABLE seen (k TEXT PRIMARY KEY, v INTEGER)`); err != nil {
		t.Fatal(err)
	}
	flush := func(ctx context.Context, tx *sql.Tx, pending map[string]any) error {
		for k, v := range pending {
			if _, err := tx.ExecContext(ctx, `INSERT INTO seen (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, k, v); err != nil {
				return err
			}
		}
		return nil
	}
	db.WriteLater("seen", "a", 1, flush)
	db.WriteLater("seen", "b", 2, flush)
	db.WriteLater("seen", "a", 3, flush)
	if v, ok := db.Pending("seen", "a"); !ok || v != 3 {
		t.Fatalf("pending a = %v %v, want 3", v, ok)
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM seen`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("written before the batch: %d %v", n, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = OpenDB(path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var sum int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*), SUM(v) FROM seen`).Scan(&n, &sum); err != nil || n != 2 || sum != 5 {
		t.Fatalf("after close: %d rows, sum %d (%v), want a = 3 and b = 2", n, sum, err)
	}
	if _, ok := db.Pending("seen", "a"); ok {
		t.Fatal("still pending after the batch")
	}
}
