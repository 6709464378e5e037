package tenants_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"espacefamille/tenants"
)

func acquire(t *testing.T, reg *tenants.Registry, slug string) *tenants.DB {
	t.Helper()
	db, release, err := reg.Acquire(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return db
}

// Statements run through the cache give the same answers as plain
// queries, on the read pool and inside write transactions, including a
// transaction's own uncommitted rows, the second time (prepared) as the
// first (unprepared, then prepared after the commit).
func TestCachedStatements(t *testing.T) {
	t.Parallel()
	reg := openRegistry(t, 4)
	createCommune(t, reg, "stmts")
	db := acquire(t, reg, "stmts")
	ctx := context.Background()
	for round := range 3 {
		err := db.Tx(ctx, func(sqltx *sql.Tx) error {
			tx := db.InTx(sqltx)
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, "k"+string(rune('a'+round)), "v"); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key LIKE 'k%'`).Scan(&n); err != nil {
				return err
			}
			if n != round+1 {
				t.Errorf("round %d: the transaction sees %d of its rows", round, n)
			}
			rows, err := tx.QueryContext(ctx, `SELECT key FROM settings WHERE key LIKE 'k%' ORDER BY key`)
			if err != nil {
				return err
			}
			defer rows.Close()
			k := 0
			for rows.Next() {
				k++
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key LIKE 'k%'`).Scan(&n); err != nil || n != round+1 {
			t.Fatalf("round %d: reader sees %d, %v", round, n, err)
		}
	}
	// A rolled-back transaction through the cache leaves nothing.
	boom := errors.New("boom")
	err := db.Tx(ctx, func(sqltx *sql.Tx) error {
		if _, err := db.InTx(sqltx).ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`, "kz", "v"); err != nil {
			return err
		}
		return boom
	})
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key = 'kz'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rolled back row seen: %d %v", n, err)
	}
	if !errors.Is(err, boom) {
		t.Fatalf("tx error %v", err)
	}
}

// Cached statements are shared by concurrent readers and writers without
// "database is locked" and without losing a row.
func TestCachedStatementsConcurrently(t *testing.T) {
	t.Parallel()
	reg := openRegistry(t, 4)
	createCommune(t, reg, "stmts-conc")
	db := acquire(t, reg, "stmts-conc")
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 50 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- db.Tx(ctx, func(sqltx *sql.Tx) error {
				_, err := db.InTx(sqltx).ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, 'v')`, fmt.Sprintf("conc-%d", i))
				return err
			})
		}()
		go func() {
			defer wg.Done()
			var n int
			errs <- db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM settings`).Scan(&n)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key LIKE 'conc-%'`).Scan(&n); err != nil || n != 50 {
		t.Fatalf("%d rows, %v", n, err)
	}
}

// The configuration version moves with every change to the tables that
// configure booking, whatever writes it, and Memo rebuilds its value then
// only.
func TestConfigVersionAndMemo(t *testing.T) {
	t.Parallel()
	reg := openRegistry(t, 4)
	createCommune(t, reg, "memo")
	db := acquire(t, reg, "memo")
	ctx := context.Background()
	version := func() int64 {
		t.Helper()
		v, err := tenants.ConfigVersion(ctx, db.Reader())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	loads := 0
	memo := func() any {
		t.Helper()
		v, err := db.Memo("test", version(), func() (any, error) { loads++; return loads, nil })
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if memo() != 1 || memo() != 1 || loads != 1 {
		t.Fatalf("unchanged configuration rebuilt: %d loads", loads)
	}
	changes := []string{
		`INSERT INTO regies (name, mode, created_at) VALUES ('REGIE TEST', 'postpaid', 'x')`,
		`UPDATE regies SET mode = 'prepaid' WHERE name = 'REGIE TEST'`,
		`INSERT INTO closures (day, reason, created_at) VALUES ('2026-12-01', 'Grève', 'x')`,
		`DELETE FROM closures WHERE day = '2026-12-01'`,
		`INSERT INTO school_holidays (zone, school_year, description, first_day_off, resume_day) VALUES ('B', '2026-2027', 'Test', '2026-12-19', '2027-01-04')`,
		`DELETE FROM school_holidays WHERE description = 'Test'`,
		`INSERT INTO settings (key, value) VALUES ('zone', 'A') ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
	}
	for i, q := range changes {
		before := version()
		if _, err := db.W.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if version() <= before {
			t.Fatalf("%s did not move the version", q)
		}
		if got := memo(); got != i+2 {
			t.Fatalf("after %s: memo %v, want a rebuild (%d)", q, got, i+2)
		}
	}
	// Data that is not configuration leaves it alone.
	before := version()
	if _, err := db.W.ExecContext(ctx, `INSERT INTO families (name, created_at) VALUES ('FAMILLE T', 'x')`); err != nil {
		t.Fatal(err)
	}
	if version() != before {
		t.Fatal("a family moved the configuration version")
	}
}

// An unknown host is remembered (the platform database is not read for
// each request reached by path), and a commune created with that host is
// found at once.
func TestUnknownHostThenCreated(t *testing.T) {
	t.Parallel()
	reg := openRegistry(t, 4)
	ctx := context.Background()
	if _, err := reg.ByHost(ctx, "nouvelle.example"); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("unknown host: %v", err)
	}
	if _, err := reg.ByHost(ctx, "nouvelle.example"); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("unknown host, cached: %v", err)
	}
	createCommune(t, reg, "nouvelle", "nouvelle.example")
	c, err := reg.ByHost(ctx, "nouvelle.example")
	if err != nil || c.Slug != "nouvelle" {
		t.Fatalf("created commune: %+v %v", c, err)
	}
}
