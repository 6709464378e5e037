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
)

// instantsOneFormat is the commune migration that rewrites stored
// instants in tenants.TimeLayout.
const instantsOneFormat = 95

// A commune file at the version before instantsOneFormat holds instants
// in the formats older code wrote: whole seconds, a short fraction, an
// offset. Migrated, each is the same instant in TimeLayout, so they
// compare as text with what the code writes now; dates, empty text, NULL
// and instants already in TimeLayout are untouched.
func TestStoredInstantsMigrateToOneFormat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "commune.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sub, err := fs.Sub(migrations.Commune, "commune")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		t.Fatal(err)
	}
	previous := int64(0)
	for _, s := range p.ListSources() {
		if s.Version < instantsOneFormat {
			previous = max(previous, s.Version)
		}
	}
	if _, err := p.UpTo(ctx, previous); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, stored, want string }{
		{"whole seconds", "2026-03-04T10:00:05Z", "2026-03-04T10:00:05.000000000Z"},
		{"a fraction with its trailing zeros dropped", "2026-03-04T10:00:05.25Z", "2026-03-04T10:00:05.250000000Z"},
		{"an offset, to UTC", "2026-03-04T11:00:05+01:00", "2026-03-04T10:00:05.000000000Z"},
		{"an offset with a fraction, to the millisecond", "2026-07-01T00:30:00.123456-02:00", "2026-07-01T02:30:00.123000000Z"},
		{"already in TimeLayout", "2026-03-04T10:00:05.123456789Z", "2026-03-04T10:00:05.123456789Z"},
		{"a date", "2026-03-04", "2026-03-04"},
		{"empty text", "", ""},
	}
	for _, c := range cases {
		if _, err := db.Exec(`INSERT INTO audit_log (at, actor, action, entity) VALUES (?, 'test', ?, 'instant')`, c.stored, c.name); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO outbox (kind, to_addr, subject, text_body, html_body, next_attempt_at, created_at, sent_at)
			VALUES (?, 'a@example.org', '', '', '', ?, ?, ?)`, c.name, c.stored, c.stored, c.stored); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO outbox (kind, to_addr, subject, text_body, html_body, next_attempt_at, created_at, sent_at)
		VALUES ('not sent', 'a@example.org', '', '', '', '2026-03-04T10:00:05Z', '2026-03-04T10:00:05Z', NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, instantsOneFormat); err != nil {
		t.Fatal(err)
	}
	read := func(q, name string) (got sql.NullString) {
		t.Helper()
		if err := db.QueryRow(q, name).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, c := range cases {
		for _, q := range []string{`SELECT at FROM audit_log WHERE action = ?`, `SELECT next_attempt_at FROM outbox WHERE kind = ?`,
			`SELECT created_at FROM outbox WHERE kind = ?`, `SELECT sent_at FROM outbox WHERE kind = ?`} {
			if got := read(q, c.name); got.String != c.want {
				t.Errorf("%s: %s gives %q, want %q", c.name, q, got.String, c.want)
			}
		}
	}
	if got := read(`SELECT sent_at FROM outbox WHERE kind = ?`, "not sent"); got.Valid {
		t.Errorf("a NULL instant became %q", got.String)
	}
}
