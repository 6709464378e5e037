package admin_test

import (
	"net/http"
	"regexp"
	"slices"
	"testing"
)

// previewCounts and importCounts read the figures the preview announces
// and those the finished import reports.
var (
	previewCounts = regexp.MustCompile(`(\d+) ligne\(s\) lue\(s\), dont (\d+) en erreur \(ignorées\)\.\s*Si vous confirmez : (\d+) famille\(s\) créée\(s\), (\d+) mise\(s\) à jour ; (\d+) enfant\(s\) ajouté\(s\), (\d+) mis à jour`)
	importCounts  = regexp.MustCompile(`(\d+) famille\(s\) créée\(s\), (\d+) mise\(s\) à jour ; (\d+) enfant\(s\) créé\(s\), (\d+) mis à jour ; (\d+) ligne\(s\) en erreur ignorée\(s\)`)
)

// The commune's FAMILLE MARTIN (reference M1) has Léo, born 01/02/2018.
func seedMartin(t *testing.T, f *fixture) {
	f.exec(t, "alpha", `INSERT INTO families (id, name, external_ref, created_at) VALUES (1, 'FAMILLE MARTIN', 'M1', '2026-09-01T08:00:00Z')`)
	f.exec(t, "alpha", `INSERT INTO children (family_id, first_name, last_name, birth_date, created_at)
		VALUES (1, 'Léo', 'MARTIN', '2018-02-01', '2026-09-01T08:00:00Z')`)
}

// The preview contradicted itself: "4 en erreur … si vous confirmez :
// 2 famille(s) créée(s)", then "Aucune ligne ne peut être importée"; and
// confirming created the family of a refused line. Now its figures are
// what the confirmed import reports, and a file with nothing to import
// announces nothing.
func TestImportPreviewFiguresAreWhatConfirmingDoes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seedMartin(t, f)
	c := f.admin(t)
	c.Get("/alpha/admin/familles/import")

	nothing := "N° famille;Famille;Responsable nom;Enfant prénom;Enfant nom;Date de naissance\n" +
		"B1;FAMILLE BRUN;BRUN;Léo;MARTIN;01/02/2018\n" +
		"B1;FAMILLE BRUN;BRUN;Léo;MARTIN;01/02/2018\n" +
		"B2;FAMILLE NOIR;;Max;NOIR;31/02/2017\n" +
		"B3;;;Eva;ROUX;01/01/2019\n"
	r := c.Upload("/alpha/admin/familles/import", "fichier", "rien.csv", []byte(nothing))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "4 ligne(s) lue(s), dont 4 en erreur (ignorées).", "Aucune ligne ne peut être importée",
		"cet enfant est déjà inscrit dans une autre famille (n° 1)")
	if previewCounts.MatchString(r.Body) {
		t.Fatalf("a file with nothing to import announces what confirming would do:\n%s", r.Body)
	}

	mixed := "N° famille;Famille;Responsable nom;Responsable prénom;Enfant prénom;Enfant nom;Date de naissance\n" +
		"C1;FAMILLE BLANC;BLANC;Marc;Léo;MARTIN;01/02/2018\n" +
		"C1;FAMILLE BLANC;BLANC;Julie;Lou;BLANC;05/06/2019\n" +
		"C2;FAMILLE VERT;VERT;Luc;Tom;VERT;13/13/2019\n" +
		"M1;FAMILLE MARTIN;MARTIN;Jean;Mia;MARTIN;07/08/2020\n" +
		"B1;FAMILLE BRUN;BRUN;Paul;Léo;MARTIN;01/02/2018\n"
	r = c.Upload("/alpha/admin/familles/import", "fichier", "familles.csv", []byte(mixed))
	wantStatus(t, r, http.StatusOK)
	m := previewCounts.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no figures in the preview:\n%s", r.Body)
	}
	// rows, refused, families created, updated, children added, updated
	if got, want := m[1:], []string{"5", "3", "1", "1", "2", "0"}; !slices.Equal(got, want) {
		t.Fatalf("preview figures %v, want %v", got, want)
	}
	wantContains(t, r.Body, "2 responsable(s) ajouté(s)")
	r = waitJob(t, c, c.Post(confirmPath(t, r.Body), nil).Location)
	done := importCounts.FindStringSubmatch(r.Body)
	if done == nil {
		t.Fatalf("no figures in the import's summary:\n%s", r.Body)
	}
	// created, updated, children created, updated, refused lines
	if got, want := done[1:], []string{m[3], m[4], m[5], m[6], m[2]}; !slices.Equal(got, want) {
		t.Fatalf("the import did %v, the preview announced %v", got, want)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM families`); n != 2 {
		t.Fatalf("families = %d, want MARTIN and BLANC only", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM guardians`); n != 2 {
		t.Fatalf("guardians = %d, want Julie BLANC and Jean MARTIN (Marc's line was refused)", n)
	}
}
