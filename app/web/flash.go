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
	// Place is the id of the element the message is about ("" for the
	// page): a page that shows that element puts the message beside it
	// (FlashPlaces), any other page at the top.
	Place string `json:",omitempty"`
}

const flashCookie = "ef_flash"

type flashKey struct{}

// AddFlash queues a message for the next page the browser shows.
func AddFlash(c *fiber.Ctx, kind, text string) { addFlash(c, Flash{Kind: kind, Text: text}) }

// AddFlashAt queues a message about the element of id place (an agenda
// week, where the tapped cell is), for the next page that shows it.
func AddFlashAt(c *fiber.Ctx, place, kind, text string) {
	addFlash(c, Flash{Kind: kind, Text: text, Place: place})
}

func addFlash(c *fiber.Ctx, f Flash) {
	if s, _ := c.Locals(serverKey{}).(*Server); s == nil {
		return
	}
	list, _ := c.Locals(flashKey{}).([]Flash)
	list = append(list, f)
	c.Locals(flashKey{}, list)
	setFlashCookie(c, list)
}

// setFlashCookie keeps the queued messages for the next page, signed so
// that nobody can make a page display their text.
func setFlashCookie(c *fiber.Ctx, list []Flash) {
	s, _ := c.Locals(serverKey{}).(*Server)
	if s == nil {
		return
	}
	b, _ := json.Marshal(list)
	payload := base64.RawURLEncoding.EncodeToString(b)
	SetCookie(c, flashCookie, payload+"."+s.sign("flash", payload), 0)
}

type flashPlacesKey struct{}

// FlashPlaces tells the page this request renders that it shows the
// messages of these places beside their elements (Page.FlashAt); the
// messages of other places stay at the top of the page.
func FlashPlaces(c *fiber.Ctx, places ...string) { c.Locals(flashPlacesKey{}, places) }

// splitFlash separates the messages the page shows beside their element
// from those it shows at the top.
func splitFlash(c *fiber.Ctx, all []Flash) (top []Flash, placed map[string][]Flash) {
	places, _ := c.Locals(flashPlacesKey{}).([]string)
	for _, f := range all {
		shown := false
		for _, p := range places {
			shown = shown || (f.Place != "" && f.Place == p)
		}
		if !shown {
			top = append(top, f)
			continue
		}
		if placed == nil {
			placed = map[string][]Flash{}
		}
		placed[f.Place] = append(placed[f.Place], f)
	}
	return top, placed
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
