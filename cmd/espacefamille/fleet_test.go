package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"espacefamille/app/mail"
	"espacefamille/tenants"
)

// `commune list` reads the registry, not the files (it lists a commune
// whose file is gone with its last known figures), and shows a damaged
// commune as "en panne"; `commune check` finds damaged files with
// progress, exits non-zero, and serves a restored file again.
func TestCommuneListAndCheckFromTheRegistry(t *testing.T) {
	data := t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	for _, s := range []string{"gordes", "mazan", "pernes"} {
		if code, _, errs := cli(t, envv, "commune", "create", "--slug", s, "--name", "Commune de "+s); code != 0 {
			t.Fatalf("create %s: %s", s, errs)
		}
	}
	path := filepath.Join(data, "communes", "mazan.db")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("not a database at all, a disk fault"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, envv, "commune", "check", "--all")
	if code == 0 || !strings.Contains(out, "[2/3] mazan: EN PANNE") || !strings.Contains(out, "[1/3] gordes: ok") ||
		!strings.Contains(out, "summary: 2 ok, 1 en panne, 0 not checked (of 3)") {
		t.Fatalf("check: %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = cli(t, envv, "commune", "list")
	if code != 0 || !strings.Contains(out, "FAMILIES") || !strings.Contains(out, "en panne") || !strings.Contains(out, "1 en panne:") {
		t.Fatalf("list: %d\n%s\n%s", code, out, errs)
	}
	line := func(out, slug string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, slug+" ") {
				return l
			}
		}
		return ""
	}
	if l := line(out, "gordes"); !strings.Contains(l, "active") || !strings.Contains(l, "KiB") {
		t.Errorf("gordes line: %q", l)
	}
	// No file is opened: a commune whose file went missing keeps its
	// last known size and schema.
	if err := os.Remove(filepath.Join(data, "communes", "pernes.db")); err != nil {
		t.Fatal(err)
	}
	if _, out, _ = cli(t, envv, "commune", "list"); !strings.Contains(line(out, "pernes"), "KiB") {
		t.Errorf("pernes line read from the file system: %q", line(out, "pernes"))
	}
	// Restored from a backup and checked: served again.
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs = cli(t, envv, "commune", "check", "mazan"); code != 0 || !strings.Contains(out, "[1/1] mazan: ok") {
		t.Fatalf("check restored: %d\n%s\n%s", code, out, errs)
	}
	if _, out, _ = cli(t, envv, "commune", "list"); strings.Contains(out, "en panne") {
		t.Errorf("restored commune still en panne:\n%s", out)
	}
}

// The mail sender's sweeps (the one at start-up included) list the
// communes with mail waiting, not every commune of the node.
func TestMailSweepListsOnlyCommunesWithMailWaiting(t *testing.T) {
	ctx := context.Background()
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), MaxOpen: 4, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	for _, s := range []string{"gordes", "mazan", "pernes"} {
		if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: s, Name: "Commune de " + s}, nil); err != nil {
			t.Fatal(err)
		}
	}
	err = reg.WithCommune(ctx, "mazan", func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := mail.Enqueue(ctx, tx, mail.Message{Kind: "test", To: "parent@example.fr", Subject: "Objet", Text: "Bonjour"}, time.Now())
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	reg.Cache().Evict("mazan") // as after a restart: nothing open
	got, err := sweepCommunes(reg)(ctx)
	if err != nil || !slices.Equal(got, []string{"mazan"}) {
		t.Fatalf("sweep = %v, %v; want [mazan]", got, err)
	}
}
