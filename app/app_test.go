package app_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"espacefamille/app/apptest"
	"espacefamille/app/news"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

// fixture is a node with two communes, alpha and beta, each with its own
// host, served by app.New.
type fixture struct {
	*apptest.Env
	reg *tenants.Registry
	srv *web.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	e := apptest.New(t, apptest.WithoutDemo(), apptest.PublicURL("http://localhost:8080"),
		apptest.WithCommune(tenants.NewCommune{Slug: "alpha", Name: "Commune d'Alpha", Hosts: []string{"alpha.example"}}, nil),
		apptest.WithCommune(tenants.NewCommune{Slug: "beta", Name: "Commune de Bêta", Hosts: []string{"beta.example"}}, nil))
	return &fixture{Env: e, reg: e.Registry, srv: e.Server}
}

func (f *fixture) addNews(t *testing.T, slug, title string) {
	t.Helper()
	f.For(t).Tx(slug, func(tx *sql.Tx) error {
		_, err := news.Create(context.Background(), tx, news.Item{Title: title, Body: "Texte <b>non interprété</b>", PublishedFrom: "2020-01-01"}, time.Now())
		return err
	})
}

// get fetches path on host as a new visitor.
func (f *fixture) get(t *testing.T, host, path string) (int, string) {
	t.Helper()
	r := f.Client(t, apptest.OnHost(host)).Get(path)
	return r.Status, r.Body
}

func TestCommunesAreIsolated(t *testing.T) {
	f := newFixture(t)
	f.addNews(t, "alpha", "Nouvelle d'Alpha")
	f.addNews(t, "beta", "Nouvelle de Bêta")
	for _, tc := range []struct {
		name, host, path string
		wantStatus       int
		want, notWant    []string
	}{
		{"alpha by path", "node.example", "/alpha/", 200, []string{"Commune d&#39;Alpha", "Nouvelle d&#39;Alpha", `href="/alpha/connexion"`}, []string{"Bêta"}},
		{"beta by path", "node.example", "/beta/", 200, []string{"Commune de Bêta", "Nouvelle de Bêta"}, []string{"Alpha"}},
		{"alpha by host", "alpha.example", "/", 200, []string{"Nouvelle d&#39;Alpha", `href="/connexion"`}, []string{"Bêta"}},
		{"beta by host, port and case ignored", "BETA.example:8443", "/", 200, []string{"Nouvelle de Bêta"}, []string{"Alpha"}},
		{"beta's host never serves alpha's path", "beta.example", "/alpha/", 404, []string{"Page introuvable"}, []string{"Nouvelle d&#39;Alpha"}},
		{"news body is escaped", "alpha.example", "/", 200, []string{"Texte &lt;b&gt;non interprété&lt;/b&gt;"}, []string{"<b>non"}},
		{"unknown commune is a French 404", "node.example", "/gordes/", 404, []string{"Commune introuvable", `lang="fr"`}, nil},
		{"invalid slug is a French 404", "node.example", "/A_B/", 404, []string{"Commune introuvable"}, nil},
		{"unknown page of a commune", "node.example", "/alpha/nulle-part", 404, []string{"Page introuvable", "Commune d&#39;Alpha"}, nil},
		{"platform internals unreachable by path", "node.example", "/-/", 404, []string{"Commune introuvable"}, nil},
		{"platform internals unreachable by host", "alpha.example", "/-/", 404, []string{"Commune introuvable"}, nil},
		{"platform page lists active communes", "node.example", "/", 200, []string{"Commune d&#39;Alpha", `href="/beta/"`}, nil},
		{"platform search", "node.example", "/?q=beta", 200, []string{"Commune de Bêta"}, []string{"Commune d&#39;Alpha"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := f.get(t, tc.host, tc.path)
			if status != tc.wantStatus {
				t.Fatalf("status = %d, want %d\n%s", status, tc.wantStatus, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %q in\n%s", w, body)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("unexpected %q in\n%s", w, body)
				}
			}
		})
	}
}

func TestSlugWithoutSlashRedirects(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest(http.MethodGet, "/alpha?x=1", nil)
	resp, err := f.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/alpha/?x=1" {
		t.Fatalf("status %d location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestSuspendedCommuneIsA503(t *testing.T) {
	f := newFixture(t)
	if err := f.reg.SetStatus(context.Background(), "beta", tenants.StatusSuspended); err != nil {
		t.Fatal(err)
	}
	status, body := f.get(t, "node.example", "/beta/")
	if status != 503 || !strings.Contains(body, "suspendu") {
		t.Fatalf("status %d\n%s", status, body)
	}
	if status, _ := f.get(t, "node.example", "/alpha/"); status != 200 {
		t.Fatalf("alpha affected by beta's suspension: %d", status)
	}
}

func TestScriptsGetPlainTextErrors(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest(http.MethodGet, "/gordes/", nil)
	req.Header.Set("Accept", "*/*")
	resp, err := f.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || strings.Contains(string(b), "<html") || !strings.Contains(string(b), "Commune introuvable") {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
}

func TestHealthz(t *testing.T) {
	f := newFixture(t)
	status, body := f.get(t, "node.example", "/healthz")
	if status != 200 || body != "ok\n" {
		t.Fatalf("healthz = %d %q", status, body)
	}
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest(http.MethodPost, "/alpha/", strings.NewReader("x=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	resp, err := f.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 403 || !strings.Contains(string(b), "Formulaire expiré") {
		t.Fatalf("%d\n%s", resp.StatusCode, b)
	}
}

func TestLegalPages(t *testing.T) {
	f := newFixture(t)
	for path, want := range map[string]string{
		"/alpha/accessibilite":   "partiellement conforme",
		"/alpha/confidentialite": "RGPD",
	} {
		status, body := f.get(t, "node.example", path)
		if status != 200 || !strings.Contains(body, want) || !strings.Contains(body, "Commune d&#39;Alpha") {
			t.Errorf("%s: %d\n%s", path, status, body)
		}
	}
}
