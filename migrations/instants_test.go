package migrations_test

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"espacefamille/migrations"
	"espacefamille/tenants/pgtest"
)

// The migrations that rewrite stored instants in tenants.TimeLayout.
const (
	communeInstantsOneFormat  = 95
	platformInstantsOneFormat = 55
)

// instantCases are instants in the formats older code wrote, and what
// each must become in TimeLayout: the same instant, so that it compares
// as text with what the code writes now. Dates, empty text, text that
// is not an instant and instants already in TimeLayout are untouched.
var instantCases = []struct{ name, stored, want string }{
	{"whole seconds", "2026-03-04T10:00:05Z", "2026-03-04T10:00:05.000000000Z"},
	{"a fraction with its trailing zeros dropped", "2026-03-04T10:00:05.25Z", "2026-03-04T10:00:05.250000000Z"},
	{"an offset, to UTC", "2026-03-04T11:00:05+01:00", "2026-03-04T10:00:05.000000000Z"},
	{"an offset with a fraction, to the millisecond", "2026-07-01T00:30:00.123456-02:00", "2026-07-01T02:30:00.123000000Z"},
	{"an offset with a fraction, cut to the millisecond", "2026-07-01T00:30:00.9996-02:00", "2026-07-01T02:30:00.999000000Z"},
	{"no zone, read as UTC", "2026-03-04T10:00:05", "2026-03-04T10:00:05.000000000Z"},
	{"already in TimeLayout", "2026-03-04T10:00:05.123456789Z", "2026-03-04T10:00:05.123456789Z"},
	{"not an instant", "2026-13-04T10:00:05+01:00", "2026-13-04T10:00:05+01:00"},
	{"a date", "2026-03-04", "2026-03-04"},
	{"empty text", "", ""},
}

// instantsMigration checks one instants migration: every case is
// inserted at the version just before it by each of inserts (arguments:
// the case's name, its stored text; $1 and $2 read the same in SQLite
// and PostgreSQL), the database is migrated to it, and each of reads
// (argument: the case's name) must give the case's TimeLayout. A row
// inserted with a NULL instant keeps it (nullInsert, then nullRead).
type instantsMigration struct {
	fsys                 fs.FS
	dir                  string
	dialect              goose.Dialect
	version              int64
	inserts, reads       []string
	nullInsert, nullRead string
}

func (m instantsMigration) run(t *testing.T, db *sql.DB) {
	t.Helper()
	ctx := context.Background()
	sub, err := fs.Sub(m.fsys, m.dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(m.dialect, db, sub)
	if err != nil {
		t.Fatal(err)
	}
	previous := int64(0)
	for _, s := range p.ListSources() {
		if s.Version < m.version {
			previous = max(previous, s.Version)
		}
	}
	if _, err := p.UpTo(ctx, previous); err != nil {
		t.Fatal(err)
	}
	for _, c := range instantCases {
		for _, q := range m.inserts {
			if _, err := db.ExecContext(ctx, q, c.name, c.stored); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	if _, err := db.ExecContext(ctx, m.nullInsert); err != nil {
		t.Fatalf("%s: %v", m.nullInsert, err)
	}
	if _, err := p.UpTo(ctx, m.version); err != nil {
		t.Fatal(err)
	}
	for _, c := range instantCases {
		for _, q := range m.reads {
			var got sql.NullString
			if err := db.QueryRowContext(ctx, q, c.name).Scan(&got); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if got.String != c.want {
				t.Errorf("%s: %s gives %q, want %q", c.name, q, got.String, c.want)
			}
		}
	}
	var null sql.NullString
	if err := db.QueryRowContext(ctx, m.nullRead).Scan(&null); err != nil || null.Valid {
		t.Errorf("a NULL instant: %q (%v)", null.String, err)
	}
}

func sqliteFile(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The outbox has the same instant columns in a commune's file and in the
// platform store.
const (
	outboxInsert = `INSERT INTO outbox (kind, to_addr, subject, text_body, html_body, next_attempt_at, created_at, sent_at)
		VALUES ($1, 'a@example.org', '', '', '', $2, $2, $2)`
	outboxNullInsert = `INSERT INTO outbox (kind, to_addr, subject, text_body, html_body, next_attempt_at, created_at, sent_at)
		VALUES ('not sent', 'a@example.org', '', '', '', '2026-03-04T10:00:05Z', '2026-03-04T10:00:05Z', NULL)`
	outboxNullRead = `SELECT sent_at FROM outbox WHERE kind = 'not sent'`
)

var outboxReads = []string{`SELECT next_attempt_at FROM outbox WHERE kind = $1`,
	`SELECT created_at FROM outbox WHERE kind = $1`, `SELECT sent_at FROM outbox WHERE kind = $1`}

// A commune file at the version before the instants migration holds
// instants in the formats older code wrote; migrated, each is the same
// instant in TimeLayout.
func TestStoredInstantsMigrateToOneFormat(t *testing.T) {
	t.Parallel()
	instantsMigration{
		fsys: migrations.Commune, dir: "commune", dialect: goose.DialectSQLite3, version: communeInstantsOneFormat,
		inserts:    []string{`INSERT INTO audit_log (at, actor, action, entity) VALUES ($2, 'test', $1, 'instant')`, outboxInsert},
		reads:      append([]string{`SELECT at FROM audit_log WHERE action = $1`}, outboxReads...),
		nullInsert: outboxNullInsert, nullRead: outboxNullRead,
	}.run(t, sqliteFile(t))
}

// The platform store, on SQLite and on PostgreSQL, gets the same rewrite
// from its own migration (the two twins give the same text).
func TestPlatformInstantsMigrateToOneFormat(t *testing.T) {
	t.Parallel()
	m := instantsMigration{
		version: platformInstantsOneFormat,
		inserts: []string{`INSERT INTO platform_audit (at, actor, action) VALUES ($2, 'test', $1)`, outboxInsert,
			`INSERT INTO throttles (key, window_start, locked_until) VALUES ($1, $2, $2)`},
		reads: append([]string{`SELECT at FROM platform_audit WHERE action = $1`,
			`SELECT window_start FROM throttles WHERE key = $1`, `SELECT locked_until FROM throttles WHERE key = $1`}, outboxReads...),
		nullInsert: outboxNullInsert, nullRead: outboxNullRead,
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		m := m
		m.fsys, m.dir, m.dialect = migrations.Platform, "platform", goose.DialectSQLite3
		m.run(t, sqliteFile(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db, err := sql.Open("pgx", pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		m := m
		m.fsys, m.dir, m.dialect = migrations.PlatformPostgres, "platform_pg", goose.DialectPostgres
		m.run(t, db)
	})
}
