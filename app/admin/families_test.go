package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"espacefamille/app/apptest"
)

func TestFamilyAndChildAreEditedAndAudited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	r := c.Post("/alpha/admin/familles", url.Values{"name": {"FAMILLE X"}, "email": {"x@example.org"}, "qf": {"650"},
		"qf_from": {"01/09/2025"}, "qf_until": {"31/08/2026"}})
	wantStatus(t, r, http.StatusSeeOther)
	famURL := strings.TrimPrefix(r.Location, "")
	r = c.Post(famURL+"/enfants", url.Values{"first_name": {"Fille"}, "last_name": {"FAMILLE X"}, "birth_date": {"28/11/2017"},
		"school": {"École du Centre"}, "class_name": {"CP"}, "pai": {"1"}, "diet": {"sans porc"}})
	wantStatus(t, r, http.StatusSeeOther)
	for _, tc := range []struct{ diet, want string }{
		{"halal", "sans mention religieuse"},
		{"Repas casher", "sans mention religieuse"},
		{"allergie arachide", "Aucune information médicale"},
	} {
		r = c.Post(famURL+"/enfants", url.Values{"first_name": {"Garçon"}, "last_name": {"FAMILLE X"}, "birth_date": {"01/02/2019"}, "diet": {tc.diet}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantContains(t, r.Body, tc.want)
	}
	r = c.Post(famURL+"/enfants", url.Values{"first_name": {"Garçon"}, "last_name": {"FAMILLE X"}, "birth_date": {"31/02/2019"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "JJ/MM/AAAA")
	r = c.Get(famURL)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "Fille FAMILLE X", "28/11/2017", "École du Centre", "650 du 01/09/2025 au 31/08/2026")

	r = c.Post(famURL, url.Values{"name": {"FAMILLE X"}, "email": {"nouvelle@example.org"}})
	wantStatus(t, r, http.StatusSeeOther)
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE entity = 'family' AND action = 'update'
		AND before LIKE '%x@example.org%' AND after LIKE '%nouvelle@example.org%' AND actor LIKE ?`, adminEmail+"%"); n != 1 {
		t.Fatalf("audit entries for the update = %d, want 1", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE entity = 'child' AND action = 'create'`); n != 1 {
		t.Fatalf("child audit entries = %d", n)
	}
	// Search by child, and by adhesion state.
	wantContains(t, c.Get("/alpha/admin/familles?q=fille").Body, "FAMILLE X")
	if strings.Contains(c.Get("/alpha/admin/familles?etat=liee").Body, ">FAMILLE X<") {
		t.Fatal("a family without account is listed as linked")
	}
	wantContains(t, c.Get("/alpha/admin/familles?etat=non-invitee").Body, ">FAMILLE X<")
}

func TestAdhesionCodesInvitationAndUnlink(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	r := c.Post("/alpha/admin/familles", url.Values{"name": {"FAMILLE X"}, "email": {"x@example.org"}})
	wantStatus(t, r, http.StatusSeeOther)
	fam := r.Location
	r = c.Post(fam+"/codes", url.Values{"label": {"Parent 1"}})
	wantStatus(t, r, http.StatusSeeOther)
	r = c.Get(fam)
	wantContains(t, r.Body, "Nouveau code d&#39;adhésion « Parent 1 »", "Parent 1", "Actif")
	r = c.Post(fam+"/invitation", nil)
	wantStatus(t, r, http.StatusSeeOther)
	if n := f.count(t, "alpha", `SELECT count(*) FROM outbox WHERE kind = 'invitation' AND to_addr = 'x@example.org'`); n != 1 {
		t.Fatalf("invitations queued = %d", n)
	}
	// A family without email: bulk invitation reports it and goes on.
	c.Post("/alpha/admin/familles", url.Values{"name": {"FAMILLE SANS MAIL"}})
	f.exec(t, "alpha", `INSERT INTO family_accounts (family_id, account_id, linked_at) SELECT id, 42, '2026-01-01T00:00:00Z' FROM families WHERE name = 'FAMILLE X'`)
	r = c.Post("/alpha/admin/familles/invitations", nil)
	wantStatus(t, r, http.StatusSeeOther)
	r = waitJob(t, c, r.Location)
	wantContains(t, r.Body, "0 invitation(s) envoyée(s) sur 1 famille(s)", "FAMILLE SANS MAIL", "pas d&#39;adresse email")
	wantContains(t, c.Get(fam).Body, "Délier ce compte")
	r = c.Post(fam+"/comptes/42/delier", nil)
	wantStatus(t, r, http.StatusSeeOther)
	if n := f.count(t, "alpha", `SELECT count(*) FROM family_accounts`); n != 0 {
		t.Fatal("the account is still linked")
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE action = 'unlink_account'`); n != 1 {
		t.Fatal("unlink not audited")
	}
}

// waitJob follows a background task's page until it has finished (a guard
// against a task that never ends, generous for -race on a busy machine).
func waitJob(t *testing.T, c *client, path string) apptest.Response {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		r := c.Get(path)
		wantStatus(t, r, http.StatusOK)
		if strings.Contains(r.Body, `id="job-summary"`) {
			return r
		}
		if time.Now().After(deadline) {
			t.Fatalf("job did not finish:\n%s", r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const importCSV = "Référence;Famille;Email;QF;Responsable nom;Responsable prénom;Enfant prénom;Enfant nom;Date de naissance;École;Classe;PAI;Panier repas;Régime\n" +
	"F001;FAMILLE HÉLÈNE;helene@example.org;820;HÉLÈNE;Zoé;Léa;HÉLÈNE;03/04/2016;École Sainte-Cécile;CE2;non;oui;sans porc\n" +
	"F001;FAMILLE HÉLÈNE;helene@example.org;820;HÉLÈNE;Zoé;Noël;HÉLÈNE;25/12/2018;École Sainte-Cécile;GS;oui;non;\n" +
	"F002;FAMILLE FRANÇOIS;;abc;;;Gaël;FRANÇOIS;12/13/2017;;;peut-être;;\n" +
	"F001;FAMILLE HÉLÈNE;helene@example.org;820;HÉLÈNE;Zoé;Léa;HÉLÈNE;03/04/2016;École Sainte-Cécile;CE2;non;oui;\n" +
	"F004;FAMILLE HALAL;;;;;Ali;HALAL;01/01/2018;;;;;halal\n" +
	"\"F003;FAMILLE CASSÉE;\n"

func TestCSVImportPreviewThenConfirmThenReimport(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	c.Get("/alpha/admin/familles/import")
	win, err := charmap.Windows1252.NewEncoder().String(importCSV)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Upload("/alpha/admin/familles/import", "fichier", "familles.csv", []byte(win))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body,
		"FAMILLE HÉLÈNE", "Léa HÉLÈNE", "Noël HÉLÈNE", // Windows-1252 accents decoded
		"Le quotient familial est un nombre positif, par exemple 523 ou 523,50.",
		"La date de naissance doit être au format JJ/MM/AAAA.",
		"PAI : « peut-être » n&#39;est ni oui ni non",
		"doublon : même enfant (prénom, nom, date de naissance) qu&#39;à la ligne 2",
		"sans mention religieuse",
		"1 famille(s) créée(s)", "2 enfant(s) ajouté(s)")
	if n := f.count(t, "alpha", `SELECT count(*) FROM families`); n != 0 {
		t.Fatalf("the preview wrote %d families", n)
	}
	r = c.Post(confirmPath(t, r.Body), nil)
	wantStatus(t, r, http.StatusSeeOther)
	r = waitJob(t, c, r.Location)
	wantContains(t, r.Body, "1 famille(s) créée(s)", "2 enfant(s) créé(s)")
	if n := f.count(t, "alpha", `SELECT count(*) FROM children WHERE family_id = (SELECT id FROM families WHERE external_ref = 'F001')`); n != 2 {
		t.Fatalf("children = %d", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM children WHERE first_name = 'Noël' AND pai = 1 AND home_basket = 0`); n != 1 {
		t.Fatal("Noël's flags are wrong")
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM guardians WHERE last_name = 'HÉLÈNE' AND first_name = 'Zoé'`); n != 1 {
		t.Fatalf("guardians = %d", n)
	}

	// Re-import, UTF-8 with BOM and commas, without reference: matched by
	// the child's name and birth date, updated, not duplicated.
	again := "\ufeffFamille,Enfant prénom,Enfant nom,Date de naissance,Classe\nFAMILLE HÉLÈNE,Léa,Hélène,03/04/2016,CM1\n"
	r = c.Upload("/alpha/admin/familles/import", "fichier", "maj.csv", []byte(again))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "famille mise à jour ; enfant mis à jour", "0 famille(s) créée(s), 1 mise(s) à jour")
	r = waitJob(t, c, c.Post(confirmPath(t, r.Body), nil).Location)
	if n := f.count(t, "alpha", `SELECT count(*) FROM families`); n != 1 {
		t.Fatalf("families after re-import = %d", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM children WHERE class_name = 'CM1' AND first_name = 'Léa'`); n != 1 {
		t.Fatal("the re-import did not update the class")
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE action = 'import'`); n != 2 {
		t.Fatalf("import audit entries = %d", n)
	}
}

func confirmPath(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `action="/alpha/admin/familles/import/`)
	if i < 0 {
		t.Fatalf("no confirmation form in\n%s", body)
	}
	rest := body[i+len(`action="`):]
	return rest[:strings.Index(rest, `"`)]
}
