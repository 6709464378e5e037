package platform_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/app/platform"
	"espacefamille/tenants"
)

func TestSuggestSlug(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Commune de Mazan", "mazan"},
		{"Commune de Saint-Étienne-les-Orgues", "saint-etienne-les-orgues"},
		{"Ville d'Évry", "evry"},
		{"  L'Isle-sur-la-Sorgue  ", "l-isle-sur-la-sorgue"},
		{"SIVOS des Trois Rivières", "sivos-des-trois-rivieres"},
	} {
		if got := platform.SuggestSlug(tc.name); got != tc.want {
			t.Errorf("SuggestSlug(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The provider onboards a collectivité with the default configuration:
// canteen régie in prépaiement on the simulator, the two meals at the
// price given, the zone's holidays, and its administrator invited at once.
func TestOnboardWithDefaults(t *testing.T) {
	env := apptest.New(t)
	c := enrol(t, env).c
	c.Get("/plateforme/communes/nouvelle")
	r := c.Post("/plateforme/communes/nouvelle", url.Values{"name": {"Commune de Mazan"}, "slug": {""}, "hosts": {"famille.mazan.example"},
		"zone": {"B"}, "admin_email": {"Mairie@Mazan.example"}, "start": {"defaults"}, "meal_price": {"3,10"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("onboard: %d\n%s", r.Status, r.Body)
	}
	list := c.Get("/plateforme/")
	if !strings.Contains(list.Body, "La collectivité Commune de Mazan est créée (mazan). Invitation envoyée à mairie@mazan.example") {
		t.Fatalf("no confirmation in the list:\n%s", list.Body)
	}
	for q, want := range map[string]int64{
		`SELECT count(*) FROM regies WHERE mode = 'prepaid' AND payment_provider = 'simulator'`:                               1,
		`SELECT count(*) FROM prestations WHERE name IN ('REPAS CLASSIQUE ENFANT', 'REPAS VEGETARIEN') AND price_cents = 310`: 2,
		`SELECT count(*) FROM staff WHERE email = 'mairie@mazan.example' AND role = 'admin'`:                                  1,
		`SELECT count(*) FROM staff_tokens`: 1,
		`SELECT count(*) FROM outbox WHERE kind = 'staff_invitation' AND to_addr = 'mairie@mazan.example'`: 1,
		`SELECT count(*) FROM families`: 0,
	} {
		if got := env.Int("mazan", q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	if n := env.Int("mazan", `SELECT count(*) FROM school_holidays WHERE zone = 'B'`); n == 0 {
		t.Error("no school holidays of zone B")
	}
	// The commune works at once, at its own host name.
	if r := env.Client(t, apptest.OnHost("famille.mazan.example")).Get("/"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Commune de Mazan") {
		t.Errorf("new commune's home page: %d", r.Status)
	}
	if r := c.Get("/plateforme/journal"); !strings.Contains(r.Body, "collectivité créée") || !strings.Contains(r.Body, providerEmail) {
		t.Errorf("audit log does not show the creation:\n%s", r.Body)
	}
	// The invitation can be sent again.
	c.Get("/plateforme/")
	if r := c.Post("/plateforme/communes/mazan/invitation", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("re-send invitation: %d", r.Status)
	}
	if got := env.Int("mazan", `SELECT count(*) FROM outbox WHERE kind = 'staff_invitation'`); got != 2 {
		t.Errorf("invitations queued = %d, want 2", got)
	}

	// Bad input: French messages beside the fields, nothing created.
	c.Get("/plateforme/communes/nouvelle")
	r = c.Post("/plateforme/communes/nouvelle", url.Values{"name": {"Commune de Mazan"}, "zone": {"B"},
		"admin_email": {"pas-une-adresse"}, "start": {"defaults"}, "meal_price": {""}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d", r.Status)
	}
	for _, want := range []string{"Saisissez l&#39;adresse email du premier administrateur.", "Saisissez le prix d&#39;un repas", `value="Commune de Mazan"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("bad form page lacks %q", want)
		}
	}
	r = c.Post("/plateforme/communes/nouvelle", url.Values{"name": {"Autre"}, "slug": {"mazan"}, "zone": {"B"},
		"admin_email": {"a@b.example"}, "start": {"defaults"}, "meal_price": {"3"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Une commune utilise déjà cet identifiant.") {
		t.Errorf("duplicate slug: %d", r.Status)
	}
}

// Onboarding by copying Malemort's configuration brings its régies,
// prestations, price grids and calendar, never its families, staff or
// money; payments start on the simulator.
func TestOnboardByCopyingAnotherCommune(t *testing.T) {
	env := apptest.New(t)
	env.Exec(demo.Slug, `UPDATE regies SET payment_provider = 'payfip' WHERE id = 1`)
	env.Exec(demo.Slug, `INSERT INTO closures (day, reason, created_at) VALUES ('2030-05-02', 'Pont', '2026-01-01T00:00:00Z')`)
	c := enrol(t, env).c
	c.Get("/plateforme/communes/nouvelle")
	r := c.Post("/plateforme/communes/nouvelle", url.Values{"name": {"Commune de Venasque"}, "zone": {"B"},
		"admin_email": {"dgs@venasque.example"}, "start": {"copy"}, "copy_from": {demo.Slug}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("onboard by copy: %d\n%s", r.Status, r.Body)
	}
	for _, table := range []string{"regies", "prestations", "price_brackets", "school_holidays", "closures", "schools"} {
		q := `SELECT count(*) FROM ` + table
		if src, got := env.Int(demo.Slug, q), env.Int("venasque", q); got != src {
			t.Errorf("%s: %d rows copied, source has %d", table, got, src)
		}
	}
	if got := env.Int("venasque", `SELECT count(*) FROM regies`); got == 0 {
		t.Fatal("no régie copied")
	}
	if src, got := env.Text(demo.Slug, `SELECT group_concat(name || price_cents || booking_deadline, '|') FROM prestations ORDER BY id`),
		env.Text("venasque", `SELECT group_concat(name || price_cents || booking_deadline, '|') FROM prestations ORDER BY id`); got != src {
		t.Errorf("prestations differ:\n got %s\nwant %s", got, src)
	}
	for q, want := range map[string]int64{
		`SELECT count(*) FROM regies WHERE payment_provider <> 'simulator'`: 0,
		`SELECT count(*) FROM regie_payment_settings`:                       0,
		`SELECT count(*) FROM families`:                                     0,
		`SELECT count(*) FROM adhesion_codes`:                               0,
		`SELECT count(*) FROM reservations`:                                 0,
		`SELECT count(*) FROM orders`:                                       0,
		`SELECT count(*) FROM invoices`:                                     0,
		`SELECT count(*) FROM staff`:                                        1,
		`SELECT count(*) FROM staff WHERE email = 'dgs@venasque.example'`:   1,
	} {
		if got := env.Int("venasque", q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	if r := c.Get("/plateforme/journal"); !strings.Contains(r.Body, "configuration copiée de "+demo.Slug) {
		t.Errorf("audit log does not name the copied commune")
	}
}

// A suspended commune answers a French 503 to its parents and its staff,
// and opens again on resume; the CSV lists its status.
func TestSuspendShows503ToEveryone(t *testing.T) {
	env := apptest.New(t)
	c := enrol(t, env).c
	staff := env.DemoAdmin(t)
	parent := env.Parent(t, demo.Slug, env.Demo().Family)
	c.Get("/plateforme/")
	if r := c.Post("/plateforme/communes/"+demo.Slug+"/suspendre", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("suspend: %d", r.Status)
	}
	if slices.Contains(env.Registry.Cache().Open(), demo.Slug) {
		t.Error("the suspended commune's database stays open: the jobs that visit open communes would still run for it")
	}
	for name, cl := range map[string]*apptest.Client{"parent": parent, "staff": staff} {
		for _, path := range []string{"/" + demo.Slug + "/", "/" + demo.Slug + "/admin/", "/" + demo.Slug + "/reservations"} {
			if r := cl.Get(path); r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "suspendu") {
				t.Errorf("%s GET %s while suspended: %d", name, path, r.Status)
			}
		}
	}
	csv := c.Get("/plateforme/communes.csv")
	if csv.Header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(csv.Body, "Nom;Identifiant;Noms d'hôte;Zone;Statut;") ||
		!strings.Contains(csv.Body, demo.Name+";"+demo.Slug+";;B;suspendue;") {
		t.Errorf("CSV while suspended:\n%s", csv.Body)
	}
	c.Get("/plateforme/")
	if r := c.Post("/plateforme/communes/"+demo.Slug+"/reprendre", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("resume: %d", r.Status)
	}
	if r := parent.Get("/" + demo.Slug + "/"); r.Status != http.StatusOK {
		t.Errorf("parent after resume: %d", r.Status)
	}
	if r := c.Get("/plateforme/journal"); !strings.Contains(r.Body, "commune suspendue") || !strings.Contains(r.Body, "commune rouverte") {
		t.Errorf("audit log lacks the suspension and the resumption")
	}
}

// Renaming from the commune's page changes what its pages show; an empty
// name is refused in French and changes nothing.
func TestRenameCommune(t *testing.T) {
	env := apptest.New(t)
	c := enrol(t, env).c
	page := c.Get("/plateforme/communes/" + demo.Slug)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "Version du schéma") {
		t.Fatalf("commune page: %d", page.Status)
	}
	if r := c.Post("/plateforme/communes/"+demo.Slug+"/nom", url.Values{"name": {"  "}}); r.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.Body, "Le nom de la commune est obligatoire") {
		t.Fatalf("empty name: %d", r.Status)
	}
	if r := c.Post("/plateforme/communes/"+demo.Slug+"/nom", url.Values{"name": {"Ville de Malemort-du-Comtat"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("rename: %d", r.Status)
	}
	if r := env.Client(t).Get("/" + demo.Slug + "/"); !strings.Contains(r.Body, "Ville de Malemort-du-Comtat") {
		t.Error("the commune's home page does not show the new name")
	}
	if r := c.Get("/plateforme/communes/" + demo.Slug); !strings.Contains(r.Body, "commune renommée") ||
		!strings.Contains(r.Body, demo.Name+" → Ville de Malemort-du-Comtat") {
		t.Errorf("the commune's log lacks the rename:\n%s", r.Body)
	}
	if r := c.Get("/plateforme/communes/inconnue"); r.Status != http.StatusNotFound {
		t.Errorf("unknown commune page: %d", r.Status)
	}
}

// Host names change from the commune's page: the commune answers at the
// new one at once and no longer at the old; a name another commune holds,
// the platform's own, or a malformed one is refused and changes nothing.
func TestChangeHostNames(t *testing.T) {
	env := apptest.New(t, apptest.PlatformHost("console.ef.example"),
		apptest.WithCommune(tenants.NewCommune{Slug: "mazan", Name: "Commune de Mazan", Hosts: []string{"famille.mazan.example"}}, nil))
	c := enrolOn(t, env, env.Client(t, apptest.OnHost("console.ef.example"), apptest.BrowserCookies())).c
	page := "/plateforme/communes/" + demo.Slug
	c.Get(page)
	for _, bad := range []struct{ hosts, want string }{
		{"famille.mazan.example", "Ce nom d&#39;hôte est déjà attribué à une commune : famille.mazan.example."},
		{"console.ef.example", "c&#39;est celui de la plateforme"},
		{"pas un hôte!", "Nom d&#39;hôte invalide"},
	} {
		if r := c.Post(page+"/hotes", url.Values{"hosts": {bad.hosts}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, bad.want) {
			t.Errorf("hosts %q: %d, want 422 and %q", bad.hosts, r.Status, bad.want)
		}
	}
	if r := c.Post(page+"/hotes", url.Values{"hosts": {"famille.malemort.example, www.malemort.example"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("set hosts: %d", r.Status)
	}
	if r := env.Client(t, apptest.OnHost("www.malemort.example")).Get("/connexion"); r.Status != http.StatusOK || !strings.Contains(r.Body, demo.Name) {
		t.Errorf("new host name: %d", r.Status)
	}
	c.Get(page)
	if r := c.Post(page+"/hotes", url.Values{"hosts": {""}}); r.Status != http.StatusSeeOther {
		t.Fatalf("clear hosts: %d", r.Status)
	}
	if r := env.Client(t, apptest.OnHost("www.malemort.example")).Get("/connexion"); r.Status != http.StatusNotFound {
		t.Errorf("a removed host name still reaches the commune's log-in: %d", r.Status)
	}
	if r := c.Get(page); !strings.Contains(r.Body, "noms d&#39;hôte changés") {
		t.Error("the commune's log lacks the change")
	}
}
