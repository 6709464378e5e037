package tenants

import (
	"errors"
	"net"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Tenant is the commune a request is bound to, with its open database.
// It deliberately has no Close method (fasthttp would call it at the end of
// the request): the middleware releases the handle itself.
type Tenant struct {
	Commune Commune
	db      *DB
	// Prefix is "" when the commune is reached by its own host name, or
	// "/{slug}" when reached by path; every URL of the commune starts with it.
	Prefix string
}

// DB returns the commune's database.
func (t *Tenant) DB() *DB { return t.db }

// URL returns the commune-relative path p ("/connexion") as seen by the
// browser ("/malemort-du-comtat/connexion").
func (t *Tenant) URL(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return t.Prefix + p
}

// CookiePath is the path cookies of this commune are scoped to.
func (t *Tenant) CookiePath() string {
	if t.Prefix == "" {
		return "/"
	}
	return t.Prefix + "/"
}

type tenantKey struct{}

// From returns the request's commune, or nil outside a commune.
func From(c *fiber.Ctx) *Tenant {
	t, _ := c.Locals(tenantKey{}).(*Tenant)
	return t
}

// NewTenantForTest binds a tenant by hand (tests of handlers only).
func NewTenantForTest(c Commune, db *DB, prefix string) *Tenant {
	return &Tenant{Commune: c, db: db, Prefix: prefix}
}

// PlatformPrefix is where requests that belong to no commune (the
// platform's own pages) are rewritten to. No slug can start with "-", so
// no request can reach these routes with a commune bound, nor from outside.
const PlatformPrefix = "/-"

// ConsolePath is where the hosting provider's console lives on the
// platform's own host ("plateforme" is a reserved slug).
const ConsolePath = "/plateforme"

// Errors the middleware hands to the application's error handler.
var (
	// ErrUnknownCommune: no commune at this host or path (French 404).
	ErrUnknownCommune = errors.New("commune inconnue")
	// ErrSuspended: the commune exists but is suspended (French 503).
	ErrSuspended = errors.New("commune suspendue")
)

// Middleware binds each request to exactly one commune, by registered host
// name first, then by the first path segment, and strips that segment so
// commune routes are written once ("/", "/connexion"). The request "/" on a
// host that is not a commune goes to the platform's own pages under
// PlatformPrefix. The commune's database is held open for the request and
// released after it.
func (r *Registry) Middleware() fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx := c.UserContext()
		host := c.Hostname()
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(host)

		t := &Tenant{}
		com, fresh, err := r.resolve(ctx, r.byHost, host, r.communeByHost)
		switch {
		case err == nil:
			t.Commune = com
			if p := c.Path(); p == PlatformPrefix || strings.HasPrefix(p, PlatformPrefix+"/") {
				return ErrUnknownCommune
			}
		case !errors.Is(err, ErrNotFound):
			return err
		default:
			path := c.Path()
			if path == "/" {
				c.Path(PlatformPrefix + "/")
				return c.Next()
			}
			if path == ConsolePath || strings.HasPrefix(path, ConsolePath+"/") {
				// The provider's console, on the platform's own host only
				// (any host that is no commune's when none is configured).
				if r.opt.PlatformHost != "" && host != r.opt.PlatformHost {
					return ErrUnknownCommune
				}
				c.Path(PlatformPrefix + path)
				return c.Next()
			}
			rest := strings.TrimPrefix(path, "/")
			slug, tail, hasSlash := strings.Cut(rest, "/")
			if ValidateSlug(slug) != nil {
				return ErrUnknownCommune
			}
			var com Commune
			com, fresh, err = r.resolve(ctx, r.bySlug, slug, r.Commune)
			if errors.Is(err, ErrNotFound) {
				return ErrUnknownCommune
			} else if err != nil {
				return err
			}
			if !hasSlash {
				// Cookies are scoped to "/{slug}/": always use the slash.
				q := string(c.Request().URI().QueryString())
				if q != "" {
					q = "?" + q
				}
				return c.Redirect("/"+slug+"/"+q, fiber.StatusMovedPermanently)
			}
			t.Commune = com
			t.Prefix = "/" + com.Slug
			c.Path("/" + tail)
		}
		if !t.Commune.ArchivedAt.IsZero() {
			c.Locals(tenantKey{}, t)
			return ErrArchived
		}
		if t.Commune.Status != StatusActive {
			c.Locals(tenantKey{}, t)
			return ErrSuspended
		}
		if t.Commune.Broken != "" {
			// Logged once, when it was found (MarkBroken).
			c.Locals(tenantKey{}, t)
			return &BrokenError{Slug: t.Commune.Slug, Reason: t.Commune.Broken}
		}
		if r.nodes != nil {
			// Among several nodes: served here, or by its owner.
			if done, err := r.nodes.routeRequest(c, t.Commune.Slug, nil); done {
				c.Locals(tenantKey{}, t)
				return err
			}
		}
		if fresh {
			// A miss of the handle cache opens the file with this row
			// rather than reading it again (one registry query per miss).
			ctx = withJustRead(ctx, t.Commune)
		}
		db, release, err := r.Acquire(ctx, t.Commune.Slug)
		if err != nil {
			c.Locals(tenantKey{}, t)
			var no *NotOwnerError
			if errors.As(err, &no) {
				// Claimed by another node between the route and the open.
				_, err := r.nodes.routeRequest(c, t.Commune.Slug, no)
				return err
			}
			return r.ReportError(ctx, t.Commune.Slug, err)
		}
		defer release()
		t.db = db
		c.Locals(tenantKey{}, t)
		err = c.Next()
		// A query that found the file damaged takes the commune out of
		// service (and the handle out of the cache) at once.
		return r.ReportError(ctx, t.Commune.Slug, err)
	}
}
