package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"espacefamille/app/web"
)

// After FlashNow, the page rendered by the request shows the messages it
// queued, and no cookie keeps them for the next page; without it they
// wait for the next page.
func TestFlashNow(t *testing.T) {
	_, s := newGordes(t, slog.New(slog.NewTextHandler(io.Discard, nil)))
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
		resp, b := getHTML(t, s, tc.path)
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

// A message about an element (AddFlashAt) goes, through the signed cookie
// of a redirect, to the page that shows that element (FlashPlaces), beside
// it; a page that does not show it puts it at the top, so it is never lost.
func TestFlashAtFollowsItsPlace(t *testing.T) {
	_, s := newGordes(t, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.Commune().Get("/clic", func(c *fiber.Ctx) error {
		web.AddFlashAt(c, "semaine-2026-11-30", "error", "Réservation impossible le 01/12/2026 : délai dépassé.")
		return c.SendString(c.GetRespHeader(fiber.HeaderSetCookie))
	})
	s.Commune().Get("/page", func(c *fiber.Ctx) error {
		if c.Query("semaines") != "" {
			web.FlashPlaces(c, strings.Split(c.Query("semaines"), ",")...)
		}
		p := web.NewPage(c, "Page", nil)
		return c.JSON(map[string]int{"top": len(p.Flash), "beside": len(p.FlashAt("semaine-2026-11-30"))})
	})
	s.Finish()
	_, cookie := getHTML(t, s, "/gordes/clic")
	value, _, _ := strings.Cut(strings.TrimPrefix(string(cookie), "ef_flash="), ";")
	for _, tc := range []struct {
		weeks, want string
	}{
		{"semaine-2026-11-23,semaine-2026-11-30", `{"beside":1,"top":0}`},
		{"semaine-2027-01-04", `{"beside":0,"top":1}`},
		{"", `{"beside":0,"top":1}`},
	} {
		req := httptest.NewRequest(http.MethodGet, "/gordes/page?semaines="+tc.weeks, nil)
		req.AddCookie(&http.Cookie{Name: "ef_flash", Value: value})
		resp, err := s.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != tc.want {
			t.Errorf("weeks %q: %s, want %s", tc.weeks, b, tc.want)
		}
	}
}
