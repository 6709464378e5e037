package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser is the one Chromium of the test process, started on first use
// and stopped by Main.
var browser struct {
	once   sync.Once
	ctx    context.Context // a chromedp context whose browser is running
	cancel func()
	dir    string // the fresh profile (--user-data-dir)
	out    *syncBuffer
	err    error
}

// Main runs the package's tests and then stops the shared browser. Call it
// from the package's TestMain.
func Main(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

// ChromiumPath finds the browser: $CHROMIUM, then Debian's chromium, then
// chromium-browser, google-chrome. It returns "" when there is none.
func ChromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
		return ""
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

// requireBrowser starts the shared browser once, or skips the test when
// there is no Chromium (fails it under CI, where scripts/install-test-deps
// must have installed it).
func requireBrowser(t testing.TB) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: browser journeys skipped in -short mode")
	}
	browser.once.Do(startBrowser)
	if browser.err != nil {
		if os.Getenv("CI") != "" || !errors.Is(browser.err, errNoChromium) {
			t.Fatalf("e2e: %v", browser.err)
		}
		t.Skipf("e2e: %v (run scripts/install-test-deps as root)", browser.err)
	}
	return browser.ctx
}

var errNoChromium = errors.New("no Chromium found (set $CHROMIUM or install Debian's chromium)")

func startBrowser() {
	path := ChromiumPath()
	if path == "" {
		browser.err = errNoChromium
		return
	}
	dir, err := os.MkdirTemp("", "espacefamille-e2e-chromium-")
	if err != nil {
		browser.err = err
		return
	}
	browser.dir = dir
	browser.out = &syncBuffer{}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox, // we run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		// The machine's network is closed: no background connection may
		// be attempted, or Chromium retries them at every start.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("lang", "fr-FR"),
		chromedp.Env("LANGUAGE=fr_FR", "TZ=Europe/Paris"),
		chromedp.CombinedOutput(browser.out),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	browser.cancel = func() { cancelCtx(); cancelAlloc() }

	// The first Run binds the browser's life to its context, so it gets no
	// deadline of its own: a watchdog ends a start that hangs.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		browser.cancel()
		err = errors.New("timed out after 30s")
	}
	if err != nil {
		browser.cancel()
		browser.err = fmt.Errorf("start %s: %v\n%s", path, err, browser.out.String())
		return
	}
	browser.ctx = ctx
}

func stopBrowser() {
	if browser.cancel == nil {
		return
	}
	if browser.err == nil {
		// Close the browser politely so that it deletes nothing half-way.
		ctx, cancel := context.WithTimeout(browser.ctx, 5*time.Second)
		_ = chromedp.Cancel(ctx)
		cancel()
	}
	browser.cancel()
	if browser.dir != "" {
		os.RemoveAll(browser.dir)
	}
}

// syncBuffer collects the browser's output, which arrives from another
// goroutine, to show it when the browser fails to start.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
