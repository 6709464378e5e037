package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"espacefamille/app/calendar"
)

// The caterer's file: previewed line by line with French errors and
// nothing written; confirmed only when every line reads; then the week
// shows it to staff, to families, and in the agenda, with the allergens
// pointed out for a child whose record has a PAI.
func TestMenusImportPreviewConfirmAndFamiliesSeeThem(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 2)
	admin := f.admin(t)
	createPrestation(t, f, admin, prestationForm(1, "REPAS", "2,50"))
	day := openDay(15)
	monday := day.Monday()

	bad := fmt.Sprintf("date;repas;plat;allergenes\n%s;Entrée;Radis beurre;lait\n%s;Soupe;Velouté;céleri\n%s;Plat;Lasagnes;chocolat\n", day.FR(), day.FR(), day.FR())
	admin.Get("/alpha/admin/menus")
	r := admin.Upload("/alpha/admin/menus/import", "fichier", "menus.csv", []byte(bad))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "2 ligne(s) en erreur", "repas « Soupe » inconnu", "allergène « chocolat » inconnu", "<td>3</td>")
	if strings.Contains(r.Body, "Confirmer l'import") {
		t.Fatal("a file with errors can be confirmed")
	}
	if n := f.count(t, "alpha", `SELECT COUNT(*) FROM menu_dishes`); n != 0 {
		t.Fatalf("the preview wrote %d dishes", n)
	}
	// Confirming a file with errors by hand is refused too.
	r = admin.Post("/alpha/admin/menus/import/confirmer", url.Values{"contenu": {bad}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "Rien n&#39;a été importé.")

	good := fmt.Sprintf("date;repas;plat;allergenes\n%s;Dessert;Crème brûlée;lait, œufs\n%s;Entrée;Radis beurre;lait\n%s;Plat;Poisson pané;poissons, gluten\n", day.FR(), day.FR(), day.FR())
	r = admin.Upload("/alpha/admin/menus/import", "fichier", "menus.csv", []byte(good))
	wantContains(t, r.Body, "3 plat(s) sur 1 jour(s)", "Confirmer l'import")
	r = admin.PostFollow("/alpha/admin/menus/import/confirmer", url.Values{"contenu": {good}})
	wantContains(t, r.Body, "3 plats publiés sur 1 jour(s).", "Radis beurre", "gluten, poissons")
	if n := f.count(t, "alpha", `SELECT COUNT(*) FROM menu_dishes WHERE day = ?`, day); n != 3 {
		t.Fatalf("%d dishes published, want 3", n)
	}
	// An agent reads the menus but cannot import.
	agent := f.agent(t)
	wantContains(t, agent.Get("/alpha/admin/menus?semaine="+monday.String()).Body, "Radis beurre")
	agent.Get("/alpha/admin/menus")
	wantStatus(t, agent.Upload("/alpha/admin/menus/import", "fichier", "menus.csv", []byte(good)), http.StatusForbidden)

	// A family without a PAI reads the allergens in words, not highlighted.
	parent := f.parent(t, "alpha", fams[0])
	page := parent.Get("/alpha/famille/menus?semaine=" + day.String()).Body
	wantContains(t, page, "Radis beurre", "(allergènes : lait)", "Crème brûlée")
	if strings.Contains(page, "menu-allergens-pai") || strings.Contains(page, "a un PAI") {
		t.Fatal("allergens highlighted for a family without a PAI")
	}
	// A child with a PAI: the day's allergens are pointed out, on the page
	// and in the agenda under the week.
	f.exec(t, "alpha", `UPDATE children SET pai = 1 WHERE id = ?`, kids[1])
	pai := f.parent(t, "alpha", fams[1])
	page = pai.Get("/alpha/famille/menus?semaine=" + day.String()).Body
	wantContains(t, page, "a un PAI", "menu-allergens-pai", "PAI : allergènes présents ce jour-là : gluten, œufs, poissons, lait.")
	ag := pai.agenda(1, kids[1], day).Body
	wantContains(t, ag, "Menus de la semaine — allergènes signalés (PAI)", "Poisson pané")

	wantContains(t, pai.Get("/alpha/famille").Body, "Menus de la cantine")

	// The commune hides its menus: neither the page, nor the agenda, nor
	// the family page's link shows them.
	admin.Get("/alpha/admin/menus")
	wantStatus(t, admin.Post("/alpha/admin/menus/parametres", url.Values{}), http.StatusSeeOther)
	wantContains(t, pai.Get("/alpha/famille/menus").Body, "ne publie pas les menus")
	if strings.Contains(pai.agenda(1, kids[1], day).Body, "Menus de la semaine") {
		t.Fatal("hidden menus still in the agenda")
	}
	if strings.Contains(pai.Get("/alpha/famille").Body, "Menus de la cantine") {
		t.Fatal("the family page still links to the hidden menus")
	}
}

// A day's form: one dish per line with its allergens; a wrong line keeps
// what was typed and writes nothing.
func TestMenuDayForm(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin(t)
	day := calendar.DateOf(2027, 3, 1)
	path := "/alpha/admin/menus/jour/" + day.String()
	wantContains(t, admin.Get(path).Body, "Allergènes du plat 1", "fruits à coque")
	form := url.Values{"plat-0-repas": {"plat"}, "plat-0-nom": {"Gratin dauphinois"}, "plat-0-allergene-06": {"1"},
		"plat-1-repas": {"soupe"}, "plat-1-nom": {"Velouté"}}
	r := admin.Post(path, form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "Menu non enregistré : le 01/03/2027, type de plat inconnu", "Gratin dauphinois")
	form.Set("plat-1-repas", "entree")
	r = admin.PostFollow(path, form)
	wantContains(t, r.Body, "Menu du 01/03/2027 enregistré.", "Velouté", "Gratin dauphinois", "(allergènes : lait)")
	if n := f.count(t, "alpha", `SELECT COUNT(*) FROM audit_log WHERE entity = 'menu'`); n != 1 {
		t.Fatalf("%d audit entries, want 1", n)
	}
}

// The back office's and the families' Menus pages show a week through one
// shared block: the same days, dishes and allergens, and the links to
// the weeks around on each page's own path; only an administrator gets a
// link to each day's form.
func TestBothMenusPagesShowTheWeeksDishes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, _ := seedServices(t, f, 1)
	admin := f.admin(t)
	day := calendar.DateOf(2027, 3, 2)
	monday := day.Monday()
	admin.Get("/alpha/admin/menus/jour/" + day.String())
	wantStatus(t, admin.Post("/alpha/admin/menus/jour/"+day.String(), url.Values{"plat-0-repas": {"plat"}, "plat-0-nom": {"Gratin dauphinois"},
		"plat-0-allergene-06": {"1"}, "plat-1-repas": {"dessert"}, "plat-1-nom": {"Compote"}}), http.StatusSeeOther)

	week := func(page string) string {
		t.Helper()
		start := strings.Index(page, `<h2>Semaine du `)
		end := strings.Index(page[max(start, 0):], "</div>")
		if start < 0 || end < 0 {
			t.Fatalf("no week block:\n%s", page)
		}
		return page[start : start+end]
	}
	q := "?semaine=" + day.String()
	family := f.parent(t, "alpha", fams[0])
	pages := map[string]string{}
	for path, c := range map[string]*client{"/alpha/admin/menus": admin, "/alpha/famille/menus": family} {
		pages[path] = c.Get(path + q).Body
		wantContains(t, pages[path], `href="`+path+`?semaine=`+monday.AddDays(-7).String()+`">Semaine précédente`,
			`href="`+path+`?semaine=`+monday.AddDays(7).String()+`">Semaine suivante`)
	}
	staffWeek := week(f.agent(t).Get("/alpha/admin/menus" + q).Body)
	familyWeek, adminWeek := week(pages["/alpha/famille/menus"]), week(pages["/alpha/admin/menus"])
	for name, block := range map[string]string{"staff": staffWeek, "family": familyWeek, "admin": adminWeek} {
		wantContains(t, block, "Semaine du "+monday.FR(), "Gratin dauphinois", "(allergènes : lait)", "Compote",
			`id="menu-`+day.String()+`"`, "Menu non publié.")
		if name == "admin" {
			wantContains(t, block, `href="/alpha/admin/menus/jour/`+day.String()+`"`, "Modifier le menu du "+day.FR())
		} else if strings.Contains(block, "Modifier le menu") {
			t.Errorf("%s page links to the day's form:\n%s", name, block)
		}
	}
	if staffWeek != familyWeek {
		t.Errorf("the two pages show the week differently:\nstaff:\n%s\nfamily:\n%s", staffWeek, familyWeek)
	}
}
