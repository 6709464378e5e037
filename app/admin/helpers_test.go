package admin_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"espacefamille/app"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

const (
	adminEmail = "admin@alpha.example"
	agentEmail = "agent@alpha.example"
	betaAdmin  = "admin@beta.example"
	password   = "mot-de-passe-solide"
)

type fixture struct {
	reg *tenants.Registry
	srv *web.Server
}

func seedStaff(email, role string) func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
	return func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
		hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO staff (email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
			email, "Personne "+role, role, string(hash), time.Now().UTC().Format(time.RFC3339))
		return err
	}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(testLog{t}, nil))
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), MaxOpen: 8, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	alpha := func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
		if err := seedStaff(adminEmail, "admin")(ctx, tx, c); err != nil {
			return err
		}
		return seedStaff(agentEmail, "agent")(ctx, tx, c)
	}
	if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: "alpha", Name: "Commune d'Alpha"}, alpha); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: "beta", Name: "Commune de Bêta"}, seedStaff(betaAdmin, "admin")); err != nil {
		t.Fatal(err)
	}
	srv, err := app.New(ctx, app.Config{Registry: reg, Logger: log, PublicURL: "http://node.example"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{reg: reg, srv: srv}
}

// exec runs SQL on a commune (test setup and checks).
func (f *fixture) exec(t *testing.T, slug, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	err := f.reg.WithCommune(ctx, slug, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, q, args...); return err })
	})
	if err != nil {
		t.Fatal(err)
	}
}

// count returns a single integer from a commune.
func (f *fixture) count(t *testing.T, slug, q string, args ...any) int {
	t.Helper()
	var n int
	err := f.reg.WithCommune(context.Background(), slug, func(db *tenants.DB) error {
		return db.R.QueryRow(q, args...).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// client is a browser: it keeps cookies and the last CSRF token.
type client struct {
	t       *testing.T
	f       *fixture
	cookies map[string]string
	csrf    string
}

func (f *fixture) client(t *testing.T) *client {
	return &client{t: t, f: f, cookies: map[string]string{}}
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	req.Header.Set("Accept", "text/html")
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := c.f.srv.App.Test(req, -1)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	if m := csrfRE.FindStringSubmatch(string(b)); m != nil {
		c.csrf = m[1]
	}
	return response{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), header: resp.Header}
}

func (c *client) get(path string) response {
	c.t.Helper()
	return c.do(httptest.NewRequest(http.MethodGet, "http://node.example"+path, nil))
}

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if form.Get("_csrf") == "" {
		form.Set("_csrf", c.csrf)
	}
	req := httptest.NewRequest(http.MethodPost, "http://node.example"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) upload(path, field, filename string, data []byte) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("_csrf", c.csrf)
	fw, _ := mw.CreateFormFile(field, filename)
	_, _ = fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "http://node.example"+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// login opens a staff session on commune slug.
func (c *client) login(slug, email string) {
	c.t.Helper()
	c.get("/" + slug + "/admin/connexion")
	r := c.post("/"+slug+"/admin/connexion", url.Values{"email": {email}, "password": {password}})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, "/"+slug+"/admin/") {
		c.t.Fatalf("login %s on %s: status %d location %q\n%s", email, slug, r.status, r.location, r.body)
	}
	c.get("/" + slug + "/admin/")
}

func (f *fixture) admin(t *testing.T) *client {
	c := f.client(t)
	c.login("alpha", adminEmail)
	return c
}

func (f *fixture) agent(t *testing.T) *client {
	c := f.client(t)
	c.login("alpha", agentEmail)
	return c
}

func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d (location %q)\n%s", r.status, status, r.location, r.body)
	}
}

func wantContains(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("missing %q in\n%s", w, body)
		}
	}
}

// testLog sends the server's log to the test's log (shown on failure).
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
