package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A calendar file that cannot be read gets a French message: our own row
// errors with their line, never the parser's English text.
func TestCalendarImportErrorsAreFrench(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin(t)
	header := "Description;Population;Date de début;Date de fin;Zones;annee_scolaire\n"
	for _, tc := range []struct {
		name, file string
		want       string
		leaks      []string
	}{
		{"bad date on a row", header + "Vacances de la Toussaint;-;pas une date;2030-11-04T00:00:00+01:00;Zone B;2030-2031\n",
			"ligne 2 : date de début invalide", []string{"(line", "invalid start date"}},
		{"no header", "bonjour\n", "la ligne d&#39;en-tête attendue est absente", []string{"missing or incomplete header", "colonne"}},
	} {
		r := admin.Upload("/alpha/admin/calendrier/import", "fichier", "calendrier.csv", []byte(tc.file))
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tc.name, r.Status)
		}
		if !strings.Contains(r.Body, tc.want) {
			t.Errorf("%s: page lacks %q", tc.name, tc.want)
		}
		for _, l := range tc.leaks {
			if strings.Contains(r.Body, l) {
				t.Errorf("%s: page shows internal text %q", tc.name, l)
			}
		}
	}
}

// An invoicing run that fails tells the administrator what to do; the
// database's error is logged, not shown.
func TestInvoicingFailureShowsNoInternalError(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.admin(t)
	f.exec(t, "alpha", `ALTER TABLE regies RENAME TO regies_gone`)
	r := admin.Post("/alpha/admin/finances/facturation", url.Values{"month": {"2020-03"}})
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "/admin/taches/") {
		t.Fatalf("run: %d %s", r.Status, r.Location)
	}
	path := r.Location
	if u, err := url.Parse(path); err == nil {
		path = u.Path
	}
	var page string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if page = admin.Get(path).Body; strings.Contains(page, "job-summary") {
			break
		}
	}
	if !strings.Contains(page, "relancez-la pour terminer") {
		t.Fatalf("no failure summary:\n%s", page)
	}
	for _, leak := range []string{"no such table", "regies_gone", "SQL", "booking:"} {
		if strings.Contains(page, leak) {
			t.Errorf("job page shows internal text %q", leak)
		}
	}
}
