package platform_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/app/platform"
	"espacefamille/tenants"
)

const (
	providerEmail    = "ops@hebergeur.example"
	providerPassword = "une phrase de passe solide"
)

var (
	secretRE   = regexp.MustCompile(`<code>([A-Z2-7 ]{16,})</code>`)
	recoveryRE = regexp.MustCompile(`<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})</code></li>`)
)

// inviteProvider adds a provider administrator as the command line does
// and returns the path of their set-password link.
func inviteProvider(t testing.TB, env *apptest.Env, email string) string {
	t.Helper()
	inv, err := platform.Invite(context.Background(), env.Registry.Platform(), email, env.PublicURL, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(inv.Link)
	if err != nil || !strings.HasPrefix(u.Path, "/plateforme/mot-de-passe/") {
		t.Fatalf("link %q, %v", inv.Link, err)
	}
	return u.Path
}

// enrolledProvider is a provider administrator who chose a password and
// enrolled the second factor: its browser (full session), secret and
// recovery codes.
type enrolledProvider struct {
	c        *apptest.Client
	secret   string
	recovery []string
}

func enrol(t testing.TB, env *apptest.Env) enrolledProvider {
	t.Helper()
	return enrolOn(t, env, env.Client(t, apptest.BrowserCookies()))
}

// enrolOn is enrol in the browser c (on the platform host).
func enrolOn(t testing.TB, env *apptest.Env, c *apptest.Client) enrolledProvider {
	t.Helper()
	link := inviteProvider(t, env, providerEmail)
	if r := c.Get(link); r.Status != http.StatusOK || !strings.Contains(r.Body, providerEmail) {
		t.Fatalf("set-password page: %d %s", r.Status, r.Body)
	}
	r := c.Post(link, url.Values{"password": {providerPassword}, "password_confirmation": {providerPassword}})
	if r.Status != http.StatusSeeOther || r.Location != "/plateforme/connexion" {
		t.Fatalf("set password: %d → %q", r.Status, r.Location)
	}
	if r := c.Get(link); r.Status != http.StatusNotFound {
		t.Fatalf("a used link answered %d, want 404", r.Status)
	}
	c.Get("/plateforme/connexion")
	r = c.Post("/plateforme/connexion", url.Values{"email": {providerEmail}, "password": {providerPassword}})
	if r.Status != http.StatusSeeOther || r.Location != "/plateforme/double-authentification/activation" {
		t.Fatalf("first log-in: %d → %q, want the enrolment page", r.Status, r.Location)
	}
	// The password alone opens nothing.
	if r := c.Get("/plateforme/"); r.Status != http.StatusSeeOther || r.Location != "/plateforme/double-authentification" {
		t.Fatalf("console before the second factor: %d → %q", r.Status, r.Location)
	}
	page := c.Get("/plateforme/double-authentification/activation")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `src="data:image/png;base64,`) {
		t.Fatalf("enrolment page: %d, no QR code image:\n%s", page.Status, page.Body)
	}
	m := secretRE.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("no secret on the enrolment page:\n%s", page.Body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if r := c.Post("/plateforme/double-authentification/activation", url.Values{"code": {"000000"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong enrolment code: %d, want 422", r.Status)
	}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r = c.Post("/plateforme/double-authentification/activation", url.Values{"code": {code}})
	codes := recoveryRE.FindAllStringSubmatch(r.Body, -1)
	if r.Status != http.StatusOK || len(codes) != 10 {
		t.Fatalf("enrolment: %d with %d recovery codes, want 200 and 10:\n%s", r.Status, len(codes), r.Body)
	}
	ep := enrolledProvider{c: c, secret: secret}
	for _, m := range codes {
		ep.recovery = append(ep.recovery, m[1])
	}
	return ep
}

func TestProviderLogsInWithPasswordAndTOTP(t *testing.T) {
	env := apptest.New(t)
	ep := enrol(t, env)
	if r := ep.c.Get("/plateforme/"); r.Status != http.StatusOK || !strings.Contains(r.Body, demo.Name) {
		t.Fatalf("console after enrolment: %d\n%s", r.Status, r.Body)
	}
	// Recovery codes are stored hashed.
	stored := env.Text("", `SELECT string_agg(code_hash, ',') FROM provider_recovery_codes`)
	for _, code := range ep.recovery {
		if strings.Contains(stored, code) || strings.Contains(stored, strings.ReplaceAll(code, "-", "")) {
			t.Fatalf("recovery code %s stored in clear", code)
		}
	}

	login := func() *apptest.Client {
		c := env.Client(t, apptest.BrowserCookies())
		c.Get("/plateforme/connexion")
		r := c.Post("/plateforme/connexion", url.Values{"email": {providerEmail}, "password": {providerPassword}})
		if r.Status != http.StatusSeeOther || r.Location != "/plateforme/double-authentification" {
			t.Fatalf("log-in: %d → %q, want the second factor", r.Status, r.Location)
		}
		c.Get("/plateforme/double-authentification")
		return c
	}
	c := login()
	// The code used at enrolment is not accepted again (same time step).
	used, _ := totp.GenerateCode(ep.secret, time.Now())
	if r := c.Post("/plateforme/double-authentification", url.Values{"code": {used}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("replayed code: %d, want 401", r.Status)
	}
	next, _ := totp.GenerateCode(ep.secret, time.Now().Add(30*time.Second))
	if r := c.Post("/plateforme/double-authentification", url.Values{"code": {next}}); r.Status != http.StatusSeeOther || r.Location != "/plateforme/" {
		t.Fatalf("next code: %d → %q", r.Status, r.Location)
	}
	if r := c.Get("/plateforme/"); r.Status != http.StatusOK {
		t.Fatalf("console: %d", r.Status)
	}

	// A recovery code replaces the phone once.
	c = login()
	if r := c.Post("/plateforme/double-authentification", url.Values{"code": {strings.ToLower(ep.recovery[0])}}); r.Status != http.StatusSeeOther {
		t.Fatalf("recovery code: %d", r.Status)
	}
	c = login()
	if r := c.Post("/plateforme/double-authentification", url.Values{"code": {ep.recovery[0]}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("recovery code used twice: %d, want 401", r.Status)
	}

	// Wrong passwords are limited: the sixth attempt is refused even with
	// the right password.
	c = env.Client(t, apptest.BrowserCookies())
	c.Get("/plateforme/connexion")
	for i := range 5 {
		if r := c.Post("/plateforme/connexion", url.Values{"email": {providerEmail}, "password": {"mauvais"}}); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d, want 401", i+1, r.Status)
		}
	}
	if r := c.Post("/plateforme/connexion", url.Values{"email": {providerEmail}, "password": {providerPassword}}); r.Status != http.StatusTooManyRequests {
		t.Fatalf("sixth attempt: %d, want 429", r.Status)
	}
}

// Commune staff and parents have no way into the console: their sessions
// are not the console's, their passwords are not provider
// administrators', and the console does not exist on a commune's address.
func TestStaffAndParentsAreRefusedOnTheConsole(t *testing.T) {
	env := apptest.New(t)
	staff := env.DemoAdmin(t) // sends every cookie it holds, whatever its path
	parent := env.Parent(t, demo.Slug, env.Demo().Family)
	for name, c := range map[string]*apptest.Client{"staff": staff, "parent": parent} {
		for _, path := range []string{"/plateforme/", "/plateforme/communes.csv", "/plateforme/journal", "/plateforme/double-authentification"} {
			if r := c.Get(path); r.Status != http.StatusSeeOther || r.Location != "/plateforme/connexion" {
				t.Errorf("%s GET %s: %d → %q, want the console's log-in", name, path, r.Status, r.Location)
			}
		}
		if r := c.Post("/plateforme/communes/"+demo.Slug+"/suspendre", nil); r.Status == http.StatusSeeOther && r.Location != "/plateforme/connexion" {
			t.Errorf("%s suspended a commune: %d → %q", name, r.Status, r.Location)
		}
		if r := c.Get("/" + demo.Slug + "/plateforme/"); r.Status != http.StatusNotFound {
			t.Errorf("%s: the console under a commune answered %d, want 404", name, r.Status)
		}
	}
	c := env.Client(t, apptest.BrowserCookies())
	c.Get("/plateforme/connexion")
	if r := c.Post("/plateforme/connexion", url.Values{"email": {demo.AdminEmail}, "password": {demo.AdminPassword}}); r.Status != http.StatusUnauthorized {
		t.Errorf("staff credentials on the console: %d, want 401", r.Status)
	}
	if r := c.Post("/plateforme/connexion", url.Values{"email": {demo.FamilyEmail}, "password": {apptest.ParentPassword}}); r.Status != http.StatusUnauthorized {
		t.Errorf("parent credentials on the console: %d, want 401", r.Status)
	}
}

// With ESPACEFAMILLE_PLATFORM_HOST set, the console exists on that host
// only: any other host that is no commune's answers 404, and a commune's
// own host never reaches it.
func TestConsoleOnlyOnThePlatformHost(t *testing.T) {
	env := apptest.New(t, apptest.PlatformHost("console.ef.example"), apptest.WithoutDemo(),
		apptest.WithCommune(tenants.NewCommune{Slug: "mazan", Name: "Commune de Mazan", Hosts: []string{"famille.mazan.example"}}, nil))
	for _, tc := range []struct {
		host string
		want int
	}{{"console.ef.example", http.StatusOK}, {"node.example", http.StatusNotFound}, {"famille.mazan.example", http.StatusNotFound}} {
		if r := env.Client(t, apptest.OnHost(tc.host)).Get("/plateforme/connexion"); r.Status != tc.want {
			t.Errorf("GET %s/plateforme/connexion: %d, want %d", tc.host, r.Status, tc.want)
		}
	}
}

// Housekeeping deletes ended console sessions and keeps live ones.
func TestPurgeEndsOldSessionsOnly(t *testing.T) {
	env := apptest.New(t)
	ep := enrol(t, env)
	env.Exec("", `INSERT INTO provider_sessions (token_hash, admin_id, stage, created_at, last_seen_at, expires_at)
		SELECT 'ancienne', id, 'full', '2000-01-01T00:00:00.000000000Z', '2000-01-01T00:00:00.000000000Z', '2000-01-01T08:00:00.000000000Z' FROM provider_admins`)
	n, err := platform.PurgeExpired(context.Background(), env.Registry.Platform(), time.Now())
	if err != nil || n != 1 {
		t.Fatalf("purge: %d rows, %v; want the one ended session", n, err)
	}
	if got := env.Int("", `SELECT count(*) FROM provider_sessions WHERE token_hash = 'ancienne'`); got != 0 {
		t.Fatal("the ended session is still there")
	}
	if r := ep.c.Get("/plateforme/"); r.Status != http.StatusOK {
		t.Fatalf("live session after purge: %d", r.Status)
	}
}
