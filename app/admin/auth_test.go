package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/tenants"
)

func TestLoginLogoutAndSessionRequired(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t)
	r := c.Get("/alpha/admin/familles")
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.HasSuffix(r.Location, "/alpha/admin/connexion") {
		t.Fatalf("redirect to %q", r.Location)
	}
	c.Get("/alpha/admin/connexion")
	r = c.Post("/alpha/admin/connexion", url.Values{"email": {adminEmail}, "password": {"mauvais mot de passe"}})
	wantStatus(t, r, http.StatusUnauthorized)
	wantContains(t, r.Body, "Adresse email ou mot de passe incorrect.")
	if c.Cookie("/", "ef_staff") != "" {
		t.Fatal("a failed log-in set a session cookie")
	}
	c.login("alpha", adminEmail)
	r = c.Get("/alpha/admin/familles")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "Familles", "Administrateur", "Portail des familles")
	if strings.Contains(r.Body, "Je me connecte") {
		t.Fatal("the back office's header offers the parents' log-in")
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM staff_sessions WHERE token_hash = ?`, c.Cookie("/", "ef_staff")); n != 0 {
		t.Fatal("the session token is stored in clear")
	}
	wantStatus(t, c.Post("/alpha/admin/deconnexion", nil), http.StatusSeeOther)
	wantStatus(t, c.Get("/alpha/admin/familles"), http.StatusSeeOther)
}

func TestLoginIsRateLimited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t)
	c.Get("/alpha/admin/connexion")
	for i := 0; i < 5; i++ {
		r := c.Post("/alpha/admin/connexion", url.Values{"email": {adminEmail}, "password": {"faux-mot-de-passe"}})
		wantStatus(t, r, http.StatusUnauthorized)
	}
	// Even the right password is refused while locked.
	r := c.Post("/alpha/admin/connexion", url.Values{"email": {adminEmail}, "password": {password}})
	wantStatus(t, r, http.StatusTooManyRequests)
	wantContains(t, r.Body, "Trop de tentatives")
}

func TestAgentCannotChangeConfiguration(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.agent(t)
	wantStatus(t, c.Get("/alpha/admin/familles"), http.StatusOK)
	wantStatus(t, c.Get("/alpha/admin/pointage"), http.StatusOK)
	for _, tc := range []struct{ method, path string }{
		{"POST", "/alpha/admin/familles"},
		{"GET", "/alpha/admin/familles/nouvelle"},
		{"POST", "/alpha/admin/regies"},
		{"POST", "/alpha/admin/prestations"},
		{"POST", "/alpha/admin/calendrier/fermetures"},
		{"POST", "/alpha/admin/actualites"},
		{"POST", "/alpha/admin/parametres"},
		{"POST", "/alpha/admin/agents"},
		{"GET", "/alpha/admin/journal"},
		{"GET", "/alpha/admin/finances"},
	} {
		var r apptest.Response
		if tc.method == "GET" {
			r = c.Get(tc.path)
		} else {
			r = c.Post(tc.path, url.Values{"name": {"FAMILLE PIRATE"}, "title": {"x"}})
		}
		if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "réservée aux administrateurs") {
			t.Errorf("%s %s: status %d, want a French 403", tc.method, tc.path, r.Status)
		}
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM families`); n != 0 {
		t.Fatalf("an agent created %d families", n)
	}
}

func TestStaffOfAHasNoAccessToB(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	token := c.Cookie("/", "ef_staff")
	// The cookie is scoped to /alpha/, but a forged request sends it anyway.
	r := c.Get("/beta/admin/familles")
	wantStatus(t, r, http.StatusSeeOther)
	if !strings.HasSuffix(r.Location, "/beta/admin/connexion") {
		t.Fatalf("redirect to %q", r.Location)
	}
	c.SetCookie("/", &http.Cookie{Name: "ef_staff", Value: token})
	c.Get("/beta/admin/connexion")
	r = c.Post("/beta/admin/connexion", url.Values{"email": {adminEmail}, "password": {password}})
	wantStatus(t, r, http.StatusUnauthorized)
	// And B's own administrator logs in on B only.
	b := f.client(t)
	b.login("beta", betaAdmin)
	wantStatus(t, b.Get("/beta/admin/familles"), http.StatusOK)
	r = b.Get("/alpha/admin/familles")
	wantStatus(t, r, http.StatusSeeOther)
}

var linkRE = regexp.MustCompile(`/alpha/admin/mot-de-passe/[A-Za-z0-9_-]{43}`)

func TestStaffInvitationSetsPasswordOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	r := c.Post("/alpha/admin/agents", url.Values{"email": {"Nouvel.Agent@alpha.example"}, "name": {"Nouvel Agent"}, "role": {"agent"}})
	wantStatus(t, r, http.StatusSeeOther)
	var body string
	err := f.reg.WithCommune(context.Background(), "alpha", func(db *tenants.DB) error {
		return db.R.QueryRow(`SELECT text_body FROM outbox WHERE kind = 'staff_invitation' AND to_addr = 'nouvel.agent@alpha.example'`).Scan(&body)
	})
	if err != nil {
		t.Fatal(err)
	}
	link := linkRE.FindString(body)
	if link == "" {
		t.Fatalf("no link in\n%s", body)
	}
	n := f.client(t)
	wantContains(t, n.Get(link).Body, "nouvel.agent@alpha.example")
	r = n.Post(link, url.Values{"password": {"court"}, "password_confirmation": {"court"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "au moins 12 caractères")
	r = n.Post(link, url.Values{"password": {"un mot de passe long"}, "password_confirmation": {"un mot de passe long"}})
	wantStatus(t, r, http.StatusSeeOther)
	wantStatus(t, n.Get(link), http.StatusNotFound)
	n.Get("/alpha/admin/connexion")
	r = n.Post("/alpha/admin/connexion", url.Values{"email": {"nouvel.agent@alpha.example"}, "password": {"un mot de passe long"}})
	wantStatus(t, r, http.StatusSeeOther)
	r = n.Get("/alpha/admin/")
	wantContains(t, r.Body, "Nouvel Agent – Agent")
	// The administrator reads the audit log of that change.
	r = c.Get("/alpha/admin/journal?objet=staff")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "Création de l&#39;agent n° ", "nouvel.agent@alpha.example", "Mot de passe choisi de l&#39;agent n° ", adminEmail)
}

// Issue 9 item 11: 20 wrong staff passwords sent at once used to get 15 ×
// 401 where the limit is 5. Counted atomically before the check (the
// parents' auth.Throttle), exactly 5 are checked.
func TestTwentyParallelWrongStaffPasswordsGetFiveChecks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	clients := make([]*client, 20)
	for i := range clients {
		clients[i] = f.client(t)
		clients[i].Get("/alpha/admin/connexion")
	}
	statuses := make([]int, 20)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = c.Post("/alpha/admin/connexion", url.Values{"email": {adminEmail}, "password": {"faux-mot-de-passe"}}).Status
		}()
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, s := range statuses {
		count[s]++
	}
	t.Logf("20 parallel wrong passwords: %d × 401, %d × 429", count[http.StatusUnauthorized], count[http.StatusTooManyRequests])
	if count[http.StatusUnauthorized] != 5 || count[http.StatusTooManyRequests] != 15 {
		t.Fatalf("statuses %v: want 5 × 401 and 15 × 429", count)
	}
	c := f.client(t)
	c.Get("/alpha/admin/connexion")
	wantStatus(t, c.Post("/alpha/admin/connexion", url.Values{"email": {adminEmail}, "password": {password}}), http.StatusTooManyRequests)
}

// A staff account from before argon2id logs in with its bcrypt hash,
// which is then replaced by an argon2id hash.
func TestStaffBcryptHashIsReplacedAtLogIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(t)
	c.login("alpha", adminEmail)
	if n := f.count(t, "alpha", `SELECT COUNT(*) FROM staff WHERE email = ? AND password_hash LIKE '$argon2id$%'`, adminEmail); n != 1 {
		t.Fatal("the bcrypt hash was not replaced at log-in")
	}
	c2 := f.client(t)
	c2.login("alpha", adminEmail)
}
