package main

import (
	"fmt"
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
