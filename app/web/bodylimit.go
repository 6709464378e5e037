package web

import (
	"reflect"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// FormBodyLimit is the body limit of the small forms (log-in, sign-up,
// codes, passwords, the cart and the period view): the global BodyLimit
// stays large for the uploads (CSV import, calendar files).
const FormBodyLimit = 64 << 10

// errTooLarge is the French 413 page.
var errTooLarge = NewError(fiber.StatusRequestEntityTooLarge,
	"Les données envoyées sont trop volumineuses pour ce formulaire. Rechargez la page et recommencez.")

// SmallForm limits the body of the route it is attached to to
// FormBodyLimit, with a French 413 before the form is parsed: r.Post("/connexion", web.SmallForm, svc.login). The limit
// belongs to the route, so every spelling the router accepts for it
// ("/CONNEXION", "/connexion/") gets it. Finish also makes it run ahead of
// the CSRF check, which would otherwise parse the whole form first.
func SmallForm(c *fiber.Ctx) error {
	if bodyOver(c, FormBodyLimit) {
		return errTooLarge
	}
	return c.Next()
}

func bodyOver(c *fiber.Ctx, n int) bool {
	if l := c.Request().Header.ContentLength(); l > n {
		return true
	}
	return len(c.Request().Body()) > n
}

type smallFormKey struct{}

// buildSmallForms gathers, once every route is added, the routes that
// carry SmallForm into a router of their own, built with the application's
// routing rules (case, trailing slash). limitBodies asks that router, so
// a request is limited exactly when the application would route it to
// one of those routes: matching is Fiber's, never a copy of it.
func (s *Server) buildSmallForms() {
	cfg := s.App.Config()
	m := fiber.New(fiber.Config{DisableStartupMessage: true, CaseSensitive: cfg.CaseSensitive,
		StrictRouting: cfg.StrictRouting, UnescapePath: cfg.UnescapePath})
	mark := func(c *fiber.Ctx) error {
		c.Context().SetUserValue(smallFormKey{}, true)
		return nil
	}
	small := reflect.ValueOf(SmallForm).Pointer()
	n := 0
	for _, r := range s.App.GetRoutes(true) {
		for _, h := range r.Handlers {
			if reflect.ValueOf(h).Pointer() == small {
				m.Add(r.Method, r.Path, mark)
				n++
				break
			}
		}
	}
	if n > 0 {
		s.smallForms = m.Handler()
	}
}

// isSmallForm reports whether the application routes c's method and
// (commune-relative) path to a route that carries SmallForm.
func (s *Server) isSmallForm(c *fiber.Ctx) bool {
	if s.smallForms == nil {
		return false
	}
	var rc fasthttp.RequestCtx
	rc.Request.Header.SetMethod(c.Method())
	rc.Request.URI().SetPath(c.Path())
	s.smallForms(&rc)
	small, _ := rc.UserValue(smallFormKey{}).(bool)
	return small
}

// limitBodies applies SmallForm's limit before anything parses a form
// (after the commune binding, which makes c.Path() commune-relative).
func (s *Server) limitBodies(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if bodyOver(c, FormBodyLimit) && s.isSmallForm(c) {
		return errTooLarge
	}
	return c.Next()
}
