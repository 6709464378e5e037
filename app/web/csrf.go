package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"

	"github.com/gofiber/fiber/v2"

	"espacefamille/tenants"
)

// csrfCookie holds a random per-browser secret, scoped to the commune; the
// token in forms is an HMAC of it and of the commune, so a token from one
// commune is worthless on another. Log-in rotates the secret (RotateCSRF).
const csrfCookie = "ef_csrf"

// ErrCSRF is returned for a state-changing request without a valid token.
var ErrCSRF = errors.New("jeton anti-falsification invalide")

type csrfKey struct{}

type csrfState struct{ secret string }

// CSRF is a middleware that issues the per-browser secret and checks the
// token ("_csrf" form field or X-CSRF-Token header) of every POST, PUT,
// PATCH and DELETE.
func (s *Server) CSRF() fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := &csrfState{secret: c.Cookies(csrfCookie)}
		if len(st.secret) != 43 {
			st.secret = ""
		}
		c.Locals(csrfKey{}, st)
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
			return c.Next()
		}
		if s.csrfSkip[c.Path()] {
			return c.Next()
		}
		sent := c.FormValue("_csrf")
		if sent == "" {
			sent = c.Get("X-CSRF-Token")
		}
		if st.secret == "" || !hmac.Equal([]byte(sent), []byte(s.csrfToken(c, st.secret))) {
			return ErrCSRF
		}
		return c.Next()
	}
}

// SkipCSRF exempts commune-relative paths from the token check: only for
// server-to-server calls (a payment provider's notification) whose content
// is never trusted. Call it while adding routes, before serving.
func (s *Server) SkipCSRF(paths ...string) {
	if s.csrfSkip == nil {
		s.csrfSkip = map[string]bool{}
	}
	for _, p := range paths {
		s.csrfSkip[p] = true
	}
}

func (s *Server) csrfToken(c *fiber.Ctx, secret string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	scope := "-"
	if t := tenants.From(c); t != nil {
		scope = t.Commune.Slug
	}
	m.Write([]byte(scope + "|" + secret))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CSRFToken returns the token for the request's forms, issuing the
// browser's secret cookie on first use.
func CSRFToken(c *fiber.Ctx) string {
	st, _ := c.Locals(csrfKey{}).(*csrfState)
	s, _ := c.Locals(serverKey{}).(*Server)
	if st == nil || s == nil {
		return ""
	}
	if st.secret == "" {
		st.secret = newSecret()
		SetCookie(c, csrfCookie, st.secret, 0)
	}
	return s.csrfToken(c, st.secret)
}

// RotateCSRF replaces the browser's secret (at log-in and log-out).
func RotateCSRF(c *fiber.Ctx) {
	if st, _ := c.Locals(csrfKey{}).(*csrfState); st != nil {
		st.secret = newSecret()
		SetCookie(c, csrfCookie, st.secret, 0)
	}
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
