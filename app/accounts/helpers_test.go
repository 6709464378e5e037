package accounts_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"espacefamille/app/accounts"
	"espacefamille/app/apptest"
	"espacefamille/app/booking"
	"espacefamille/app/demo"
	"espacefamille/app/mail"
	"espacefamille/app/mail/smtptest"
	"espacefamille/app/mailbox"
	"espacefamille/app/portal"
	"espacefamille/app/web"
	"espacefamille/tenants"
)

const (
	slugA     = demo.Slug // Malemort du Comtat, with the memento's FAMILLE X
	slugB     = "beta"    // a second commune, reached by path and by host
	hostB     = "beta.example"
	publicURL = "http://ef.test"
	password  = "une phrase de passe solide"
)

// env is a node with two communes in t.TempDir(), the application built
// as app.New builds it (with the test's clock), and the test mail server
// (apptest.Mailer).
type env struct {
	*apptest.Env
	t     *testing.T
	reg   *tenants.Registry
	srv   *web.Server
	smtp  *apptest.Mailer
	clock *apptest.Clock
}

func newEnv(t *testing.T) *env { return newEnvMode(t, false) }

func newEnvMode(t *testing.T, demoMode bool) *env {
	t.Helper()
	a := apptest.New(t, apptest.PublicURL(publicURL),
		apptest.WithCommune(tenants.NewCommune{Slug: slugB, Name: "Commune de Bêta", Hosts: []string{hostB}},
			func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO families (name, email, created_at) VALUES ('FAMILLE B', 'b@example.org', '2025-01-01T00:00:00Z')`)
				return err
			}),
		apptest.WebConfig(func(c *web.Config) { c.Demo = demoMode }),
		// The same assembly as app.New, with the test's clock.
		apptest.WithRoutes(func(s *web.Server, a *apptest.Env) {
			accounts.Routes(s, accounts.Deps{Now: a.Clock.Now, FeedEvents: booking.FeedEvents})
			portal.Routes(s)
			mailbox.Routes(s)
		}))
	return &env{Env: a, t: t, reg: a.Registry, srv: a.Server, clock: a.Clock, smtp: a.Mailer(t)}
}

// flush sends what every outbox holds (the platform's and both
// communes'), as the background sender would.
func (e *env) flush() mail.Counts {
	e.t.Helper()
	return e.smtp.Flush(e.t, "", slugA, slugB)
}

// lastMail waits for the last message delivered to addr.
func (e *env) lastMail(addr string) smtptest.Message {
	e.t.Helper()
	e.flush()
	for _, m := range slicesReverse(e.smtp.Messages()) {
		for _, to := range m.EnvelopeTo {
			if to == addr {
				return m
			}
		}
	}
	e.t.Fatalf("no mail to %s among %d messages", addr, len(e.smtp.Messages()))
	return smtptest.Message{}
}

func slicesReverse(in []smtptest.Message) []smtptest.Message {
	out := make([]smtptest.Message, len(in))
	for i, m := range in {
		out[len(in)-1-i] = m
	}
	return out
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkIn returns the path of the first link of text under publicURL that
// contains part.
func linkIn(t *testing.T, text, part string) string {
	t.Helper()
	for _, l := range linkRE.FindAllString(text, -1) {
		if strings.HasPrefix(l, publicURL) && strings.Contains(l, part) {
			return strings.TrimPrefix(l, publicURL)
		}
	}
	t.Fatalf("no link with %q in:\n%s", part, text)
	return ""
}

// exec runs SQL on a commune's database.
func (e *env) exec(slug, q string, args ...any) int64 {
	e.t.Helper()
	return e.Exec(slug, q, args...)
}

// count runs a COUNT query on a commune's database ("" = the platform).
func (e *env) count(slug, q string, args ...any) int {
	e.t.Helper()
	return e.Count(slug, q, args...)
}

// client is one browser: its own cookies, kept by domain and path; bodies
// are compared as text ("Je n'ai pas de compte", not "Je n&#39;ai…").
type client struct {
	*apptest.Client
	e *env
}

func (e *env) client() *client {
	return &client{Client: e.Client(e.t, apptest.OnHost("localhost"), apptest.BrowserCookies(), apptest.UnescapeBodies()), e: e}
}

type response = apptest.Response

var csrfRE = apptest.CSRFRE

func (cl *client) do(method, path string, form url.Values) response {
	cl.e.t.Helper()
	return cl.Do(method, path, form)
}

func (cl *client) get(path string) response { return cl.Do(http.MethodGet, path, nil) }

// submit opens page, then posts form to action with the page's CSRF token.
func (cl *client) submit(page, action string, form url.Values) response {
	cl.e.t.Helper()
	return cl.Submit(page, action, form)
}

// cookie returns the value of the named cookie for path.
func (cl *client) cookie(path, name string) string {
	u, _ := url.Parse("http://localhost" + path)
	for _, c := range cl.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func signupForm(email string) url.Values {
	return url.Values{
		"civilite": {"M"}, "nom": {"FAMILLE X"}, "prenom": {"Y"},
		"email": {email}, "email_confirmation": {email},
		"mot_de_passe": {password}, "mot_de_passe_confirmation": {password},
		"telephone": {"06 12 34 56 78"}, "adresse": {"1 chemin des Écoliers"}, "code_postal": {"84570"},
		"ville": {"Malemort-du-Comtat"}, "consentement_factures": {"1"}, "consentement_espace": {"1"},
	}
}

// register creates and confirms an account through the pages, and leaves
// cl logged out. prefix is "/malemort-du-comtat" or "" (by host).
func (cl *client) register(prefix, email string) {
	cl.e.t.Helper()
	r := cl.submit(prefix+"/inscription/formulaire", prefix+"/inscription/formulaire", signupForm(email))
	if r.Status != http.StatusSeeOther {
		cl.e.t.Fatalf("signup %s: %d\n%s", email, r.Status, r.Body)
	}
	m := cl.e.lastMail(email)
	r = cl.get(linkIn(cl.e.t, m.Text, "/confirmation/"))
	if r.Status != http.StatusSeeOther {
		cl.e.t.Fatalf("confirm %s: %d\n%s", email, r.Status, r.Body)
	}
}

// login logs in through the log-in form and expects a redirect.
func (cl *client) login(prefix, email, pw string) response {
	cl.e.t.Helper()
	return cl.submit(prefix+"/connexion", prefix+"/connexion", url.Values{"identifiant": {email}, "mot_de_passe": {pw}})
}

func mustStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s: status %d, want %d (Location %q)\n%s", what, r.Status, want, r.Location, r.Body)
	}
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q in:\n%s", what, w, body)
		}
	}
}
