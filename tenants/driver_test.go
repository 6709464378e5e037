package tenants

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// keptCount is the number of statements the pool's connection keeps.
func keptCount(t *testing.T, db *sql.DB) int {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	n := -1
	if err := conn.Raw(func(dc any) error { n = len(dc.(*keepConn).stmts); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// A query run again on the same connection reuses its prepared statement,
// even through a *sql.Tx; the same text run while its first rows are
// still open (a nested loop) gets a statement of its own and both loops
// read every row.
func TestConnectionKeepsStatementsAndLendsThemOneAtATime(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(filepath.Join(t.TempDir(), "k.db"), OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.W.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO t (v) VALUES (?)`, string(rune('a'+i)))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	before := keptCount(t, db.W)
	const q = `SELECT id, v FROM t ORDER BY id`
	pairs := 0
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		outer, err := tx.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer outer.Close()
		for outer.Next() {
			var id int64
			var v string
			if err := outer.Scan(&id, &v); err != nil {
				return err
			}
			inner, err := tx.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			for inner.Next() {
				pairs++
			}
			if err := inner.Close(); err != nil {
				return err
			}
		}
		return outer.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if pairs != 9 {
		t.Fatalf("nested loops over 3 rows read %d pairs, want 9", pairs)
	}
	after := keptCount(t, db.W)
	if after != before+1 {
		t.Errorf("statements kept: %d then %d, want one more (the SELECT, once)", before, after)
	}
	// The kept INSERT binds new arguments each time.
	var n int
	if err := db.W.QueryRow(`SELECT COUNT(DISTINCT v) FROM t`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("distinct values = %d (%v), want 3", n, err)
	}
}

// TxDB finds the handle of a transaction DB.Tx runs, and nothing once it
// has ended.
func TestTxDBFindsTheHandleOfARunningTransaction(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDB(filepath.Join(t.TempDir(), "x.db"), OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var seen *sql.Tx
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		seen = tx
		if TxDB(tx) != db {
			t.Error("TxDB inside the transaction is not its handle")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if TxDB(seen) != nil {
		t.Error("TxDB still answers after the transaction")
	}
}
