package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `commune archive|delete SLUG --confirm SLUG`: refused without the slug
// typed again or without a backup directory; archive keeps the file and
// writes the final backup; delete then removes the file; both are in the
// platform audit log, and list shows the states.
func TestArchiveAndDeleteCommands(t *testing.T) {
	data, backups := t.TempDir(), t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	for _, slug := range []string{"mazan", "venasque"} {
		if code, out, errs := cli(t, envv, "commune", "create", "--slug", slug, "--name", "Commune de "+slug); code != 0 {
			t.Fatalf("create: %d %s %s", code, out, errs)
		}
	}
	for _, tc := range []struct {
		name          string
		args          []string
		code          int
		wantOut, want string
	}{
		{"needs the confirmation", []string{"commune", "archive", "mazan", "--backup-dir", backups}, 2, "", "--confirm mazan is required"},
		{"confirmation must be the slug", []string{"commune", "archive", "mazan", "--confirm", "venasque", "--backup-dir", backups}, 2, "", "is not the slug"},
		{"needs a backup directory", []string{"commune", "delete", "mazan", "--confirm", "mazan"}, 2, "", "--backup-dir"},
		{"unknown commune", []string{"commune", "archive", "nulle-part", "--confirm", "nulle-part", "--backup-dir", backups}, 2, "", "commune introuvable"},
		{"archive", []string{"commune", "archive", "mazan", "--confirm", "mazan", "--backup-dir", backups, "--archive-retention", "30"}, 0, "mazan: archived; no longer served", ""},
		{"archive twice", []string{"commune", "archive", "mazan", "--confirm", "mazan", "--backup-dir", backups}, 2, "", "archivée"},
		{"delete the archived one", []string{"commune", "delete", "mazan", "--confirm", "mazan", "--backup-dir", backups}, 0, "mazan: deleted", ""},
		{"delete at once", []string{"commune", "delete", "venasque", "--confirm", "venasque", "--backup-dir", backups}, 0, "venasque: final backup", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := cli(t, envv, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.wantOut) || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out, errs)
			}
		})
	}
	for _, slug := range []string{"mazan", "venasque"} {
		if finals, _ := filepath.Glob(filepath.Join(backups, "archives", slug+"-*.db")); len(finals) != 1 {
			t.Errorf("%s: final backups %v, want one", slug, finals)
		}
		if _, err := os.Stat(filepath.Join(data, "communes", slug+".db")); !os.IsNotExist(err) {
			t.Errorf("%s: file after delete: %v", slug, err)
		}
	}
	_, out, _ := cli(t, envv, "commune", "list")
	if !strings.Contains(out, "deleted (data kept until") {
		t.Errorf("list after delete:\n%s", out)
	}
}
