// Package apptest builds the test fixtures the application's packages
// share: a tenant registry over t.TempDir(), the demo commune seeded for
// the test's clock (FAMILLE X, "Fille FAMILLE X", "Garçon FAMILLE X", the
// cantine and the garderie régies), optional extra communes, the assembled
// application (app.New, or a chosen subset of routes), browsers that keep
// cookies and CSRF tokens, parent and staff sessions, and direct database
// access for setup and assertions.
//
// It is a normal package so that every package's tests can import it, but
// it is for tests only: only _test.go files import it, never production
// code. Everything it creates is removed by t.Cleanup.
package apptest

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app"
	"espacefamille/app/demo"
	"espacefamille/app/web"
	"espacefamille/tenants"
	"espacefamille/tenants/pgtest"
)

// Env is one test's node: its registry, communes, server and clock.
type Env struct {
	T        testing.TB
	Registry *tenants.Registry
	Server   *web.Server
	Clock    *Clock
	Logger   *slog.Logger
	// PublicURL is the node's base URL for links in emails.
	PublicURL string
	// URL is the base URL of the listening server (Listen), else "".
	URL string
	// Slugs are the communes created, the demo first.
	Slugs []string

	held *held
}

// held are the commune handles DB acquired for the test.
type held struct {
	mu  sync.Mutex
	dbs map[string]*tenants.DB
}

// For returns the env reporting its failures to t (a subtest's).
func (e *Env) For(t testing.TB) *Env {
	c := *e
	c.T = t
	return &c
}

// Seed fills a new commune's database inside its creation transaction.
type Seed func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error

type commune struct {
	n    tenants.NewCommune
	seed Seed
}

type config struct {
	now       time.Time
	demo      bool
	communes  []commune
	logger    *slog.Logger
	logToTest bool
	maxOpen   int
	publicURL string
	listen    bool
	routes    func(s *web.Server, e *Env)
	app       func(*app.Config)
	web       func(*web.Config)
	ctx       context.Context
	platform  string
	replica   *tenants.Replicator
	pgDSN     string
	sqlite    bool // platform.db whatever EnvPlatform says
	node      *tenants.NodeOptions
	dataDir   string
	ln        net.Listener
	platPath  string
}

// Option adjusts New.
type Option func(*config)

// At starts the test's clock at now (default: time.Now()); the demo
// commune is seeded for that day.
func At(now time.Time) Option { return func(c *config) { c.now = now } }

// WithReplica replicates the node's files to rep (the caller closes it,
// after the registry: create it before New).
func WithReplica(rep *tenants.Replicator) Option { return func(c *config) { c.replica = rep } }

// AsNode makes the registry one node among several (tenants.Options.Node):
// other registries opened on Env.Registry.Platform().Path() (or the same
// PostgreSQL store) are the other nodes.
func AsNode(n tenants.NodeOptions) Option { return func(c *config) { c.node = &n } }

// OnPostgres keeps the platform store in dsn (a pgtest.DSN schema)
// instead of platform.db.
func OnPostgres(dsn string) Option { return func(c *config) { c.pgDSN = dsn } }

// OnSQLite keeps the platform store in platform.db whatever EnvPlatform
// says: for tests of what only platform.db has (its backup, its restore,
// its replication).
func OnSQLite() Option { return func(c *config) { c.sqlite, c.pgDSN = true, "" } }

// EnvPlatform, set to "postgres", puts the platform store of every Env on
// a fresh PostgreSQL schema of the test server (pgtest): a sweep of every
// test over that dialect, e.g.
// ESPACEFAMILLE_TEST_PLATFORM=postgres go test ./app/...
const EnvPlatform = "ESPACEFAMILLE_TEST_PLATFORM"

// InDataDir opens the registry on dir (default: a new t.TempDir()):
// another Env's DataDir, to serve its commune files over another
// platform store.
func InDataDir(dir string) Option { return func(c *config) { c.dataDir = dir } }

// SharePlatform opens the registry on the platform file at path (another
// Env's Registry.Platform().Path()): nodes of one machine (AsNode).
func SharePlatform(path string) Option { return func(c *config) { c.platPath = path } }

// ListenOn serves on ln (Listen on a listener chosen beforehand: a node's
// URL must be known before New starts it).
func ListenOn(ln net.Listener) Option { return func(c *config) { c.listen, c.ln = true, ln } }

// WithoutDemo leaves out the demo commune.
func WithoutDemo() Option { return func(c *config) { c.demo = false } }

// WithCommune creates a commune after the demo one; seed may be nil.
func WithCommune(n tenants.NewCommune, seed Seed) Option {
	return func(c *config) { c.communes = append(c.communes, commune{n, seed}) }
}

// WithLogger sets the registry's and the server's logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// LogToTest sends the server's log to the test's log, shown on failure.
func LogToTest() Option { return func(c *config) { c.logToTest = true } }

// MaxOpen bounds the communes the registry keeps open (default 8).
func MaxOpen(n int) Option { return func(c *config) { c.maxOpen = n } }

// PublicURL sets the node's base URL (default "http://node.example").
func PublicURL(u string) Option { return func(c *config) { c.publicURL = u } }

// Listen serves the application on a loopback port (Env.URL), which
// becomes the public URL: for tests of the real TCP path.
func Listen() Option { return func(c *config) { c.listen = true } }

// WithRoutes builds the server from web.New and routes instead of app.New:
// for tests that mount a subset of the domains, with the test's clock.
func WithRoutes(routes func(s *web.Server, e *Env)) Option {
	return func(c *config) { c.routes = routes }
}

// AppConfig adjusts app.New's configuration.
func AppConfig(fn func(*app.Config)) Option { return func(c *config) { c.app = fn } }

// ServerContext is the context the server is built with: cancelling it is
// what serve's shutdown signal does to background tasks (web.Server.Go).
func ServerContext(ctx context.Context) Option { return func(c *config) { c.ctx = ctx } }

// PlatformHost serves the provider's console on host only
// (tenants.Options.PlatformHost).
func PlatformHost(host string) Option { return func(c *config) { c.platform = host } }

// WebConfig adjusts web.New's configuration (with WithRoutes).
func WebConfig(fn func(*web.Config)) Option { return func(c *config) { c.web = fn } }

// New creates the registry in t.TempDir(), the communes and the server.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	cfg := config{now: time.Now(), demo: true, maxOpen: 8, publicURL: "http://node.example"}
	for _, o := range opts {
		o(&cfg)
	}
	log := cfg.logger
	switch {
	case cfg.logToTest:
		log = slog.New(slog.NewTextHandler(testLog{t}, nil))
	case log == nil:
		log = Quiet()
	}
	ctx := context.Background()
	if cfg.pgDSN == "" && !cfg.sqlite && os.Getenv(EnvPlatform) == "postgres" {
		cfg.pgDSN = pgtest.DSN(t)
	}
	if cfg.dataDir == "" {
		cfg.dataDir = t.TempDir()
	}
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: cfg.dataDir, MaxOpen: cfg.maxOpen, Logger: log, PlatformHost: cfg.platform,
		Replica: cfg.replica, PlatformDSN: cfg.pgDSN, Node: cfg.node, PlatformPath: cfg.platPath})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	e := &Env{T: t, Registry: reg, Clock: NewClock(cfg.now), Logger: log, PublicURL: cfg.publicURL, held: &held{dbs: map[string]*tenants.DB{}}}
	if cfg.demo {
		if _, err := demo.Ensure(ctx, reg, cfg.now); err != nil {
			t.Fatal(err)
		}
		e.Slugs = append(e.Slugs, demo.Slug)
	}
	for _, c := range cfg.communes {
		if _, err := reg.CreateCommune(ctx, c.n, c.seed); err != nil {
			t.Fatal(err)
		}
		e.Slugs = append(e.Slugs, c.n.Slug)
	}
	ln := cfg.ln
	if cfg.listen {
		if ln == nil {
			if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
		}
		e.URL = "http://" + ln.Addr().String()
		e.PublicURL = e.URL
	}
	sctx := ctx
	if cfg.ctx != nil {
		sctx = cfg.ctx
	}
	if cfg.routes != nil {
		wc := web.Config{Registry: reg, Logger: log, PublicURL: e.PublicURL}
		if cfg.web != nil {
			cfg.web(&wc)
		}
		e.Server, err = web.New(sctx, wc)
		if err != nil {
			t.Fatal(err)
		}
		cfg.routes(e.Server, e)
		e.Server.Finish()
	} else {
		ac := app.Config{Registry: reg, Logger: log, PublicURL: e.PublicURL}
		if cfg.app != nil {
			cfg.app(&ac)
		}
		if e.Server, err = app.New(sctx, ac); err != nil {
			t.Fatal(err)
		}
	}
	// Background tasks (imports, invoicing runs) end before the databases
	// close (cleanups run last registered first).
	t.Cleanup(func() {
		wctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := e.Server.Wait(wctx); err != nil {
			t.Errorf("background tasks still running at the end of the test: %v", err)
		}
	})
	if ln != nil {
		go e.Server.App.Listener(ln)
		t.Cleanup(func() { e.Server.App.ShutdownWithTimeout(5 * time.Second) })
	}
	return e
}

// Quiet is a logger that discards everything.
func Quiet() *slog.Logger {
	if os.Getenv("APPTEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testLog writes the server's log lines to the test's log.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Clock is the test's adjustable time, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// isCommunePath reports whether path already names one of the env's
// communes ("/beta/…"), so a client's Base is not added to it.
func (e *Env) isCommunePath(path string) bool {
	u, err := url.Parse(path)
	if err != nil {
		return false
	}
	for _, s := range e.Slugs {
		if u.Path == "/"+s || strings.HasPrefix(u.Path, "/"+s+"/") {
			return true
		}
	}
	return false
}
