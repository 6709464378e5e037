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

// newGordes is a server over a fresh data directory holding one commune,
// "gordes", logging to log; the registry is closed when the test ends.
func newGordes(t *testing.T, log *slog.Logger) (*tenants.Registry, *web.Server) {
	t.Helper()
	ctx := context.Background()
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: "gordes", Name: "Commune de Gordes"}, nil); err != nil {
		t.Fatal(err)
	}
	s, err := web.New(ctx, web.Config{Registry: reg, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return reg, s
}

// getHTML asks s for the page at path as a browser would and reads it.
func getHTML(t *testing.T, s *web.Server, path string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := s.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

func TestPanicBecomesFrenchErrorPage(t *testing.T) {
	var logs strings.Builder
	reg, s := newGordes(t, slog.New(slog.NewTextHandler(&logs, nil)))
	s.Commune().Get("/boom", func(c *fiber.Ctx) error { panic("kaboom") })
	s.Commune().Get("/refus", func(c *fiber.Ctx) error {
		return web.NewError(fiber.StatusBadRequest, "La date de début est invalide.")
	})
	s.Finish()

	for _, tc := range []struct {
		path       string
		wantStatus int
		want       string
	}{
		{"/gordes/boom", 500, "Le service a rencontré un problème"},
		{"/gordes/refus", 400, "La date de début est invalide."},
	} {
		resp, b := getHTML(t, s, tc.path)
		body := string(b)
		if resp.StatusCode != tc.wantStatus || !strings.Contains(body, tc.want) || !strings.Contains(body, "Commune de Gordes") {
			t.Errorf("%s: %d\n%s", tc.path, resp.StatusCode, body)
		}
		if strings.Contains(body, "kaboom") {
			t.Errorf("%s: internal error text shown to the user", tc.path)
		}
	}
	if !strings.Contains(logs.String(), "kaboom") || !strings.Contains(logs.String(), "commune=gordes") {
		t.Errorf("panic not logged with its commune:\n%s", logs.String())
	}
	// The commune still serves after a panic (its handle was released).
	req := httptest.NewRequest(http.MethodGet, "/gordes/refus", nil)
	if resp, err := s.App.Test(req, -1); err != nil || resp.StatusCode != 400 {
		t.Fatalf("after panic: %v %v", resp, err)
	}
	if n := reg.Cache().Len(); n != 1 {
		t.Fatalf("cache len %d", n)
	}
}
