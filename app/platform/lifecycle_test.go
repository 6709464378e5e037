package platform_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"espacefamille/app"
	"espacefamille/app/accounts"
	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// withBackups is an env whose console can back up and archive into dir.
func withBackups(dir string) apptest.Option {
	return apptest.AppConfig(func(c *app.Config) { c.BackupDir = dir })
}

var mazan = tenants.NewCommune{Slug: "mazan", Name: "Commune de Mazan", Hosts: []string{"famille.mazan.example"}}

// Archiving Malemort: refused until the slug is typed; then a final
// backup, the commune answers a French 410 to its parents, its sessions
// and memberships are gone, the parent whose only commune it was is told
// (and the one who also uses Mazan is not); 30 days later (injected clock)
// the orphaned account is deleted unless it joined a commune meanwhile;
// after the retention, everything of Malemort is deleted.
func TestArchivingACommuneStopsItTellsOrphansAndPurgesAfterRetention(t *testing.T) {
	dir := t.TempDir()
	env := apptest.New(t, withBackups(dir), apptest.WithCommune(mazan, nil))
	ctx := context.Background()
	ep := enrol(t, env)
	ids := env.Demo()
	parent := env.Parent(t, demo.Slug, ids.Family)
	if r := parent.Get("/" + demo.Slug + "/"); r.Status != http.StatusOK {
		t.Fatalf("parent before: %d", r.Status)
	}
	malemort, _ := env.Registry.Commune(ctx, demo.Slug)
	mz, _ := env.Registry.Commune(ctx, "mazan")
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	account := func(email string, communes ...int64) int64 {
		id := env.Exec("", `INSERT INTO accounts (email, password_hash, last_name, first_name, password_changed_at, created_at)
			VALUES (?, 'x', 'FAMILLE', 'Parent', ?, ?) RETURNING id`, email, now, now)
		for _, c := range communes {
			env.Exec("", `INSERT INTO memberships (account_id, commune_id, created_at) VALUES (?, ?, ?)`, id, c, now)
		}
		return id
	}
	only := account("seule@example.org", malemort.ID)
	both := account("deux@example.org", malemort.ID, mz.ID)
	rejoins := account("revient@example.org", malemort.ID)

	page := "/plateforme/communes/" + demo.Slug
	ep.c.Get(page)
	if r := ep.c.Post(page+"/archiver", url.Values{"confirm": {"malemort"}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "Tapez exactement l&#39;identifiant") {
		t.Fatalf("wrong confirmation: %d\n%s", r.Status, r.Body)
	}
	if r := parent.Get("/" + demo.Slug + "/"); r.Status != http.StatusOK {
		t.Fatalf("a refused archive stopped the commune: %d", r.Status)
	}
	r := ep.c.Post(page+"/archiver", url.Values{"confirm": {demo.Slug}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("archive: %d\n%s", r.Status, r.Body)
	}
	archives, _ := filepath.Glob(filepath.Join(dir, "archives", demo.Slug+"-*.db"))
	if len(archives) != 1 {
		t.Fatalf("final backups: %v, want one", archives)
	}
	if r := ep.c.Get(page); !strings.Contains(r.Body, "archivée") || !strings.Contains(r.Body, archives[0]) {
		t.Fatalf("commune page after archive:\n%s", r.Body)
	}
	if r := parent.Get("/" + demo.Slug + "/"); r.Status != http.StatusGone || !strings.Contains(r.Body, "espace famille est fermé") {
		t.Fatalf("parent after archive: %d\n%s", r.Status, r.Body)
	}
	if r := ep.c.Post(page+"/reprendre", nil); r.Status != http.StatusConflict {
		t.Fatalf("resuming an archived commune: %d, want 409", r.Status)
	}
	if n := env.Int("", `SELECT count(*) FROM memberships WHERE commune_id = ?`, malemort.ID); n != 0 {
		t.Fatalf("%d memberships left", n)
	}
	if n := env.Int(demo.Slug, `SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM staff_sessions)`); n != 0 {
		t.Fatalf("%d sessions left in the archived commune", n)
	}
	told := env.Text("", `SELECT string_agg(to_addr, ' ' ORDER BY to_addr) FROM outbox WHERE kind = 'account_orphaned'`)
	if told != "revient@example.org seule@example.org" {
		t.Fatalf("told %q, want the two accounts linked to Malemort only (not the one also in Mazan)", told)
	}
	if n := env.Int("", `SELECT count(*) FROM platform_audit WHERE action = 'commune_archive' AND commune = ?`, demo.Slug); n != 1 {
		t.Fatalf("audit lines: %d", n)
	}

	// One of the orphans joins Mazan within the 30 days.
	env.Exec("", `INSERT INTO memberships (account_id, commune_id, created_at) VALUES (?, ?, ?)`, rejoins, mz.ID, now)
	pdb := env.Registry.Platform()
	if n, err := accounts.PurgeOrphans(ctx, pdb, time.Now().Add(29*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("purge at 29 days: %d, %v; want none", n, err)
	}
	// The housekeeping job, its clock 31 days on, deletes the orphan.
	job := app.Housekeeping(env.Registry, apptest.Quiet(), app.HousekeepingOptions{BackupDir: dir,
		Now: func() time.Time { return time.Now().Add(31 * 24 * time.Hour) }})
	if r, err := job.RunOnce(ctx); err != nil || r.Failed != 0 {
		t.Fatalf("housekeeping at 31 days: %+v, %v", r, err)
	}
	for id, want := range map[int64]int64{only: 0, both: 1, rejoins: 1} {
		if got := env.Int("", `SELECT count(*) FROM accounts WHERE id = ?`, id); got != want {
			t.Errorf("account %d: %d rows, want %d", id, got, want)
		}
	}

	// After the retention, everything of Malemort goes; Mazan stays.
	env.Registry.Cache().Evict(demo.Slug)
	if n, err := env.Registry.PurgeArchived(ctx, dir, time.Now().Add(364*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("purge before the retention: %d, %v", n, err)
	}
	job = app.Housekeeping(env.Registry, apptest.Quiet(), app.HousekeepingOptions{BackupDir: dir,
		Now: func() time.Time { return time.Now().Add(366 * 24 * time.Hour) }})
	if r, err := job.RunOnce(ctx); err != nil || r.Failed != 0 {
		t.Fatalf("housekeeping after the retention: %+v, %v", r, err)
	}
	for _, f := range []string{archives[0], env.Registry.CommunePath(demo.Slug)} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s still there (%v)", f, err)
		}
	}
	if _, err := env.Registry.Commune(ctx, demo.Slug); err != tenants.ErrNotFound {
		t.Errorf("registry row after purge: %v", err)
	}
	if _, err := env.Registry.Commune(ctx, "mazan"); err != nil {
		t.Errorf("mazan: %v", err)
	}
}

// Deleting a commune removes its live file and frees its host names at
// once, keeps the final backup, and answers the French 410 page.
func TestDeletingACommuneRemovesItsFileAndKeepsTheFinalBackup(t *testing.T) {
	dir := t.TempDir()
	env := apptest.New(t, withBackups(dir), apptest.WithCommune(mazan, nil))
	ep := enrol(t, env)
	page := "/plateforme/communes/mazan"
	ep.c.Get(page)
	if r := ep.c.Post(page+"/supprimer", url.Values{"confirm": {"mazan"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%s", r.Status, r.Body)
	}
	if _, err := os.Stat(env.Registry.CommunePath("mazan")); !os.IsNotExist(err) {
		t.Fatalf("live file after delete: %v", err)
	}
	if backups, _ := filepath.Glob(filepath.Join(dir, "archives", "mazan-*.db")); len(backups) != 1 {
		t.Fatalf("final backup: %v", backups)
	}
	if r := env.Client(t).Get("/mazan/"); r.Status != http.StatusGone {
		t.Fatalf("/mazan/ after delete: %d", r.Status)
	}
	if n := env.Int("", `SELECT count(*) FROM commune_hosts WHERE host = 'famille.mazan.example'`); n != 0 {
		t.Fatal("the host name is still taken")
	}
	if r := ep.c.Get("/plateforme/"); !strings.Contains(r.Body, "supprimée") {
		t.Fatalf("list after delete:\n%s", r.Body)
	}
}

// Without a backup directory there is no final backup, so nothing is
// archived.
func TestArchiveRefusedWithoutBackupDirectory(t *testing.T) {
	env := apptest.New(t)
	ep := enrol(t, env)
	page := "/plateforme/communes/" + demo.Slug
	ep.c.Get(page)
	if r := ep.c.Post(page+"/archiver", url.Values{"confirm": {demo.Slug}}); r.Status != http.StatusConflict {
		t.Fatalf("archive without backups: %d, want 409", r.Status)
	}
	if r := ep.c.Post(page+"/sauvegarde", nil); r.Status != http.StatusConflict {
		t.Fatalf("backup without a directory: %d, want 409", r.Status)
	}
	if r := env.Client(t).Get("/" + demo.Slug + "/"); r.Status != http.StatusOK {
		t.Fatalf("commune after refused archive: %d", r.Status)
	}
}
