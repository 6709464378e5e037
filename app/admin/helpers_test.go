package admin_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"espacefamille/app/apptest"
	"espacefamille/tenants"
)

const (
	adminEmail = "admin@alpha.example"
	agentEmail = "agent@alpha.example"
	betaAdmin  = "admin@beta.example"
	password   = "mot-de-passe-solide"
)

// fixture is a node with two communes and no demo: alpha (an admin and an
// agent) and beta (an admin), served by app.New, its log in the test's.
type fixture struct {
	*apptest.Env
	reg *tenants.Registry
}

func seedStaff(email, role string) apptest.Seed {
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
	alpha := func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
		if err := seedStaff(adminEmail, "admin")(ctx, tx, c); err != nil {
			return err
		}
		return seedStaff(agentEmail, "agent")(ctx, tx, c)
	}
	e := apptest.New(t, apptest.WithoutDemo(), apptest.LogToTest(),
		apptest.WithCommune(tenants.NewCommune{Slug: "alpha", Name: "Commune d'Alpha"}, alpha),
		apptest.WithCommune(tenants.NewCommune{Slug: "beta", Name: "Commune de Bêta"}, seedStaff(betaAdmin, "admin")))
	return &fixture{Env: e, reg: e.Registry}
}

// exec runs SQL on a commune (test setup and checks).
func (f *fixture) exec(t *testing.T, slug, q string, args ...any) {
	t.Helper()
	f.For(t).Exec(slug, q, args...)
}

// count returns a single integer from a commune.
func (f *fixture) count(t *testing.T, slug, q string, args ...any) int {
	t.Helper()
	return f.For(t).Count(slug, q, args...)
}

// client is a browser (apptest.Client: it keeps cookies, sent whatever
// their path, and the last CSRF token) with its test and fixture.
type client struct {
	*apptest.Client
	t *testing.T
	f *fixture
}

func (f *fixture) client(t *testing.T) *client {
	return &client{Client: f.Env.Client(t), t: t, f: f}
}

// login opens a staff session on commune slug.
func (c *client) login(slug, email string) {
	c.t.Helper()
	c.LoginStaff(slug, email, password)
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

func wantStatus(t *testing.T, r apptest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d (location %q)\n%s", r.Status, status, r.Location, r.Body)
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
