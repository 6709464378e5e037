package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app"
	"espacefamille/app/demo"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// Harness is one real server, over a fresh data directory holding the demo
// commune, that a test drives through browser tabs.
type Harness struct {
	// BaseURL is the server's address, "http://127.0.0.1:PORT", no slash.
	BaseURL string
	// DataDir holds platform.db and communes/.
	DataDir string
	// Registry is the server's registry, for a journey that needs to set
	// up or check data directly (prefer doing it through the pages).
	Registry *tenants.Registry
	// Server is the assembled application.
	Server *web.Server

	logs *syncBuffer
}

// Commune is the demo commune's path prefix, "/malemort-du-comtat".
const Commune = "/" + demo.Slug

// New starts a server in demo mode on 127.0.0.1:0 over a data directory in
// t.TempDir() with the demo commune, seeded for today. The server stops at
// the end of the test; when the test failed, its log is printed.
//
// It skips the test when Chromium is missing (fails it when $CI is set).
// configure, if any, adjust the application's configuration (a backup
// directory).
func New(t testing.TB, configure ...func(*app.Config)) *Harness {
	t.Helper()
	requireBrowser(t)

	ctx := context.Background()
	h := &Harness{DataDir: t.TempDir(), logs: &syncBuffer{}}
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: h.DataDir, MaxOpen: 16, Logger: log})
	if err != nil {
		t.Fatalf("e2e: open registry: %v", err)
	}
	h.Registry = reg
	if _, err := demo.Ensure(ctx, reg, time.Now()); err != nil {
		reg.Close()
		t.Fatalf("e2e: demo commune: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		reg.Close()
		t.Fatalf("e2e: listen: %v", err)
	}
	h.BaseURL = fmt.Sprintf("http://%s", ln.Addr())
	cfg := app.Config{Registry: reg, Logger: log, Demo: true, PublicURL: h.BaseURL}
	for _, c := range configure {
		c(&cfg)
	}
	srv, err := app.New(ctx, cfg)
	if err != nil {
		ln.Close()
		reg.Close()
		t.Fatalf("e2e: app.New: %v", err)
	}
	h.Server = srv
	served := make(chan error, 1)
	go func() { served <- srv.App.Listener(ln) }()

	t.Cleanup(func() {
		if err := srv.App.ShutdownWithTimeout(5 * time.Second); err != nil {
			t.Errorf("e2e: shutdown: %v", err)
		}
		<-served
		if err := reg.Close(); err != nil {
			t.Errorf("e2e: close registry: %v", err)
		}
		if t.Failed() {
			t.Logf("e2e: server log:\n%s", tail(h.logs.String(), 8000))
		}
	})
	return h
}

// URL turns a path ("/malemort-du-comtat/") into an absolute URL on the
// server; an absolute URL is returned as is.
func (h *Harness) URL(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return h.BaseURL + path
}

// Logs is what the server logged so far.
func (h *Harness) Logs() string { return h.logs.String() }

// LogWriter lets a journey add lines of its own to the server log printed
// on failure.
func (h *Harness) LogWriter() io.Writer { return h.logs }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// shots numbers the screenshots of each output folder, per test run: the
// first screenshot of a run empties the folder, so that it holds exactly the
// last run's steps (two tabs of one size in one test share the numbering).
var shots struct {
	mu   sync.Mutex
	next map[string]shotCounter
}

type shotCounter struct {
	t testing.TB
	n int
}

// nextShot returns the next number in dir and whether dir must be emptied.
func nextShot(t testing.TB, dir string) (int, bool) {
	shots.mu.Lock()
	defer shots.mu.Unlock()
	if shots.next == nil {
		shots.next = map[string]shotCounter{}
	}
	c := shots.next[dir]
	fresh := c.t != t
	if fresh {
		c = shotCounter{t: t}
	}
	c.n++
	shots.next[dir] = c
	return c.n, fresh
}
