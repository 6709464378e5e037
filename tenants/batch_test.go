package tenants

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

func TestInsertRowsInsertsEveryRowInOrderWithFewStatements(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{0, 1, 16, 33, 70} {
		db, err := sql.Open("sqlite", t.TempDir()+"/batch.db")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, label TEXT)`); err != nil {
			t.Fatal(err)
		}
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = []any{i, "ligne"}
		}
		counted := &countingExecer{db: db}
		if err := InsertRows(ctx, counted, `INSERT INTO t (n, label)`, "", rows); err != nil {
			t.Fatalf("%d rows: %v", n, err)
		}
		var got, ordered int
		if err := db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(n = id - 1), 0) FROM t`).Scan(&got, &ordered); err != nil {
			t.Fatal(err)
		}
		if got != n || ordered != n {
			t.Errorf("%d rows: %d inserted, %d in their order", n, got, ordered)
		}
		// 70 = 32 + 32 + 4 + 2: four statements, not seventy.
		if want := map[int]int{0: 0, 1: 1, 16: 1, 33: 2, 70: 4}[n]; counted.statements != want {
			t.Errorf("%d rows in %d statements, want %d", n, counted.statements, want)
		}
		db.Close()
	}
}

func TestInsertRowsRefusesARowOfAnotherWidth(t *testing.T) {
	db, err := sql.Open("sqlite", t.TempDir()+"/batch.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (a, b)`); err != nil {
		t.Fatal(err)
	}
	err = InsertRows(context.Background(), db, `INSERT INTO t (a, b)`, "", [][]any{{1, 2}, {3}})
	if err == nil || !strings.Contains(err.Error(), "1 values in a row of 2") {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows written: %d %v", n, err)
	}
}

func TestInsertRowsTailUpserts(t *testing.T) {
	db, err := sql.Open("sqlite", t.TempDir()+"/batch.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE slots (day TEXT PRIMARY KEY, booked INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	upsert := `ON CONFLICT (day) DO UPDATE SET booked = booked + excluded.booked`
	for range 2 {
		if err := InsertRows(context.Background(), db, `INSERT INTO slots (day, booked)`, upsert,
			[][]any{{"2027-01-04", 2}, {"2027-01-05", 1}}); err != nil {
			t.Fatal(err)
		}
	}
	var a, b int
	if err := db.QueryRow(`SELECT (SELECT booked FROM slots WHERE day = '2027-01-04'), (SELECT booked FROM slots WHERE day = '2027-01-05')`).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	if a != 4 || b != 2 {
		t.Errorf("booked %d and %d, want 4 and 2", a, b)
	}
}

type countingExecer struct {
	db         *sql.DB
	statements int
}

func (c *countingExecer) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	c.statements++
	return c.db.ExecContext(ctx, q, args...)
}
