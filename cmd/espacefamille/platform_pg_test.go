package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"espacefamille/tenants"
	"espacefamille/tenants/pgtest"
)

// `platform migrate` brings either platform store to the binary's schema,
// and every command then works on the store ESPACEFAMILLE_PLATFORM_DSN
// names.
func TestPlatformMigrateOnBothStores(t *testing.T) {
	latest, err := tenants.PlatformSchema.Latest()
	if err != nil {
		t.Fatal(err)
	}
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			envv := map[string]string{"ESPACEFAMILLE_DATA": t.TempDir()}
			if store == "postgres" {
				envv["ESPACEFAMILLE_PLATFORM_DSN"] = pgtest.DSN(t)
				code, out, errs := cli(t, envv, "platform", "migrate")
				if want := fmt.Sprintf("migrated from version 0 to %d", latest); code != 0 || !strings.Contains(out, want) {
					t.Fatalf("first migrate: %d %q %q, want %q", code, out, errs, want)
				}
			}
			if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan", "--host", "famille.mazan.example"); code != 0 {
				t.Fatalf("create: %d %s %s", code, out, errs)
			}
			code, out, errs := cli(t, envv, "platform", "migrate")
			if want := fmt.Sprintf("already at version %d", latest); code != 0 || !strings.Contains(out, want) {
				t.Fatalf("migrate again: %d %q %q, want %q", code, out, errs, want)
			}
			if code, out, errs := cli(t, envv, "commune", "list"); code != 0 || !strings.Contains(out, "famille.mazan.example") {
				t.Fatalf("list: %d %q %q, want the commune created", code, out, errs)
			}
		})
	}
}

// A bad DSN is refused with a message that names the expected form and
// never repeats the password.
func TestPlatformDSNMustBePostgres(t *testing.T) {
	envv := map[string]string{"ESPACEFAMILLE_DATA": t.TempDir(), "ESPACEFAMILLE_PLATFORM_DSN": "mysql://u:secret@h/db"}
	code, out, errs := cli(t, envv, "platform", "migrate")
	if code != 2 || !strings.Contains(errs, "postgres://") || strings.Contains(out+errs, "secret") {
		t.Fatalf("migrate with a MySQL DSN: %d %q %q, want status 2 naming postgres://, no password", code, out, errs)
	}
}

// platform backup and restore (from a file or the replica) act on
// platform.db: on PostgreSQL they say so and change nothing.
func TestPlatformFileCommandsRefuseOnPostgres(t *testing.T) {
	envv := map[string]string{"ESPACEFAMILLE_DATA": t.TempDir(), "ESPACEFAMILLE_PLATFORM_DSN": pgtest.DSN(t),
		"ESPACEFAMILLE_REPLICA_URL": "file://" + t.TempDir()}
	if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	for _, args := range [][]string{
		{"platform", "backup", "--to", t.TempDir()},
		{"platform", "restore", "--from", "platform.db"},
		{"platform", "restore", "--from-replica"},
	} {
		code, out, errs := cli(t, envv, args...)
		if code == 0 || !strings.Contains(errs, "the platform store is in PostgreSQL") || !strings.Contains(errs, "pg_dump") {
			t.Errorf("%v: %d %q %q, want a refusal naming PostgreSQL's tools", args, code, out, errs)
		}
	}
}

// `platform copy` fills an empty PostgreSQL store from platform.db, table
// by table with the rows copied, converting what SQLite stored under
// another type than the column's (a password hash and a figure written as
// bytes into a text and an integer column, a secret written as text into
// a bytes column), then
// refuses a second copy into the store it filled, changing nothing.
func TestPlatformCopyFillsAnEmptyPostgresStoreOnceAndSaysWhatItCopied(t *testing.T) {
	dsn := pgtest.DSN(t)
	data := t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan", "--host", "famille.mazan.example"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	db, err := tenants.OpenDB(filepath.Join(data, "platform.db"), tenants.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(context.Background(), func(tx *sql.Tx) error {
		// SQLite keeps a blob as it is whatever the column's type.
		_, err := tx.Exec(`INSERT INTO accounts (email, password_hash, last_name, first_name, password_changed_at, created_at)
			VALUES ('parent@example.org', CAST('$argon2id$v=19$hash' AS BLOB), 'Parent', 'Un', '', '2026-12-01T10:00:00.000000000Z')`)
		if err == nil {
			_, err = tx.Exec(`UPDATE communes SET families = CAST('12' AS BLOB) WHERE slug = 'mazan'`)
		}
		if err == nil { // and text as it is in a bytes column
			_, err = tx.Exec(`INSERT INTO secrets (name, value) VALUES ('test', 'clé\x00 avec \ barre')`)
		}
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	if code, out, errs := cli(t, envv, "platform", "copy"); code != 2 || !strings.Contains(errs, "--to-dsn") {
		t.Fatalf("copy without a target: %d %q %q, want status 2 naming --to-dsn", code, out, errs)
	}
	code, out, errs := cli(t, envv, "platform", "copy", "--to-dsn", dsn)
	if code != 0 {
		t.Fatalf("copy: %d %q %q", code, out, errs)
	}
	for _, want := range []string{"communes                 1 rows", "commune_hosts            1 rows", "accounts                 1 rows", "verified: ", "copied into postgres:"} {
		if !strings.Contains(out, want) {
			t.Errorf("copy output lacks %q:\n%s", want, out)
		}
	}
	pg, err := tenants.OpenPostgres(context.Background(), dsn, tenants.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	var hash string
	var families int64
	if err := pg.Reader().QueryRowContext(context.Background(), `SELECT a.password_hash, c.families FROM accounts a, communes c`).Scan(&hash, &families); err != nil {
		t.Fatal(err)
	}
	var secret []byte
	if err := pg.Reader().QueryRowContext(context.Background(), `SELECT value FROM secrets WHERE name = 'test'`).Scan(&secret); err != nil {
		t.Fatal(err)
	}
	if hash != "$argon2id$v=19$hash" || families != 12 || string(secret) != `clé\x00 avec \ barre` {
		t.Fatalf("copied values: %q %d %q", hash, families, secret)
	}

	code, out, errs = cli(t, envv, "platform", "copy", "--to-dsn", dsn)
	if code == 0 || !strings.Contains(errs, "not empty") || !strings.Contains(errs, "communes (1 rows)") || !strings.Contains(errs, "nothing was changed") {
		t.Fatalf("second copy: %d %q %q, want a refusal naming the filled tables", code, out, errs)
	}
}
