package app_test

import (
	"net/http"
	"strings"
	"testing"

	"espacefamille/app/apptest"
)

// TestReadyzWantsThePlatformAtItsSchema: /readyz is 200 once the platform
// database is migrated, 503 when it is behind this binary (a restored old
// copy not migrated yet), while /healthz still says the process is alive.
func TestReadyzWantsThePlatformAtItsSchema(t *testing.T) {
	env := apptest.New(t)
	c := env.Client(t)
	if r := c.Get("/readyz"); r.Status != http.StatusOK || !strings.Contains(r.Body, "prêt") {
		t.Fatalf("ready: %d %q", r.Status, r.Body)
	}
	env.Exec("", `DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`)
	if r := c.Get("/readyz"); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("platform behind its schema: /readyz = %d %q", r.Status, r.Body)
	}
	if r := c.Get("/healthz"); r.Status != http.StatusOK {
		t.Fatalf("healthz = %d", r.Status)
	}
}
