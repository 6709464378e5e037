package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"espacefamille/tenants"
)

// Communes created on a single node without a replica are shipped to it
// by `commune replicate --all`: a second node sharing the platform store
// but holding none of the files gets each of them back from the replica
// alone, with its data. A commune whose file cannot be shipped is
// reported (exit 1) while the others are shipped; without a replica the
// command refuses with exit 2.
func TestReplicateShipsEveryCommuneToTheReplica(t *testing.T) {
	data, replicaDir := t.TempDir(), t.TempDir()
	replica := "file://" + replicaDir
	envv := map[string]string{"ESPACEFAMILLE_DATA": data}
	slugs := []string{"mazan", "pernes", "sault"}
	for _, s := range append(slugs, "abimee") {
		if code, out, errs := cli(t, envv, "commune", "create", "--slug", s, "--name", "Commune de "+s); code != 0 {
			t.Fatalf("create %s: %d %s %s", s, code, out, errs)
		}
	}
	for _, s := range slugs {
		withCommuneAt(t, data, "", s, func(db *tenants.DB) error {
			return db.Tx(context.Background(), func(tx *sql.Tx) error {
				_, err := tx.Exec(`INSERT INTO families (name, created_at) VALUES (?, '2026-01-01')`, "FAMILLE DE "+strings.ToUpper(s))
				return err
			})
		})
	}

	code, _, errs := cli(t, envv, "commune", "replicate", "--all")
	if code != 2 || !strings.Contains(errs, "no replica configured (ESPACEFAMILLE_REPLICA_URL or --replica-url)") {
		t.Fatalf("without a replica: exit %d, %q; want 2 and the missing replica named", code, errs)
	}
	if entries, _ := os.ReadDir(replicaDir); len(entries) != 0 {
		t.Fatalf("the refused command wrote to the replica: %v", entries)
	}

	// One commune's file is damaged: it cannot be shipped.
	reg := openAt(t, data, "")
	broken := reg.CommunePath("abimee")
	reg.Close()
	if err := os.WriteFile(broken, []byte(strings.Repeat("pas une base SQLite ", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, envv, "commune", "replicate", "--all", "--replica-url", replica)
	if code != 1 || !strings.Contains(errs, "could not be shipped") {
		t.Fatalf("with a damaged commune: exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"[1/4] abimee: FAILED", "[2/4] mazan: shipped", "[3/4] pernes: shipped", "[4/4] sault: shipped",
		"summary: 3 shipped to " + replica + ", 0 left to their node, 1 failed (of 4)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}

	// A second node: the same platform store, none of the files.
	other := t.TempDir()
	envOther := map[string]string{"ESPACEFAMILLE_DATA": other, "ESPACEFAMILLE_REPLICA_URL": replica,
		"ESPACEFAMILLE_PLATFORM_DB": filepath.Join(data, "platform.db")}
	for _, s := range slugs {
		code, out, errs := cli(t, envOther, "commune", "restore", s, "--from-replica", "--settle", "0s")
		if code != 0 {
			t.Fatalf("restore %s from the replica: %d\n%s\n%s", s, code, out, errs)
		}
		var name string
		withCommuneAt(t, other, filepath.Join(data, "platform.db"), s, func(db *tenants.DB) error {
			return db.Reader().QueryRowContext(context.Background(), `SELECT name FROM families`).Scan(&name)
		})
		if want := "FAMILLE DE " + strings.ToUpper(s); name != want {
			t.Errorf("%s restored from the replica holds family %q, want %q", s, name, want)
		}
	}
}

// Among several nodes, a commune a live node owns is not shipped from
// this data directory: its owner replicates it, and the output says so.
func TestReplicateLeavesACommuneOwnedByALiveNodeToIt(t *testing.T) {
	ctx := context.Background()
	data, replica := t.TempDir(), "file://"+t.TempDir()
	envv := map[string]string{"ESPACEFAMILLE_DATA": data, "ESPACEFAMILLE_REPLICA_URL": replica}
	for _, s := range []string{"mazan", "pernes"} {
		if code, out, errs := cli(t, map[string]string{"ESPACEFAMILLE_DATA": data}, "commune", "create", "--slug", s, "--name", "Commune de "+s); code != 0 {
			t.Fatalf("create %s: %d %s %s", s, code, out, errs)
		}
	}
	rep, err := tenants.NewReplicator(ctx, replica, tenants.ReplicaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close(ctx)
	node, err := tenants.Open(ctx, tenants.Options{DataDir: data, MaxOpen: 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Replica: rep, Node: &tenants.NodeOptions{ID: "noeud-a", URL: "http://127.0.0.1:1"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := node.WithCommune(ctx, "mazan", func(*tenants.DB) error { return nil }); err != nil {
		t.Fatal(err)
	}

	code, out, errs := cli(t, envv, "commune", "replicate", "mazan", "pernes")
	if code != 0 {
		t.Fatalf("replicate: %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"[1/2] mazan: not shipped: node noeud-a owns it", "[2/2] pernes: shipped",
		"summary: 1 shipped to " + replica + ", 1 left to their node, 0 failed (of 2)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}

	// The node stops, releasing its lease after a final sync: its copy in
	// the replica is not overwritten with this data directory's file.
	node.Close()
	code, out, errs = cli(t, envv, "commune", "replicate", "--all")
	if code != 0 || !strings.Contains(out, "[1/2] mazan: not shipped: a node served it (epoch 1)") || !strings.Contains(out, "[2/2] pernes: shipped") {
		t.Fatalf("after the node stopped: %d\n%s\n%s", code, out, errs)
	}
}

// openAt opens the registry of data (platform: its platform database,
// or data's own when "").
func openAt(t *testing.T, data, platform string) *tenants.Registry {
	t.Helper()
	reg, err := tenants.Open(context.Background(), tenants.Options{DataDir: data, MaxOpen: 1, PlatformPath: platform,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func withCommuneAt(t *testing.T, data, platform, slug string, fn func(*tenants.DB) error) {
	t.Helper()
	reg := openAt(t, data, platform)
	defer reg.Close()
	if err := reg.WithCommune(context.Background(), slug, fn); err != nil {
		t.Fatal(err)
	}
}
