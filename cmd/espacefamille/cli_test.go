package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the program in-process with the given environment.
func cli(t *testing.T, envv map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb, func(k string) string { return envv[k] })
	return code, out.String(), errb.String()
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return names
}

func TestCommuneCommands(t *testing.T) {
	data := t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}

	code, out, errs := cli(t, envv, "commune", "create", "--slug", "malemort-du-comtat", "--name", "Commune de Malemort du Comtat", "--host", "famille.malemort.example", "--zone", "B")
	if code != 0 || !strings.Contains(out, "commune malemort-du-comtat created") {
		t.Fatalf("create: %d %q %q", code, out, errs)
	}
	before := listDir(t, data)

	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"bad slug", []string{"commune", "create", "--slug", "Mauvais_Slug", "--name", "X"}, 2, "lettres minuscules"},
		{"short slug", []string{"commune", "create", "--slug", "ab", "--name", "X"}, 2, "de 3 à 63 caractères"},
		{"missing name", []string{"commune", "create", "--slug", "mazan"}, 2, "nom de la commune est obligatoire"},
		{"bad zone", []string{"commune", "create", "--slug", "mazan", "--name", "Mazan", "--zone", "D"}, 2, "zone"},
		{"duplicate slug", []string{"commune", "create", "--slug", "malemort-du-comtat", "--name", "Autre"}, 2, "déjà cet identifiant"},
		{"duplicate host", []string{"commune", "create", "--slug", "mazan", "--name", "Mazan", "--host", "Famille.Malemort.example"}, 2, "nom d'hôte est déjà attribué"},
		{"unknown flag", []string{"commune", "create", "--slug", "mazan", "--nom", "Mazan"}, 2, "flag provided but not defined"},
		{"unknown subcommand", []string{"commune", "frobnicate"}, 2, "unknown subcommand"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"migrate unknown commune", []string{"commune", "migrate", "gordes"}, 2, "commune introuvable: gordes"},
		{"migrate needs a target", []string{"commune", "migrate"}, 2, "either --all or one or more slugs"},
		{"backup needs a destination", []string{"commune", "backup", "--all"}, 2, "--to DIR is required"},
		{"backup unknown commune", []string{"commune", "backup", "--to", "/nonexistent-dir", "gordes"}, 2, "commune introuvable: gordes"},
		{"bad cache size", []string{"serve", "--cache-size", "0"}, 2, "--cache-size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := cli(t, envv, tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, tc.code, tc.wantErr)
			}
			if after := listDir(t, data); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Fatalf("files changed: %v → %v", before, after)
			}
		})
	}

	code, out, _ = cli(t, envv, "commune", "list")
	if code != 0 || !strings.Contains(out, "malemort-du-comtat") || !strings.Contains(out, "Commune de Malemort du Comtat") ||
		!strings.Contains(out, "active") || !strings.Contains(out, "famille.malemort.example") || !strings.Contains(out, "1 commune(s)") {
		t.Fatalf("list: %d\n%s", code, out)
	}
	backups := t.TempDir()
	code, out, _ = cli(t, envv, "commune", "backup", "--all", "--to", backups)
	if code != 0 || !strings.Contains(out, "[1/1] malemort-du-comtat: "+backups) || !strings.Contains(out, "summary: 1 backed up, 0 failed") {
		t.Fatalf("backup: %d\n%s", code, out)
	}
	code, out, _ = cli(t, envv, "commune", "migrate", "--all")
	if code != 0 || !strings.Contains(out, "[1/1] malemort-du-comtat") || !strings.Contains(out, "summary: 0 migrated, 1 already current, 0 failed") {
		t.Fatalf("migrate: %d\n%s", code, out)
	}
}

func TestReadOnlyCommandsDoNotCreateADataDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	code, _, errs := cli(t, nil, "commune", "list", "--data", missing)
	if code != 2 || !strings.Contains(errs, "does not exist") {
		t.Fatalf("%d %q", code, errs)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatal("data directory created by list")
	}
}

func TestHelpEverywhere(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"serve", "--help"}, {"demo", "--help"}, {"commune", "--help"},
		{"commune", "create", "--help"}, {"commune", "list", "--help"}, {"commune", "migrate", "--help"},
		{"commune", "backup", "--help"},
	} {
		code, out, errs := cli(t, nil, args...)
		if code != 0 || !strings.Contains(out, "Usage") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	if code, _, _ := cli(t, nil); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
}

// A malformed trusted proxy stops serve before anything starts.
func TestTrustedProxiesValidated(t *testing.T) {
	data := t.TempDir()
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{map[string]string{"ESPACEFAMILLE_DATA": data}, []string{"serve", "--addr", "127.0.0.1:0", "--trusted-proxies", "10.0.0.0/8,pas-une-ip"}},
		{map[string]string{"ESPACEFAMILLE_DATA": data, "ESPACEFAMILLE_TRUSTED_PROXIES": "10.0.0.300"}, []string{"serve", "--addr", "127.0.0.1:0"}},
		{map[string]string{"ESPACEFAMILLE_DATA": data}, []string{"demo", "--addr", "127.0.0.1:0", "--trusted-proxies", "10.0.0.0/33"}},
	} {
		code, _, errs := cli(t, tc.env, tc.args...)
		if code != 2 || !strings.Contains(errs, "--trusted-proxies") || !strings.Contains(errs, "not an IP address or CIDR range") {
			t.Errorf("%v %v: code %d, stderr %q", tc.env, tc.args, code, errs)
		}
	}
	if names := listDir(t, data); len(names) != 0 {
		t.Errorf("files created despite the bad option: %v", names)
	}
}
