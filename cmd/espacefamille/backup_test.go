package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRestoreCommands(t *testing.T) {
	data := t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	if code, out, errs := cli(t, envv, "commune", "create", "--slug", "mazan", "--name", "Commune de Mazan"); code != 0 {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	backups := t.TempDir()
	if code, _, errs := cli(t, envv, "commune", "backup", "--to", backups, "mazan"); code != 0 {
		t.Fatalf("backup: %d %s", code, errs)
	}
	if code, _, errs := cli(t, envv, "platform", "backup", "--to", backups); code != 0 {
		t.Fatalf("platform backup: %d %s", code, errs)
	}
	communeFile, _ := filepath.Glob(filepath.Join(backups, "mazan-*.db"))
	platformFile, _ := filepath.Glob(filepath.Join(backups, "platform-*.db"))
	if len(communeFile) != 1 || len(platformFile) != 1 {
		t.Fatalf("backups: %v %v", communeFile, platformFile)
	}
	garbage := filepath.Join(backups, "garbage.db")
	os.WriteFile(garbage, []byte("pas une base"), 0o600)

	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		wantOut string
		wantErr string
	}{
		{"needs a slug", []string{"commune", "restore", "--from", communeFile[0]}, 2, "", "SLUG and --from FILE"},
		{"needs a file", []string{"commune", "restore", "mazan"}, 2, "", "SLUG and --from FILE"},
		{"unreadable backup", []string{"commune", "restore", "mazan", "--from", garbage}, 2, "", "fichier de sauvegarde inutilisable"},
		{"platform file as a commune", []string{"commune", "restore", "mazan", "--from", platformFile[0]}, 2, "", "no settings table"},
		{"as a slug already taken", []string{"commune", "restore", "mazan", "--from", communeFile[0], "--as", "mazan"}, 2, "", "déjà cet identifiant"},
		{"as an invalid slug", []string{"commune", "restore", "mazan", "--from", communeFile[0], "--as", "Mazan_2"}, 2, "", "lettres minuscules"},
		{"in place", []string{"commune", "restore", "mazan", "--from", communeFile[0]}, 0, "commune mazan restored", ""},
		{"flags first", []string{"commune", "restore", "--from", communeFile[0], "--as", "mazan-hier", "mazan"}, 0, "commune mazan-hier restored", ""},
		{"platform needs a file", []string{"platform", "restore"}, 2, "", "--from FILE"},
		{"commune file as the platform", []string{"platform", "restore", "--from", communeFile[0]}, 2, "", "no communes table"},
		{"platform", []string{"platform", "restore", "--from", platformFile[0]}, 0, "platform database restored", ""},
		{"bad backup hour", []string{"serve", "--backup-at", "25:00"}, 2, "", "--backup-at"},
		{"migrate with a bad bound", []string{"commune", "migrate", "--all", "--jobs", "-2"}, 2, "", "--jobs must be between"},
		{"migrate one at a time", []string{"commune", "migrate", "--all", "--jobs", "1"}, 0, "summary: 0 migrated, 1 already current, 0 failed (of 1)", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := cli(t, envv, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.wantOut) || !strings.Contains(errs, tc.wantErr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out, errs, tc.code, tc.wantOut, tc.wantErr)
			}
		})
	}
	// The platform was restored from a copy taken before mazan-hier existed.
	code, out, _ := cli(t, envv, "commune", "list")
	if code != 0 || !strings.Contains(out, "mazan") || strings.Contains(out, "mazan-hier") {
		t.Fatalf("list after restoring the platform: %d\n%s", code, out)
	}
}
