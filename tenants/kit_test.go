package tenants_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

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
