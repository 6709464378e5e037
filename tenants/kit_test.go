package tenants_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"espacefamille/tenants"
)

func kitDB(t *testing.T) *tenants.DB {
	t.Helper()
	db, err := tenants.OpenDB(filepath.Join(t.TempDir(), "kit.db"), tenants.OpenOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, at TEXT, at_dt DATETIME)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestTimeIsStoredInOneFormatAndReadBackFromAnyRFC3339(t *testing.T) {
	db := kitDB(t)
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	at := time.Date(2026, 12, 3, 11, 15, 0, 5, paris)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		q := db.InTx(tx)
		for _, row := range []struct {
			id    int
			email string
			at    any
		}{
			{1, "a", tenants.At(at)},
			{2, "b", tenants.At(time.Time{})},                 // zero is NULL
			{3, "c", "2026-12-03T10:15:00Z"},                  // a row of the seconds-only era
			{4, "d", "2026-12-03T10:15:00.123Z"},              // any RFC 3339
			{5, "e", tenants.FormatTime(at.Add(time.Second))}, // the text form
		} {
			if _, err := q.ExecContext(ctx, `INSERT INTO t (id, email, at, at_dt) VALUES (?, ?, ?, ?)`, row.id, row.email, row.at, row.at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var stored sql.NullString
	if err := db.Reader().QueryRowContext(ctx, `SELECT at FROM t WHERE id = 1`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored.String != "2026-12-03T10:15:00.000000005Z" {
		t.Fatalf("stored as %q, want UTC to the nanosecond", stored.String)
	}
	want := []time.Time{at.UTC(), {}, time.Date(2026, 12, 3, 10, 15, 0, 0, time.UTC),
		time.Date(2026, 12, 3, 10, 15, 0, 123e6, time.UTC), at.Add(time.Second).UTC()}
	for _, col := range []string{"at", "at_dt"} {
		got, err := tenants.All(ctx, db.Reader(), func(r tenants.Row) (time.Time, error) {
			var v tenants.Time
			err := r.Scan(&v)
			return v.Time, err
		}, `SELECT `+col+` FROM t ORDER BY id`)
		if err != nil {
			t.Fatalf("%s: %v", col, err)
		}
		if !slices.EqualFunc(got, want, time.Time.Equal) {
			t.Fatalf("%s read back as %v, want %v", col, got, want)
		}
	}
	var bad tenants.Time
	if err := bad.Scan("03/12/2026"); err == nil {
		t.Fatal("a French date is not a stored instant: no error")
	}
}

func TestIsUniqueReadsTheDriverCode(t *testing.T) {
	db := kitDB(t)
	ctx := context.Background()
	insert := func(id int, email any) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO t (id, email) VALUES (?, ?)`, id, email)
			return err
		})
	}
	if err := insert(1, "a@example.fr"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"same email twice", insert(2, "a@example.fr"), true},
		{"same primary key twice", insert(1, "b@example.fr"), true},
		{"missing email is another constraint", insert(3, nil), false},
		{"wrapped unique violation", fmt.Errorf("save: %w", insert(4, "a@example.fr")), true},
		{"no error", nil, false},
		{"a message that merely says UNIQUE", errors.New("UNIQUE constraint failed: t.email"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := tenants.IsUnique(c.err); got != c.want {
				t.Fatalf("IsUnique(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
}

func TestMissingRowsAreNotFoundAndFailuresAreNot(t *testing.T) {
	db := kitDB(t)
	ctx := context.Background()
	errPkg := tenants.NotFound("pkg: not found")
	var email string
	noRow := tenants.Missing(db.Reader().QueryRowContext(ctx, `SELECT email FROM t WHERE id = 42`).Scan(&email))
	broken := tenants.Missing(db.Reader().QueryRowContext(ctx, `SELECT email FROM no_such_table`).Scan(&email))
	for _, c := range []struct {
		name                string
		err                 error
		missing, noRows, is bool
	}{
		{"absent row", noRow, true, true, false},
		{"query on a missing table", broken, false, false, false},
		{"a package's sentinel", errPkg, true, false, true},
		{"a package's sentinel, wrapped", fmt.Errorf("load 4: %w", errPkg), true, false, true},
		{"another package's sentinel", tenants.NotFound("pkg: not found"), true, false, false},
		{"the registry's unknown commune", tenants.ErrNotFound, true, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := errors.Is(c.err, tenants.ErrMissing); got != c.missing {
				t.Errorf("Is(ErrMissing) = %v", got)
			}
			if got := errors.Is(c.err, sql.ErrNoRows); got != c.noRows {
				t.Errorf("Is(sql.ErrNoRows) = %v", got)
			}
			if got := errors.Is(c.err, errPkg); got != c.is {
				t.Errorf("Is(its sentinel) = %v", got)
			}
		})
	}
	if broken == nil {
		t.Fatal("query on a missing table: no error")
	}
}

// ExecOne answers the caller's own not-found error when its statement
// changed no row (absent, or no longer in the state asked for), nothing
// when it changed one, and the driver's error when the statement failed.
func TestExecOneSaysNotFoundWhenNoRowChanged(t *testing.T) {
	db := kitDB(t)
	ctx := context.Background()
	errPkg := tenants.NotFound("pkg: not found")
	write := func(q string, args ...any) error {
		return db.Tx(ctx, func(tx *sql.Tx) error { return tenants.ExecOne(ctx, tx, errPkg, q, args...) })
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO t (id, email) VALUES (1, 'a@example.fr'), (2, 'b@example.fr')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := write(`UPDATE t SET email = 'c@example.fr' WHERE id = ?`, 1); err != nil {
		t.Fatalf("a row changed: %v", err)
	}
	if err := write(`UPDATE t SET email = 'd@example.fr' WHERE id = ?`, 42); err != errPkg {
		t.Fatalf("an absent row: %v, want the caller's not-found error", err)
	}
	if err := write(`DELETE FROM t WHERE id = ? AND email = 'a@example.fr'`, 1); err != errPkg {
		t.Fatalf("a row no longer in the state asked for: %v, want the caller's not-found error", err)
	}
	err := write(`UPDATE t SET email = 'b@example.fr' WHERE id = ?`, 1)
	if !tenants.IsUnique(err) || errors.Is(err, tenants.ErrMissing) {
		t.Fatalf("a failing statement: %v, want the driver's unique violation, not a not-found", err)
	}
}

// driverErrors produces, on real SQLite files, the errors the kit must
// tell apart: a damaged page, a file that is not a database, a busy lock,
// a file that cannot be opened, a missing table, a NOT NULL refusal.
func driverErrors(t *testing.T) map[string]error {
	t.Helper()
	dir := t.TempDir()
	open := func(path string, pragmas string) *sql.DB {
		t.Helper()
		db, err := sql.Open("sqlite", "file:"+path+pragmas)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	exec := func(db *sql.DB, q string) error {
		_, err := db.Exec(q)
		return err
	}
	out := map[string]error{}

	damaged := filepath.Join(dir, "damaged.db")
	db := open(damaged, "")
	if err := exec(db, `CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
		INSERT INTO big (id, body) SELECT i, printf('%0500d', i) FROM n`); err != nil {
		t.Fatal(err)
	}
	out["not null"] = exec(db, `INSERT INTO big (id, body) VALUES (1000, NULL)`)
	out["missing table"] = db.QueryRow(`SELECT MAX(version_id) FROM goose_db_version`).Scan(new(sql.NullInt64))
	db.Close()
	f, err := os.OpenFile(damaged, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, 4096), 4096); err != nil { // page 2, the table's root
		t.Fatal(err)
	}
	f.Close()
	out["damaged page"] = open(damaged, "").QueryRow(`SELECT count(*) FROM big WHERE body <> ''`).Scan(new(int))

	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("not a database "), 400), 0o600); err != nil {
		t.Fatal(err)
	}
	out["not a database"] = open(garbage, "").QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(new(int))

	locked := filepath.Join(dir, "locked.db")
	holder := open(locked, "")
	conn, err := holder.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	out["busy lock"] = exec(open(locked, "?_pragma=busy_timeout(0)"), `CREATE TABLE x (id INTEGER)`)
	if _, err := conn.ExecContext(context.Background(), `ROLLBACK`); err != nil {
		t.Fatal(err)
	}

	out["cannot open"] = exec(open(filepath.Join(dir, "no", "such", "dir.db"), ""), `CREATE TABLE x (id INTEGER)`)
	for name, err := range out {
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
	}
	return out
}

// A damaged file and a missing table are recognised by the drivers'
// codes (SQLite's SQLITE_CORRUPT/SQLITE_NOTADB and SQLITE_ERROR,
// PostgreSQL's undefined_table), wrapped or not; a busy lock, a file that
// cannot be opened or another refusal is neither, and neither is a
// message that merely says so.
func TestDamageAndMissingTablesReadTheDriverCode(t *testing.T) {
	errs := driverErrors(t)
	for _, c := range []struct {
		name             string
		err              error
		corrupt, missing bool
	}{
		{"a damaged page", errs["damaged page"], true, false},
		{"a file that is not a database", errs["not a database"], true, false},
		{"a damaged page, wrapped", fmt.Errorf("news: %w", errs["damaged page"]), true, false},
		{"a missing table", errs["missing table"], false, true},
		{"a missing table, wrapped", fmt.Errorf("read schema version: %w", errs["missing table"]), false, true},
		{"PostgreSQL's undefined_table", &pgconn.PgError{Code: "42P01"}, false, true},
		{"PostgreSQL's unique_violation", &pgconn.PgError{Code: "23505"}, false, false},
		{"a busy lock", errs["busy lock"], false, false},
		{"a file that cannot be opened", errs["cannot open"], false, false},
		{"a NOT NULL refusal", errs["not null"], false, false},
		{"a message that merely says the file is damaged", errors.New("database disk image is malformed (11)"), false, false},
		{"a message that merely says the table is missing", errors.New("no such table: goose_db_version"), false, false},
		{"no error", nil, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := tenants.IsCorrupt(c.err); got != c.corrupt {
				t.Errorf("IsCorrupt(%v) = %v, want %v", c.err, got, c.corrupt)
			}
			if got := tenants.IsMissingTable(c.err); got != c.missing {
				t.Errorf("IsMissingTable(%v) = %v, want %v", c.err, got, c.missing)
			}
		})
	}
}
