package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs the command (serve or demo) in the background until
// stop, which cancels its context as the signal would and returns its
// exit code; base is the URL it prints.
func startServer(t *testing.T, envv map[string]string, args ...string) (base string, stop func() int, logs *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errs := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, args, out, errs, func(k string) string { return envv[k] })
	}()
	re := regexp.MustCompile(`http://localhost:\d+`)
	deadline := time.Now().Add(20 * time.Second)
	for base == "" {
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("server did not start:\n%s\n%s", out.String(), errs.String())
		}
		select {
		case code := <-done:
			t.Fatalf("server exited with %d:\n%s\n%s", code, out.String(), errs.String())
		case <-time.After(20 * time.Millisecond):
		}
		base = re.FindString(out.String())
	}
	return base, func() int { cancel(); return <-done }, errs
}

// TestDemoServesAndStopsGracefully runs `demo` then `serve` on the same
// data directory with a second commune, as the README describes.
func TestDemoServesAndStopsGracefully(t *testing.T) {
	data := t.TempDir()
	envv := map[string]string{}
	start := func(args ...string) (string, func() int, *syncBuffer) { return startServer(t, envv, args...) }
	get := func(url string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	base, stop, _ := start("demo", "--addr", "127.0.0.1:0", "--data", data)
	if status, body := get(base + "/malemort-du-comtat/"); status != 200 ||
		!strings.Contains(body, "Commune de Malemort du Comtat") || !strings.Contains(body, "L'actualité Famille") ||
		!strings.Contains(body, "Bienvenue sur votre espace famille") || !strings.Contains(body, "Je me connecte") {
		t.Fatalf("demo home: %d\n%s", status, body)
	}
	if code := stop(); code != 0 {
		t.Fatalf("demo exit code %d", code)
	}

	if code, out, errs := cli(t, envv, "commune", "create", "--data", data, "--slug", "mazan", "--name", "Commune de Mazan"); code != 0 {
		t.Fatalf("create: %s %s", out, errs)
	}
	base, stop, logs := start("serve", "--addr", "127.0.0.1:0", "--data", data,
		"--metrics-addr", "127.0.0.1:0", "--backup-dir", t.TempDir(), "--backup-at", "03:15")
	for path, want := range map[string]string{
		"/malemort-du-comtat/": "Commune de Malemort du Comtat",
		"/mazan/":              "Commune de Mazan",
		"/readyz":              "prêt",
	} {
		if status, body := get(base + path); status != 200 || !strings.Contains(body, want) {
			t.Fatalf("%s: %d\n%s", path, status, body)
		}
	}
	// The metrics are on their own address only.
	if status, _ := get(base + "/metrics"); status != http.StatusNotFound {
		t.Fatalf("/metrics on the public address: %d", status)
	}
	metricsAddr := regexp.MustCompile(`msg="metrics listening" addr=(\S+)`).FindStringSubmatch(logs.String())
	if metricsAddr == nil {
		t.Fatalf("no metrics address in the log:\n%s", logs.String())
	}
	status, body := get("http://" + metricsAddr[1] + "/metrics")
	for _, want := range []string{`espacefamille_communes{status="active"} 2`, `espacefamille_http_requests_total{code="200",group="root"}`,
		"espacefamille_backup_oldest_age_seconds", "go_goroutines"} {
		if status != 200 || !strings.Contains(body, want) {
			t.Fatalf("/metrics: %d, no %q:\n%.3000s", status, want, body)
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exit code %d", code)
	}
	for _, want := range []string{"shutting down", "stopped", "commune=mazan", "request_id=", `msg="next backup" at=`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs miss %q:\n%s", want, logs.String())
		}
	}
}
