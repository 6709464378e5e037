package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// upload chooses file (written in a temporary folder under name) in the
// page's file field and sends the form with button.
func upload(t *testing.T, tab *Tab, name, content, button string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	tab.Do(chromedp.SetUploadFiles("#fichier", []string{path}))
	tab.Click(button)
}

// The secretary's import preview says what confirming will do, in one
// summary: a file with nothing importable says so and announces nothing
// (it used to announce families, then say that no line could be
// imported), and a file with refused lines announces exactly what the
// finished import reports.
func TestAdminImportPreviewSaysWhatConfirmingDoes(t *testing.T) {
	t.Parallel()
	h := New(t)
	admin := h.Tab(t, Desktop)
	adminLogin(admin)
	admin.Go(Commune + "/admin/familles/import")
	admin.See("Importer des familles (CSV)")

	const head = "N° famille;Famille;Responsable nom;Enfant prénom;Enfant nom;Date de naissance\n"
	upload(t, admin, "erreurs.csv", head+
		"E1;FAMILLE ROUX;ROUX;Eva;ROUX;31/02/2019\n"+
		"E2;;;Max;NOIR;01/01/2018\n", "Voir l'aperçu")
	admin.See("2 ligne(s) lue(s), dont 2 en erreur (ignorées).")
	admin.See("Aucune ligne ne peut être importée")
	admin.NotSee("Si vous confirmez")
	admin.Shot("admin-import-rien-a-importer")

	upload(t, admin, "familles.csv", head+
		"R1;FAMILLE ROUX;ROUX;Eva;ROUX;01/03/2019\n"+
		"R1;FAMILLE ROUX;ROUX;Hugo;ROUX;31/02/2017\n"+
		"N1;FAMILLE NOIR;NOIR;Max;NOIR;01/01/2018\n"+
		"N1;FAMILLE NOIR;NOIR;Max;NOIR;01/01/2018\n", "Voir l'aperçu")
	admin.See("4 ligne(s) lue(s), dont 2 en erreur (ignorées). Si vous confirmez : 2 famille(s) créée(s), 0 mise(s) à jour ; 2 enfant(s) ajouté(s), 0 mis à jour ; 2 responsable(s) ajouté(s).")
	admin.Shot("admin-import-apercu")
	admin.Click("Confirmer l'import")
	const done = "Import terminé : 2 famille(s) créée(s), 0 mise(s) à jour ; 2 enfant(s) créé(s), 0 mis à jour ; 2 ligne(s) en erreur ignorée(s)."
	for deadline := time.Now().Add(time.Minute); ; {
		var finished bool
		admin.Eval(`!!document.getElementById('job-summary')`, &finished)
		if finished || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
		admin.Go(admin.Path())
	}
	admin.See(done)
	admin.Shot("admin-import-termine")
}
