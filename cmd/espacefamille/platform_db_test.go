package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Nodes of one machine share a platform file outside their data
// directories (--platform-db, ESPACEFAMILLE_PLATFORM_DB): platform backup,
// restore and migrate act on that file, never on <data>/platform.db.
func TestPlatformRestoreActsOnTheSharedPlatformFileItIsGiven(t *testing.T) {
	data := t.TempDir()
	shared := filepath.Join(t.TempDir(), "shared-platform.db")
	withEnv := map[string]string{"ESPACEFAMILLE_DATA": data, "ESPACEFAMILLE_PLATFORM_DB": shared}
	plain := map[string]string{"ESPACEFAMILLE_DATA": data}
	if code, out, errs := cli(t, withEnv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	backups := t.TempDir()
	if code, out, errs := cli(t, plain, "platform", "backup", "--to", backups, "--platform-db", shared); code != 0 {
		t.Fatalf("platform backup --platform-db: %d %s %s", code, out, errs)
	}
	file, _ := filepath.Glob(filepath.Join(backups, "platform-*.db"))
	if len(file) != 1 {
		t.Fatalf("backups: %v", file)
	}
	for _, tc := range []struct {
		name, later string
		envv        map[string]string
		args        []string
	}{
		{"ESPACEFAMILLE_PLATFORM_DB", "mazan-hier", withEnv, []string{"platform", "restore", "--from", file[0]}},
		{"--platform-db", "mazan-avant-hier", plain, []string{"platform", "restore", "--from", file[0], "--platform-db", shared}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, out, errs := cli(t, withEnv, "commune", "create", "--slug", tc.later, "--name", "Commune de Mazan (hier)"); code != 0 {
				t.Fatalf("create after the backup: %d %s %s", code, out, errs)
			}
			if code, out, errs := cli(t, tc.envv, tc.args...); code != 0 || !strings.Contains(out, "platform database restored") {
				t.Fatalf("restore: %d %q %q", code, out, errs)
			}
			code, out, errs := cli(t, withEnv, "commune", "list")
			if code != 0 || !strings.Contains(out, "mazan") || strings.Contains(out, tc.later) {
				t.Fatalf("list of the shared file after the restore: %d %q %q, want mazan only", code, out, errs)
			}
			if _, err := os.Stat(filepath.Join(data, "platform.db")); !os.IsNotExist(err) {
				t.Fatalf("the restore touched <data>/platform.db: %v", err)
			}
			if code, out, errs := cli(t, plain, "platform", "migrate", "--platform-db", shared); code != 0 || !strings.Contains(out, shared+": already at version") {
				t.Fatalf("platform migrate --platform-db: %d %q %q", code, out, errs)
			}
		})
	}
}
