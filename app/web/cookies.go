package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"espacefamille/tenants"
)

// SetCookie sets an HttpOnly, SameSite=Lax cookie scoped to the request's
// commune (its host, or its path prefix), Secure behind TLS. maxAge 0 makes
// a session cookie; a negative maxAge deletes it.
func SetCookie(c *fiber.Ctx, name, value string, maxAge time.Duration) {
	path := "/"
	if t := tenants.From(c); t != nil {
		path = t.CookiePath()
	} else if p, ok := c.Locals(cookiePathKey{}).(string); ok {
		path = p
	}
	ck := &fiber.Cookie{
		Name: name, Value: value, Path: path, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Secure: c.Protocol() == "https",
	}
	switch {
	case maxAge < 0:
		ck.Value = ""
		ck.MaxAge = -1
		ck.Expires = time.Unix(1, 0)
	case maxAge > 0:
		ck.MaxAge = int(maxAge / time.Second)
	}
	c.Cookie(ck)
}

type cookiePathKey struct{}

// CookiePath is a middleware scoping the cookies SetCookie sets in a group
// of platform pages (the provider's console) to path, so that they are
// never sent to a commune reached by path on the same host.
func CookiePath(path string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Locals(cookiePathKey{}, path)
		return c.Next()
	}
}
