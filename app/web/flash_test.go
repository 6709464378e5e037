package web_test

import (
	"io"
	"log/slog"
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
