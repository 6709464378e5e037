package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
	"espacefamille/tenants"
)

// After FlashNow, the page rendered by the request shows the messages it
// queued, and no cookie keeps them for the next page; without it they
// wait for the next page.
func TestFlashNow(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: "gordes", Name: "Commune de Gordes"}, nil); err != nil {
		t.Fatal(err)
	}
	s, err := web.New(ctx, web.Config{Registry: reg, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	page := func(now bool) fiber.Handler {
		return func(c *fiber.Ctx) error {
			web.AddFlash(c, "error", "Cette journée est complète.")
			if now {
				web.FlashNow(c)
			}
			return web.Render(c, "famille/message", "Message", map[string]string{})
		}
	}
	s.Commune().Get("/maintenant", page(true))
	s.Commune().Get("/plus-tard", page(false))
	s.Finish()
	for _, tc := range []struct {
		path             string
		shown, cookieSet bool
	}{{"/gordes/maintenant", true, false}, {"/gordes/plus-tard", false, true}} {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := s.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d\n%s", tc.path, resp.StatusCode, b)
		}
		if got := strings.Contains(string(b), "Cette journée est complète."); got != tc.shown {
			t.Errorf("%s: message shown %v, want %v", tc.path, got, tc.shown)
		}
		set := false
		for _, ck := range resp.Cookies() {
			if ck.Name == "ef_flash" && ck.Value != "" && ck.MaxAge >= 0 {
				set = true
			}
		}
		if set != tc.cookieSet {
			t.Errorf("%s: flash cookie kept %v, want %v (%v)", tc.path, set, tc.cookieSet, resp.Header.Values("Set-Cookie"))
		}
	}
}
