package tenants_test

import (
	"context"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"espacefamille/tenants"
)

// serveSettings answers each commune's name, read from its own file,
// through the registry's middleware.
func serveSettings(reg *tenants.Registry) *fiber.App {
	app := fiber.New()
	app.Use(reg.Middleware())
	app.Get("/", func(c *fiber.Ctx) error {
		var name string
		err := tenants.From(c).DB().Reader().QueryRowContext(c.UserContext(), `SELECT value FROM settings WHERE key = 'name'`).Scan(&name)
		if err != nil {
			return err
		}
		return c.SendString(name)
	})
	return app
}

func get(t *testing.T, app *fiber.App, path string) (int, string) {
	t.Helper()
	resp, err := app.Test(httptest.NewRequest("GET", path, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestARequestOpeningItsCommuneReadsTheRegistryOnce(t *testing.T) {
	reg := openRegistry(t, 8)
	createCommune(t, reg, "cabrieres")
	ctx := context.Background()
	if err := reg.Cache().EvictWait(ctx, "cabrieres"); err != nil {
		t.Fatal(err)
	}
	app := serveSettings(reg)

	// Resolved from the registry, then opened with the row just read.
	before := tenants.CommuneReads(reg)
	if code, body := get(t, app, "/cabrieres/"); code != 200 || body != "Commune de cabrieres" {
		t.Fatalf("first visit: %d %q", code, body)
	}
	if n := tenants.CommuneReads(reg) - before; n != 1 {
		t.Errorf("a visit that opened the file read the registry %d times, want 1", n)
	}

	// Resolved from the resolution cache (read earlier), the open reads
	// the registry itself: a commune marked broken since is not opened.
	if err := reg.Cache().EvictWait(ctx, "cabrieres"); err != nil {
		t.Fatal(err)
	}
	before = tenants.CommuneReads(reg)
	if code, _ := get(t, app, "/cabrieres/"); code != 200 {
		t.Fatalf("second visit: %d", code)
	}
	if n := tenants.CommuneReads(reg) - before; n != 1 {
		t.Errorf("a visit resolved from the cache and opening the file read the registry %d times, want 1 (at the open)", n)
	}
}

func TestMigratingEveryCommuneReadsTheRegistryOnceForAll(t *testing.T) {
	reg := openRegistry(t, 8)
	slugs := []string{"aubignan", "beaumes", "caromb"}
	for _, s := range slugs {
		createCommune(t, reg, s)
	}
	before := tenants.CommuneReads(reg)
	for _, res := range reg.MigrateCommunes(context.Background(), slugs, nil) {
		if res.Err != nil {
			t.Fatalf("%s: %v", res.Slug, res.Err)
		}
	}
	if n := tenants.CommuneReads(reg) - before; n != 0 {
		t.Errorf("migrating %d communes read their registry rows one by one (%d reads), want one list for all", len(slugs), n)
	}
}
