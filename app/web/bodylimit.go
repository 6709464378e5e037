package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// FormBodyLimit is the body limit of the small forms (log-in, sign-up,
// codes, passwords, the cart and the period view): the global BodyLimit
// stays large for the uploads (CSV import, calendar files).
const FormBodyLimit = 64 << 10

// errTooLarge is the French 413 page.
var errTooLarge = NewError(fiber.StatusRequestEntityTooLarge,
	"Les données envoyées sont trop volumineuses pour ce formulaire. Rechargez la page et recommencez.")

// LimitBody refuses a request whose body is over n bytes with a French
// 413, before its form is parsed. The announced Content-Length is checked
// first; a chunked body is measured.
func LimitBody(n int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if bodyOver(c, n) {
			return errTooLarge
		}
		return c.Next()
	}
}

func bodyOver(c *fiber.Ctx, n int) bool {
	if l := c.Request().Header.ContentLength(); l > n {
		return true
	}
	return len(c.Request().Body()) > n
}

type bodyLimit struct {
	path   string // commune-relative; a final "*" makes it a prefix
	prefix bool
	n      int
}

// LimitBodies applies LimitBody(n) to commune-relative paths ("/connexion",
// or "/mot-de-passe/*" for a prefix), ahead of the CSRF check, which
// would otherwise parse the whole form first.
func (s *Server) LimitBodies(n int, paths ...string) {
	for _, p := range paths {
		l := bodyLimit{path: p, n: n}
		if strings.HasSuffix(p, "*") {
			l.path, l.prefix = strings.TrimSuffix(p, "*"), true
		}
		s.bodyLimits = append(s.bodyLimits, l)
	}
}

// limitBodies is the middleware of LimitBodies (after the commune binding,
// which makes c.Path() commune-relative).
func (s *Server) limitBodies(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	p := c.Path()
	for _, l := range s.bodyLimits {
		if (p == l.path || l.prefix && strings.HasPrefix(p, l.path)) && bodyOver(c, l.n) {
			return errTooLarge
		}
	}
	return c.Next()
}
