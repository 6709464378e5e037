package accounts_test

import (
	"context"
	"database/sql"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app/accounts"
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

// clock is the test's adjustable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// env is a node with two communes in t.TempDir(), the application built
// as app.New builds it (with the test's clock), and a real SMTP server.
type env struct {
	t      *testing.T
	reg    *tenants.Registry
	srv    *web.Server
	smtp   *smtptest.Server
	sender *mail.Sender
	clock  *clock
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newEnv(t *testing.T) *env { return newEnvMode(t, false) }

func newEnvMode(t *testing.T, demoMode bool) *env {
	t.Helper()
	ctx := context.Background()
	reg, err := tenants.Open(ctx, tenants.Options{DataDir: t.TempDir(), MaxOpen: 8, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	if _, err := demo.Ensure(ctx, reg, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.CreateCommune(ctx, tenants.NewCommune{Slug: slugB, Name: "Commune de Bêta", Hosts: []string{hostB}},
		func(ctx context.Context, tx *sql.Tx, c tenants.Commune) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO families (name, email, created_at) VALUES ('FAMILLE B', 'b@example.org', '2025-01-01T00:00:00Z')`)
			return err
		}); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, reg: reg, clock: &clock{t: time.Now()}}
	e.srv, err = web.New(ctx, web.Config{Registry: reg, Logger: quiet(), Demo: demoMode, PublicURL: publicURL})
	if err != nil {
		t.Fatal(err)
	}
	// The same assembly as app.New, with the test's clock.
	accounts.Routes(e.srv, accounts.Deps{Now: e.clock.Now})
	portal.Routes(e.srv)
	mailbox.Routes(e.srv)
	e.srv.Finish()

	e.smtp = smtptest.Start(t)
	cfg := mail.Config{Host: e.smtp.Host(), Port: e.smtp.Port(), From: "noreply@ef.test", TLS: mail.TLSNone}
	e.sender, err = mail.NewSender(cfg, mail.Sources{}, quiet(), mail.WithClock(e.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// flush sends what every outbox holds, as the background sender would.
func (e *env) flush() mail.Counts {
	e.t.Helper()
	ctx := context.Background()
	var total mail.Counts
	add := func(c mail.Counts) { total.Sent += c.Sent; total.Retried += c.Retried; total.Failed += c.Failed }
	c, err := e.sender.Flush(ctx, mail.Source{Name: accounts.PlatformOutbox, DB: e.reg.Platform().W})
	if err != nil {
		e.t.Fatal(err)
	}
	add(c)
	for _, slug := range []string{slugA, slugB} {
		err := e.reg.WithCommune(ctx, slug, func(db *tenants.DB) error {
			c, err := e.sender.Flush(ctx, mail.Source{Name: slug, DB: db.W})
			add(c)
			return err
		})
		if err != nil {
			e.t.Fatal(err)
		}
	}
	return total
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
	var id int64
	err := e.reg.WithCommune(context.Background(), slug, func(db *tenants.DB) error {
		return db.Tx(context.Background(), func(tx *sql.Tx) error {
			res, err := tx.Exec(q, args...)
			if err == nil {
				id, _ = res.LastInsertId()
			}
			return err
		})
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// count runs a COUNT query on a commune's database ("" = the platform).
func (e *env) count(slug, q string, args ...any) int {
	e.t.Helper()
	var n int
	run := func(db *tenants.DB) error { return db.R.QueryRow(q, args...).Scan(&n) }
	var err error
	if slug == "" {
		err = run(e.reg.Platform())
	} else {
		err = e.reg.WithCommune(context.Background(), slug, run)
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// client is one browser: its own cookies.
type client struct {
	e    *env
	jar  *cookiejar.Jar
	host string // "" = localhost (communes by path)
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, jar: jar}
}

type response struct {
	status   int
	body     string
	location string
}

func (cl *client) do(method, path string, form url.Values) response {
	cl.e.t.Helper()
	host := cl.host
	if host == "" {
		host = "localhost"
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, "http://"+host+path, body)
	if err != nil {
		cl.e.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range cl.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	res, err := cl.e.srv.App.Test(req, -1)
	if err != nil {
		cl.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	cl.jar.SetCookies(req.URL, res.Cookies())
	// Bodies are compared as text: "Je n'ai pas de compte", not "Je n&#39;ai…".
	return response{status: res.StatusCode, body: html.UnescapeString(string(b)), location: res.Header.Get("Location")}
}

func (cl *client) get(path string) response { return cl.do(http.MethodGet, path, nil) }

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// submit opens page, then posts form to action with the page's CSRF token.
func (cl *client) submit(page, action string, form url.Values) response {
	cl.e.t.Helper()
	r := cl.get(page)
	m := csrfRE.FindStringSubmatch(r.body)
	if m == nil {
		cl.e.t.Fatalf("no CSRF token on %s (%d):\n%s", page, r.status, r.body)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", m[1])
	return cl.do(http.MethodPost, action, form)
}

// cookie returns the value of the named cookie for path.
func (cl *client) cookie(path, name string) string {
	u, _ := url.Parse("http://localhost" + path)
	for _, c := range cl.jar.Cookies(u) {
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
	if r.status != http.StatusSeeOther {
		cl.e.t.Fatalf("signup %s: %d\n%s", email, r.status, r.body)
	}
	m := cl.e.lastMail(email)
	r = cl.get(linkIn(cl.e.t, m.Text, "/confirmation/"))
	if r.status != http.StatusSeeOther {
		cl.e.t.Fatalf("confirm %s: %d\n%s", email, r.status, r.body)
	}
}

// login logs in through the log-in form and expects a redirect.
func (cl *client) login(prefix, email, pw string) response {
	cl.e.t.Helper()
	return cl.submit(prefix+"/connexion", prefix+"/connexion", url.Values{"identifiant": {email}, "mot_de_passe": {pw}})
}

func mustStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d (Location %q)\n%s", what, r.status, want, r.location, r.body)
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
