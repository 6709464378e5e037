package admin_test

import (
	"net/http"
	"strings"
	"testing"
)

// Every column the import does not use is named in the preview, with the
// columns that repeat one already read.
func TestImportPreviewListsIgnoredColumns(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	// Column 6 has no title but data; column 8, Excel's trailing
	// separator, has neither: not worth a word.
	data := "N° famille;Famille;Email;Allergies;Courriel;;Observations;\nF1;MARTIN;m@example.org;arachide;autre@example.org;x;RAS;\n"
	r := c.Upload("/alpha/admin/familles/import", "fichier", "familles.csv", []byte(data))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "Colonnes ignorées", "<li>Allergies</li>", "<li>Courriel (en double)</li>", "<li>colonne 6 sans titre</li>",
		"<li>Observations</li>", "1 famille(s) créée(s)")
	if strings.Contains(r.Body, "<li>N° famille</li>") || strings.Contains(r.Body, "colonne 8") {
		t.Fatal("the family number column or an empty untitled column is listed as ignored")
	}
}

// Two MARTIN families without reference nor email used to become one
// family with both guardians and both children. Lines are one family only
// by reference or email; a name alone gives a note to decide on.
func TestImportNeverMergesFamiliesByNameAlone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	data := "Famille;Email;Responsable nom;Responsable prénom;Enfant prénom;Date de naissance\n" +
		"MARTIN;;MARTIN;Paul;Léa;03/04/2016\n" +
		"MARTIN;;MARTIN;Julie;Hugo;05/06/2017\n" +
		"DURAND;d@example.org;DURAND;Anne;Tom;01/02/2015\n" +
		"DURAND;D@example.org;DURAND;Marc;Zoé;01/02/2018\n"
	r := c.Upload("/alpha/admin/familles/import", "fichier", "familles.csv", []byte(data))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "3 famille(s) créée(s)", "même nom de famille qu&#39;à la ligne 2, sans la même référence ni le même email")
	r = waitJob(t, c, c.Post(confirmPath(t, r.Body), nil).Location)
	wantContains(t, r.Body, "3 famille(s) créée(s)")
	if n := f.count(t, "alpha", `SELECT count(*) FROM families WHERE name = 'MARTIN'`); n != 2 {
		t.Fatalf("MARTIN families = %d, want 2", n)
	}
	if n := f.count(t, "alpha", `SELECT count(DISTINCT family_id) FROM children WHERE first_name IN ('Léa', 'Hugo')`); n != 2 {
		t.Fatal("the two MARTIN children share a family")
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM children WHERE family_id = (SELECT id FROM families WHERE email = 'd@example.org')`); n != 2 {
		t.Fatal("the DURAND lines sharing an email are not one family")
	}

	// Against the commune's families: a MARTIN without email in a new file
	// is a new family, with a note naming the namesake; same email updates.
	data = "Famille;Email;Enfant prénom;Date de naissance\nMARTIN;;Jules;07/08/2019\nDURAND;d@example.org;Lou;09/10/2020\n"
	r = c.Upload("/alpha/admin/familles/import", "fichier", "familles.csv", []byte(data))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "1 famille(s) créée(s), 1 mise(s) à jour", "une famille du même nom existe déjà (n° ")
	waitJob(t, c, c.Post(confirmPath(t, r.Body), nil).Location)
	if n := f.count(t, "alpha", `SELECT count(*) FROM families WHERE name = 'MARTIN'`); n != 3 {
		t.Fatalf("MARTIN families = %d, want 3", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM children WHERE family_id = (SELECT id FROM families WHERE email = 'd@example.org')`); n != 3 {
		t.Fatal("the DURAND line was not matched by its email")
	}
}

// A QF with a decimal comma is accepted (rounded up: brackets are whole and
// inclusive), and Excel's lost leading zeros are put back, each reported.
func TestImportRepairsSpreadsheetValues(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	data := "Référence;Famille;QF;Code postal;Téléphone;Responsable nom;Responsable téléphone\n" +
		"F1;MARTIN;523,50;1000;612345678;MARTIN;712345678\n" +
		"F2;DURAND;1 204.00;84570;0612345678;;\n"
	r := c.Upload("/alpha/admin/familles/import", "fichier", "familles.csv", []byte(data))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "2 famille(s) créée(s)", "QF « 523,50 » compté 524",
		"code postal 1000 complété en 01000", "téléphone 612345678 complété en 0612345678", "téléphone 712345678 complété en 0712345678")
	if strings.Contains(r.Body, "Le quotient familial est un nombre") {
		t.Fatal("a decimal QF is refused")
	}
	waitJob(t, c, c.Post(confirmPath(t, r.Body), nil).Location)
	if n := f.count(t, "alpha", `SELECT count(*) FROM families WHERE external_ref = 'F1' AND qf_value = 524 AND postal_code = '01000' AND phone = '0612345678'`); n != 1 {
		t.Fatal("MARTIN's values were not repaired")
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM families WHERE external_ref = 'F2' AND qf_value = 1204`); n != 1 {
		t.Fatal("DURAND's QF")
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM guardians WHERE phone = '0712345678'`); n != 1 {
		t.Fatal("the guardian's phone was not repaired")
	}
}
