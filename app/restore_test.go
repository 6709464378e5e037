package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
)

// TestRestoredPlatformDatabaseLetsParentsLogIn loses the parents' accounts,
// restores the platform database from the night's backup, and logs a
// parent in again through the real log-in page.
func TestRestoredPlatformDatabaseLetsParentsLogIn(t *testing.T) {
	ctx := context.Background()
	env := apptest.New(t, apptest.OnSQLite()) // platform.db's own backup and restore
	ids := env.Demo()
	email := "parent.restaure@example.org"
	env.ParentAccount(demo.Slug, ids.Family, email, apptest.ParentPassword)
	file, err := env.Registry.BackupPlatform(ctx, t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}

	env.Exec("", `DELETE FROM accounts WHERE email = ?`, email)
	lost := env.Client(t)
	lost.Get("/" + demo.Slug + "/connexion")
	if r := lost.Post("/"+demo.Slug+"/connexion", url.Values{"identifiant": {email}, "mot_de_passe": {apptest.ParentPassword}}); r.Status == http.StatusSeeOther {
		t.Fatalf("the deleted account still logs in: %d %q", r.Status, r.Location)
	}

	before, err := env.Registry.RestorePlatform(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before, "before-restore") {
		t.Fatalf("the platform database before the restore was not kept: %q", before)
	}
	parent := env.Client(t)
	parent.LoginParent(demo.Slug, email, apptest.ParentPassword)
	if r := parent.Get("/" + demo.Slug + "/famille"); r.Status != http.StatusOK || !strings.Contains(r.Body, "FAMILLE X") {
		t.Fatalf("family home after the restore: %d\n%.500s", r.Status, r.Body)
	}
}
