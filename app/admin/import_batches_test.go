package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"espacefamille/app/apptest"
	"espacefamille/tenants"
)

// familiesFile is a families CSV of n families with children children each
// (one line per child), all born on 01/09/2018 (the case that made the
// matching quadratic); with ref, each family has a reference "F000001".
func familiesFile(n, children int, ref bool) []byte {
	var b strings.Builder
	b.WriteString("N° famille;Famille;Email;QF;Responsable nom;Responsable prénom;Enfant prénom;Enfant nom;Date de naissance;École;Classe\n")
	for i := range n {
		r := ""
		if ref {
			r = fmt.Sprintf("F%06d", i)
		}
		name := fmt.Sprintf("FAMILLE %s", letters(i))
		for k := range children {
			fmt.Fprintf(&b, "%s;%s;;%d;%s;Parent;Enfant %s;%s;01/09/2018;École %d;CP\n", r, name, 300+i%900, name, letters(k), name, i%7)
		}
	}
	return []byte(b.String())
}

// letters spells i in letters (names must have one).
func letters(i int) string {
	s := ""
	for {
		s = string(rune('A'+i%26)) + s
		if i /= 26; i == 0 {
			return s
		}
	}
}

// An import is applied in batches, each all-or-nothing: when one fails,
// the batches before it stay, nothing of it is written, the import page
// offers to resume, and the resumed import writes each family once, even
// families that have neither reference nor email (the progress is kept
// with the batches, in the same transactions).
func TestImportStopsBetweenBatchesAndResumesOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	r := c.Upload("/alpha/admin/familles/import", "fichier", "familles.csv", familiesFile(1000, 1, false))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "1000 famille(s) créée(s)")
	confirm := confirmPath(t, r.Body)
	f.exec(t, "alpha", `CREATE TRIGGER stop_import BEFORE INSERT ON families WHEN NEW.name = 'FAMILLE `+letters(475)+`'
		BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
	r = waitJob(t, c, c.Post(confirm, nil).Location)
	wantContains(t, r.Body, "L&#39;import s&#39;est arrêté sur une erreur après 450 famille(s) sur 1000")
	if n := f.count(t, "alpha", `SELECT count(*) FROM families`); n != 450 {
		t.Fatalf("families after the failed batch = %d, want the 9 batches of 50 before it (450)", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM children`); n != 450 {
		t.Fatalf("children = %d, want 450", n)
	}
	f.exec(t, "alpha", `DROP TRIGGER stop_import`)
	page := c.Get("/alpha/admin/familles/import")
	wantContains(t, page.Body, "Imports interrompus", "« familles.csv » : 450 famille(s) sur 1000 enregistrée(s).", "Reprendre l'import")
	r = waitJob(t, c, c.Post(confirm, nil).Location)
	wantContains(t, r.Body, "Reprise de l&#39;import", "Import terminé : 1000 famille(s) créée(s)")
	if n := f.count(t, "alpha", `SELECT count(*) FROM families`); n != 1000 {
		t.Fatalf("families after resuming = %d, want 1000", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM (SELECT name FROM families GROUP BY name HAVING count(*) > 1)`); n != 0 {
		t.Fatalf("%d families written twice", n)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM import_previews`); n != 0 {
		t.Fatal("the finished import is still offered")
	}
	// Confirming again imports nothing.
	r = c.Post(confirm, nil)
	wantStatus(t, r, http.StatusGone)
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE action = 'import'`); n != 1 {
		t.Fatalf("import audit entries = %d, want 1", n)
	}
}

// At shutdown (serve's signal cancels the server's context) a running
// import stops at its next transaction, rolled back, says so, and the
// server's wait for background tasks returns.
func TestImportStopsCleanlyOnShutdown(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := apptest.New(t, apptest.WithoutDemo(), apptest.ServerContext(ctx),
		apptest.WithCommune(tenants.NewCommune{Slug: "alpha", Name: "Commune d'Alpha"}, seedStaff(adminEmail, "admin")))
	c := &client{Client: e.Client(t), t: t, f: &fixture{Env: e, reg: e.Registry}}
	c.login("alpha", adminEmail)
	r := c.Upload("/alpha/admin/familles/import", "fichier", "familles.csv", familiesFile(300, 1, true))
	wantStatus(t, r, http.StatusOK)
	cancel() // SIGTERM
	r = waitJob(t, c, c.Post(confirmPath(t, r.Body), nil).Location)
	wantContains(t, r.Body, "Import interrompu par l&#39;arrêt du serveur : 0 famille(s) sur 300 enregistrée(s)")
	if n := e.For(t).Count("alpha", `SELECT count(*) FROM families`); n != 0 {
		t.Fatalf("families written after the signal: %d", n)
	}
	if err := e.Server.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}
