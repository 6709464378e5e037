// Package web wires the Fiber application: middleware, errors, rendering,
// CSRF, flash messages and the template helpers shared by every domain.
package web

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/valyala/fasthttp"

	"espacefamille/templates"
	"espacefamille/tenants"
)

// Config is what the web application needs.
type Config struct {
	Registry *tenants.Registry
	Logger   *slog.Logger
	Demo     bool // demo mode: built-in mailbox, demo banner
	// PublicURL is the base URL of the node ("https://espacefamille.fr"),
	// used for links in emails of communes reached by path.
	PublicURL string
	// Funcs adds template helpers to the defaults.
	Funcs map[string]any
	// TrustedProxies are the reverse proxies (IPs or CIDRs) whose
	// X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host are believed.
	// Empty: none is, and c.IP() is the TCP peer (ParseTrustedProxies
	// validates the list).
	TrustedProxies []string
	// Before runs first on every request, after the request id (nil: none).
	// The load tool labels requests with it (tenants.WithTxLabel, pprof
	// labels) to report the writer's time and the CPU per step.
	Before fiber.Handler
	// MaxActive bounds the requests running at once (tenants.ActiveLimit):
	// 0 is 4 per core (GOMAXPROCS), a negative value is no bound.
	MaxActive int
	// Observe, when not nil, is told of every answered request: its route
	// group (RouteGroup), status and duration (the metrics).
	Observe func(group string, status int, d time.Duration)
}

// Server is the web application: the Fiber app and what its handlers share.
type Server struct {
	App      *fiber.App
	Registry *tenants.Registry
	Views    *Views
	Demo     bool
	// PublicURL is the node's base URL, without a final slash.
	PublicURL string
	log       *slog.Logger
	csrfKey   []byte
	csrfSkip  map[string]bool // paths exempt from CSRF (SkipCSRF)
	proxies   TrustedProxies
	observe   func(group string, status int, d time.Duration)
	// smallForms routes a request to a mark when the application would
	// route it to a route carrying SmallForm (built by Finish).
	smallForms fasthttp.RequestHandler
	commune    fiber.Router
	platform   fiber.Router
	// ctx is New's context: background work started by handlers (Go)
	// stops when it ends, at shutdown.
	ctx        context.Context
	background sync.WaitGroup
}

// Go runs fn in the background with a context that ends when the server's
// does (the signal that stops serve); Wait waits for it.
func (s *Server) Go(fn func(ctx context.Context)) {
	s.background.Add(1)
	go func() {
		defer s.background.Done()
		fn(s.ctx)
	}()
}

// Wait blocks until the background work started by Go has returned, or
// ctx ends first (then it returns ctx's error).
func (s *Server) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		s.background.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type serverKey struct{}

// New builds the application. Domains then add their routes with
// Commune() and Platform().
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	funcs := Funcs()
	for k, v := range cfg.Funcs {
		funcs[k] = v
	}
	views, err := NewViews(templates.FS, funcs)
	if err != nil {
		return nil, err
	}
	key, err := installationSecret(ctx, cfg.Registry.Platform(), "csrf")
	if err != nil {
		return nil, err
	}
	proxies, err := ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	s := &Server{Registry: cfg.Registry, Views: views, Demo: cfg.Demo, PublicURL: strings.TrimSuffix(cfg.PublicURL, "/"), log: cfg.Logger, csrfKey: key, proxies: proxies, ctx: ctx, observe: cfg.Observe}
	s.App = fiber.New(fiber.Config{
		// Forwarded headers (client address, scheme, host) are believed
		// only from the configured reverse proxies; with none configured,
		// from nobody. See proxy.go.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          proxies.list(),
		ProxyHeader:             fiber.HeaderXForwardedFor,
		EnableIPValidation:      true,
		// Fiber reuses request buffers; Immutable copies every value
		// (slugs, params, form values) that may outlive the handler.
		Immutable:             true,
		Views:                 views,
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		BodyLimit:             8 << 20,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		AppName:               "espacefamille",
	})
	static, _ := fs.Sub(templates.FS, "static")

	// Middleware order matters:
	// 1. request id + access log (outermost, so it logs the final status);
	// 2. recover (a panic becomes a French 500 page);
	// 3. global routes that belong to no commune (health, static files);
	// 3b. a slot of the active-requests limit (limitActive);
	// 4. the tenant binding (commune by host or path prefix, DB held open);
	// 5. the body limit of the routes that carry SmallForm, before anything
	//    parses a form;
	// 6. CSRF (needs the commune to scope its token);
	// 7. the domain routes.
	s.App.Use(s.requestContext)
	if cfg.Before != nil {
		s.App.Use(cfg.Before)
	}
	s.App.Use(recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, e any) {
			s.Logger(c).Error("panic", "panic", fmt.Sprint(e), "stack", string(debug.Stack()))
		},
	}))
	s.App.Get("/healthz", s.healthz)
	// Not a route of its own: Fiber files routes by their first three
	// characters, and a global "/re…" route before the commune binding
	// would skip the commune routes starting with "/re" (/reservations)
	// once the binding rewrites the path.
	s.App.Use(s.readyz)
	s.App.Use("/static", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: 3600}))
	// Requests past health and static files hold a slot (limitActive):
	// a burst must not make the health check wait.
	if cfg.MaxActive >= 0 {
		n := cfg.MaxActive
		if n == 0 {
			n = 4 * runtime.GOMAXPROCS(0)
		}
		s.App.Use(limitActive(tenants.NewActiveLimit(n)))
	}
	s.App.Use(cfg.Registry.Middleware())
	s.App.Use(s.limitBodies)
	s.App.Use(s.CSRF())
	s.platform = s.App.Group(tenants.PlatformPrefix)
	s.commune = s.App.Group("")
	return s, nil
}

// limitActive makes every request hold a slot of l while it runs: under a
// burst the others wait their turn, off the CPU (tenants.ActiveLimit).
func limitActive(l *tenants.ActiveLimit) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, release, err := l.Enter(c.UserContext())
		if err != nil {
			return err
		}
		defer release()
		c.SetUserContext(ctx)
		return c.Next()
	}
}

// Commune is the router of commune pages (paths relative to the commune).
func (s *Server) Commune() fiber.Router { return s.commune }

// Platform is the router of the platform's own pages (reached at "/").
func (s *Server) Platform() fiber.Router { return s.platform }

// Finish adds the final 404 handler and gathers the small forms' routes;
// call it after every route is added.
func (s *Server) Finish() {
	s.buildSmallForms()
	s.App.Use(func(c *fiber.Ctx) error {
		c.Locals(unmatchedKey{}, true)
		return ErrNotFound
	})
}

// unmatchedKey marks a request no route matched (RouteGroup).
type unmatchedKey struct{}

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

type requestIDKey struct{}

// requestContext assigns the request id and writes one access-log line.
func (s *Server) requestContext(c *fiber.Ctx) error {
	s.proxies.normalize(c)
	id := c.Get("X-Request-Id")
	if !requestIDRE.MatchString(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Locals(requestIDKey{}, id)
	c.Locals(serverKey{}, s)
	c.Locals(demoKey{}, s.Demo)
	c.Set("X-Request-Id", id)
	securityHeaders(c)
	start := time.Now()
	path := c.OriginalURL()
	err := c.Next()
	if err != nil {
		if herr := s.App.ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
	}
	took := time.Since(start)
	if s.observe != nil {
		s.observe(RouteGroup(c), c.Response().StatusCode(), took)
	}
	if !strings.HasPrefix(path, "/static/") && path != "/healthz" && path != "/readyz" {
		s.Logger(c).Info("request", "method", c.Method(), "path", path,
			"status", c.Response().StatusCode(), "duration_ms", took.Milliseconds())
	}
	return nil
}

// securityHeaders are set on every response: by requestContext, and by
// the error handler for the errors fasthttp raises before any middleware
// runs (a body over BodyLimit, a malformed request).
func securityHeaders(c *fiber.Ctx) {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	// No page needs the camera, the microphone, the position or payment
	// APIs; a provider's page opened from ours gets no handle on it.
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	// HSTS only over HTTPS (as told by a trusted proxy, or TLS itself):
	// over plain HTTP browsers ignore it, and a demo on localhost must not
	// pin anything.
	if c.Protocol() == "https" {
		c.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

// RequestID returns the request's id.
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey{}).(string)
	return id
}

func (s *Server) healthz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.Registry.Platform().Ping(ctx); err != nil {
		s.log.Error("healthz: platform database", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("indisponible\n")
	}
	return c.SendString("ok\n")
}

// readyz answers 200 when the node can serve: the platform database
// answers and is at this binary's schema (its start-up migrations done).
func (s *Server) readyz(c *fiber.Ctx) error {
	if c.Path() != "/readyz" || (c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead) {
		return c.Next()
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	v, err := tenants.Version(ctx, s.Registry.Platform().Reader())
	latest, lerr := tenants.PlatformSchema.Latest()
	if err == nil {
		err = lerr
	}
	if err == nil && v != latest {
		err = fmt.Errorf("platform schema at %d, this binary needs %d", v, latest)
	}
	if err != nil {
		s.log.Error("readyz: not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).SendString("pas prêt\n")
	}
	return c.SendString("prêt\n")
}

// RouteGroup names a request's route for metrics: the first segment of the
// matched route's pattern ("famille", "admin", "paiement" …), "root" for
// a commune's home, "static", "health", or "unmatched" (a 404) — a small
// set whatever the URLs asked.
func RouteGroup(c *fiber.Ctx) string {
	path := c.Path()
	switch {
	case strings.HasPrefix(path, "/static/"):
		return "static"
	case path == "/healthz" || path == "/readyz":
		return "health"
	}
	if unmatched, _ := c.Locals(unmatchedKey{}).(bool); unmatched {
		return "unmatched"
	}
	p := strings.TrimPrefix(c.Route().Path, "/")
	if i := strings.IndexByte(p, '/'); i >= 0 {
		p = p[:i]
	}
	if p == "" || p[0] == ':' || p[0] == '*' {
		return "root"
	}
	return p
}

// installationSecret returns the named random secret of this installation,
// creating it once.
func installationSecret(ctx context.Context, db *tenants.DB, name string) ([]byte, error) {
	var key []byte
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&key)
		if errors.Is(err, sql.ErrNoRows) {
			key = make([]byte, 32)
			if _, err := rand.Read(key); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?)`, name, key)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("web: installation secret %s: %w", name, err)
	}
	return key, nil
}

// Secret returns another named installation secret (e.g. for signing links).
func (s *Server) Secret(ctx context.Context, name string) ([]byte, error) {
	return installationSecret(ctx, s.Registry.Platform(), name)
}

// CommuneURL is the absolute URL of a commune page, for emails: the
// commune's first host name when it has one, else the node's URL and the
// commune's path prefix.
func (s *Server) CommuneURL(c tenants.Commune, path string) string {
	return CommuneURL(s.PublicURL, c, path)
}

// CommuneURL is Server.CommuneURL for code that has no Server (the
// command line), given the node's public base URL.
func CommuneURL(publicURL string, c tenants.Commune, path string) string {
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	if len(c.Hosts) > 0 {
		return "https://" + c.Hosts[0] + path
	}
	return strings.TrimSuffix(publicURL, "/") + "/" + c.Slug + path
}
