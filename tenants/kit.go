package tenants

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// This file is the database kit every store uses: one querier, one stored
// time format, the recognised database errors (unique violation, damaged
// file, missing table) and not-found errors. The row
// helpers are in rows.go, the statement cache (DB.Reader, DB.InTx) in
// stmt.go.

// Querier is what a store reads and writes through: the read pool with
// its cached statements (DB.Reader), a write transaction (DB.InTx, or the
// bare *sql.Tx that DB.Tx hands over). Reads inside a write go through the
// transaction, never through the read pool.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

var (
	_ Querier = Q{}
	_ Querier = (*sql.Tx)(nil)
)

// TimeLayout is how every instant is stored: UTC, fixed width to the
// nanosecond, so that stored instants compare and sort as text.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// FormatTime returns t as stored (TimeLayout, in UTC).
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a stored instant: TimeLayout, or any RFC 3339 text.
// Every writer writes TimeLayout, and the rows written before one format
// was used everywhere were rewritten in it (commune migration 00095,
// platform migration 00055); reading RFC 3339 as well costs nothing.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("tenants: stored instant %q: %w", s, err)
	}
	return t.UTC(), nil
}

// StoredTime is ParseTime for a column that is always written by
// FormatTime: the zero time when s is empty or cannot be read.
func StoredTime(s string) time.Time {
	t, _ := ParseTime(s)
	return t
}

// Time is an instant in a column: it is written in TimeLayout and read
// back with ParseTime. The zero Time is written as NULL and NULL reads as
// the zero Time, so optional instants (sent_at, revoked_at) need no other
// type. Pass At(t) as a query argument and scan into a *Time.
type Time struct{ time.Time }

// At returns t as a column value.
func At(t time.Time) Time { return Time{t} }

// Value writes t in TimeLayout, or NULL when t is zero.
func (t Time) Value() (driver.Value, error) {
	if t.IsZero() {
		return nil, nil
	}
	return FormatTime(t.Time), nil
}

// Scan reads a stored instant; NULL and the empty text read as zero.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.Time = time.Time{}
		return nil
	case time.Time: // a column declared DATETIME or TIMESTAMP
		t.Time = v.UTC()
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("tenants: cannot read %T as an instant", src)
}

func (t *Time) parse(s string) error {
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := ParseTime(s)
	t.Time = v
	return err
}

// The database errors the kit recognises are told apart by the drivers'
// error codes (modernc's *sqlite.Error, pgx's *pgconn.PgError), never by
// the wording of their messages.

// IsUnique reports whether err is SQLite or PostgreSQL refusing a row
// that would repeat a UNIQUE or PRIMARY KEY value.
func IsUnique(err error) bool {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return true
	}
	return pgCode(err) == "23505" // unique_violation
}

// IsCorrupt reports whether err is SQLite finding a database file damaged
// (SQLITE_CORRUPT: "database disk image is malformed", SQLITE_NOTADB:
// "file is not a database"), not a passing condition such as a busy lock
// or too many open files.
func IsCorrupt(err error) bool {
	switch sqliteCode(err) & 0xff { // the primary code, whatever the extended one
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// IsMissingTable reports whether err is the database refusing a statement
// because its schema lacks what the statement names: a file or a store not
// yet migrated that far. PostgreSQL says so with undefined_table; SQLite
// gives "no such table" (and "no such column") only its generic code,
// SQLITE_ERROR, with no extended code, so use IsMissingTable only on a
// fixed statement that is valid on the current schema, for which that code
// means nothing else.
func IsMissingTable(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_ERROR || pgCode(err) == "42P01" // undefined_table
}

// sqliteCode is the (extended) result code of a SQLite error in err's
// chain, 0 when there is none.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// pgCode is the SQLSTATE of a PostgreSQL error in err's chain, "" when
// there is none.
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// ExecOne runs query, a statement meant to change one row (an UPDATE or
// DELETE picking it by its key), through q and returns missing, the
// caller's not-found error, when it changed none: the row does not exist,
// or no longer is in the state the statement asks for. A failing
// statement returns its own error.
func ExecOne(ctx context.Context, q Execer, missing error, query string, args ...any) error {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return missing
	}
	return nil
}

// ErrMissing is the class of "what was asked for does not exist" errors:
// every package's not-found error (NotFound) and every sql.ErrNoRows passed
// through Missing match it, so the web's error handler answers them with
// 404 and any other error with 500.
var ErrMissing = errors.New("not found")

// NotFound returns a package's not-found sentinel, with text msg: it is
// itself (errors.Is compares it by identity) and it is ErrMissing.
func NotFound(msg string) error { return &notFound{msg: msg} }

type notFound struct{ msg string }

func (e *notFound) Error() string        { return e.msg }
func (e *notFound) Is(target error) bool { return target == ErrMissing }

// Missing returns err, except that sql.ErrNoRows becomes an error that is
// both sql.ErrNoRows and ErrMissing: a lookup whose row is absent reads
// as not found, a failing database does not.
func Missing(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return missingRow{err}
	}
	return err
}

type missingRow struct{ err error }

func (e missingRow) Error() string        { return e.err.Error() }
func (e missingRow) Unwrap() error        { return e.err }
func (e missingRow) Is(target error) bool { return target == ErrMissing }
