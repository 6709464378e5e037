package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind string // "success", "info" or "error"
	Text string
}

const flashCookie = "ef_flash"

type flashKey struct{}

// AddFlash queues a message for the next page the browser shows. The
// cookie is signed so that nobody can make a page display their text.
func AddFlash(c *fiber.Ctx, kind, text string) {
	s, _ := c.Locals(serverKey{}).(*Server)
	if s == nil {
		return
	}
	list, _ := c.Locals(flashKey{}).([]Flash)
	list = append(list, Flash{Kind: kind, Text: text})
	c.Locals(flashKey{}, list)
	b, _ := json.Marshal(list)
	payload := base64.RawURLEncoding.EncodeToString(b)
	SetCookie(c, flashCookie, payload+"."+s.sign("flash", payload), 0)
}

type flashNowKey struct{}

// FlashNow makes the page rendered by this request show the messages this
// request queued, instead of keeping them for the next page: for a
// handler that answers a script's post with the page itself rather than a
// redirect.
func FlashNow(c *fiber.Ctx) { c.Locals(flashNowKey{}, true) }

// TakeFlash returns and clears the messages queued for this page (and,
// after FlashNow, those queued by this request).
func TakeFlash(c *fiber.Ctx) []Flash {
	s, _ := c.Locals(serverKey{}).(*Server)
	var now []Flash
	if on, _ := c.Locals(flashNowKey{}).(bool); on {
		now, _ = c.Locals(flashKey{}).([]Flash)
		c.Locals(flashKey{}, nil)
		if len(now) > 0 {
			SetCookie(c, flashCookie, "", -1) // replaces the cookie AddFlash set
		}
	}
	raw := c.Cookies(flashCookie)
	if s == nil || raw == "" {
		return now
	}
	return append(takeFlashCookie(c, s, raw), now...)
}

func takeFlashCookie(c *fiber.Ctx, s *Server, raw string) []Flash {
	SetCookie(c, flashCookie, "", -1)
	payload, sig, ok := strings.Cut(raw, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign("flash", payload))) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil
	}
	var list []Flash
	if json.Unmarshal(b, &list) != nil || len(list) > 10 {
		return nil
	}
	return list
}

func (s *Server) sign(purpose, payload string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(purpose + "|" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
