package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app"
	"espacefamille/app/apptest"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// serveProxied starts the application on loopback with 127.0.0.1 as a
// trusted proxy, so that X-Forwarded-Proto is believed.
func serveProxied(t *testing.T, proxies []string) string {
	t.Helper()
	_, base := serveLoopback(t, proxies)
	return base
}

// newAlphaApp builds the application, with the given trusted proxies, over
// a fresh data directory holding one commune, "alpha". The caller closes
// the registry.
func newAlphaApp(t *testing.T, proxies []string) (*tenants.Registry, *web.Server) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), MaxOpen: 8, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: "alpha", Name: "Commune d'Alpha"}, nil); err != nil {
		t.Fatal(err)
	}
	srv, err := app.New(ctx, app.Config{Registry: reg, Logger: log, PublicURL: "http://localhost", TrustedProxies: proxies})
	if err != nil {
		t.Fatal(err)
	}
	return reg, srv
}

// serveLoopback starts the application, with one commune "alpha" and the
// given trusted proxies, on a loopback listener (so the TCP peer is
// 127.0.0.1); it returns the registry and the server's base URL.
func serveLoopback(t *testing.T, proxies []string) (*tenants.Registry, string) {
	t.Helper()
	reg, srv := newAlphaApp(t, proxies)
	t.Cleanup(func() { reg.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.App.Listener(ln)
	t.Cleanup(func() { srv.App.ShutdownWithTimeout(5 * time.Second) })
	return reg, "http://" + ln.Addr().String()
}

func headOf(t *testing.T, base, path, proto string) http.Header {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Accept", "text/html")
	if proto != "" {
		req.Header.Set("X-Forwarded-Proto", proto)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Header
}

// Strict-Transport-Security is sent when the request came over HTTPS (as
// a trusted proxy says), never over plain HTTP nor on an untrusted
// client's word; Permissions-Policy and Cross-Origin-Opener-Policy always.
func TestTransportAndIsolationHeaders(t *testing.T) {
	trusted := serveProxied(t, []string{"127.0.0.1"})
	untrusted := serveProxied(t, nil)
	for _, tc := range []struct {
		name, base, path, proto string
		hsts                    bool
	}{
		{"https through the trusted proxy", trusted, "/alpha/", "https", true},
		{"https error page through the trusted proxy", trusted, "/alpha/nulle-part", "https", true},
		{"plain http through the trusted proxy", trusted, "/alpha/", "http", false},
		{"no proxy: plain http", untrusted, "/alpha/", "", false},
		{"untrusted client claiming https", untrusted, "/alpha/", "https", false},
	} {
		h := headOf(t, tc.base, tc.path, tc.proto)
		if got := h.Get("Strict-Transport-Security"); (got != "") != tc.hsts || tc.hsts && !strings.Contains(got, "max-age=31536000") {
			t.Errorf("%s: Strict-Transport-Security = %q, want present=%v", tc.name, got, tc.hsts)
		}
		if got := h.Get("Permissions-Policy"); !strings.Contains(got, "camera=()") || !strings.Contains(got, "geolocation=()") {
			t.Errorf("%s: Permissions-Policy = %q", tc.name, got)
		}
		if got := h.Get("Cross-Origin-Opener-Policy"); got != "same-origin" {
			t.Errorf("%s: Cross-Origin-Opener-Policy = %q", tc.name, got)
		}
	}
}

// The small forms refuse an oversized body with a French 413 before the
// form is parsed (no CSRF verdict first); uploads keep the global limit.
func TestSmallFormsRefuseLargeBodies(t *testing.T) {
	base := serveProxied(t, nil)
	big := bytes.Repeat([]byte("a"), 100<<10)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/alpha/connexion", 413},
		{"/alpha/inscription/formulaire", 413},
		{"/alpha/mot-de-passe-oublie", 413},
		{"/alpha/mot-de-passe/abcdef", 413},
		{"/alpha/adhesion", 413},
		{"/alpha/famille/reservations/case", 413},
		{"/alpha/famille/reservations/periode", 413},
		{"/alpha/famille/paiement", 413},
		{"/alpha/admin/connexion", 413},
		// The limit belongs to the route: every spelling the router
		// sends to it is limited (issue 9 item 13).
		{"/alpha/CONNEXION", 413},
		{"/alpha/connexion/", 413},
		{"/alpha/Mot-De-Passe/abcdef/", 413},
		{"/alpha/ADMIN/connexion/", 413},
		{"/alpha/famille/RESERVATIONS/case", 413},
		// The family import keeps the 8 MiB limit: refused for its
		// missing CSRF token, not for its size.
		{"/alpha/admin/familles/import", 403},
	} {
		req, _ := http.NewRequest(http.MethodPost, base+tc.path, bytes.NewReader(big))
		req.Header.Set("Accept", "text/html")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.path, resp.StatusCode, tc.want)
		}
		if tc.want == 413 && !strings.Contains(string(b), "trop volumineuses") {
			t.Errorf("%s: no French 413 page:\n%s", tc.path, b)
		}
	}
	// A normal log-in form still gets through to the CSRF check.
	req, _ := http.NewRequest(http.MethodPost, base+"/alpha/connexion", strings.NewReader("identifiant=a%40b.fr&mot_de_passe=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("small log-in form: status %d, want 403 (CSRF)", resp.StatusCode)
	}
}

// A small form's limit holds for every spelling of its path that reaches
// the route, also with a valid CSRF token (issue 9 item 13: "/CONNEXION"
// and "/connexion/" used to reach the log-in with a 100 KiB body).
func TestSmallFormLimitFollowsTheRoute(t *testing.T) {
	e := apptest.New(t, apptest.WithoutDemo(), apptest.WithCommune(tenants.NewCommune{Slug: "alpha", Name: "Commune d'Alpha"}, nil))
	c := e.Client(t, apptest.InCommune("alpha"))
	c.Get("/connexion")
	big := strings.Repeat("a", 100<<10)
	for _, path := range []string{"/connexion", "/CONNEXION", "/connexion/", "/Connexion/", "/admin/CONNEXION", "/mot-de-passe/ABC/"} {
		r := c.Post(path, url.Values{"identifiant": {"a@b.fr"}, "mot_de_passe": {big}})
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with a 100 KiB body and a valid token: status %d, want 413", path, r.Status)
		}
	}
	// A log-in of normal size under another spelling reaches the handler.
	if r := c.Post("/CONNEXION/", url.Values{"identifiant": {"a@b.fr"}, "mot_de_passe": {"pas le bon"}}); r.Status != http.StatusUnauthorized {
		t.Errorf("POST /CONNEXION/ small: status %d, want 401", r.Status)
	}
}
