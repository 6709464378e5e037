package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

// The child's record (issue 14): a parent of the demo commune fills
// Garçon's record; an agent sees it waiting on the home page, validates
// it; the parent then sees it in force. Phone, desktop and desktop
// without JavaScript.
func TestChildRecordFilledByParentValidatedByAgent(t *testing.T) {
	asDemoParent(t, "fiche", demo.AdhesionCode, []Size{Phone, Desktop, Desktop.WithoutJS()}, func(t *testing.T, h *Harness, tab *Tab, email string) {
		tab.Click("Garçon FAMILLE X")
		tab.Click("Fiche de renseignements (santé, personnes autorisées, droit à l'image)")
		tab.See("n'a pas encore été validée par la mairie")
		tab.ClickSel(`input[name=allergies][value=non]`)
		tab.ClickSel(`input[name=pai][value=oui]`)
		tab.Fill("Si oui : date de fin de validité du PAI (JJ/MM/AAAA)", "31/08/2099")
		tab.Fill("Nom du médecin", "Dr Claire Martin")
		tab.Fill("Téléphone du médecin", "04 90 12 34 56")
		// The contact rows repeat their labels: set them by id, one action each.
		for id, v := range map[string]string{"pickup-1-name": "Jeanne FAMILLE X", "pickup-1-phone": "06 12 34 56 78",
			"pickup-1-relationship": "grand-mère", "emergency-1-name": "Y FAMILLE X",
			"emergency-1-phone": "12 34"} { // a wrong number first: the message beside the field
			tab.Do(chromedp.SetValue("#"+id, v))
		}
		tab.ClickSel(`input[name=image_rights][value=oui]`)
		tab.Layout()
		tab.Shot("01-fiche-formulaire")
		tab.Click("Envoyer à la mairie")
		tab.See("Indiquez un numéro de téléphone français (10 chiffres).")
		tab.Do(chromedp.SetValue(`#emergency-1-phone`, "06 98 76 54 32"))
		tab.Click("Envoyer à la mairie")
		tab.See("la mairie va vérifier vos modifications")
		tab.See("Modifications en attente de validation")
		tab.Layout()
		tab.Shot("02-fiche-en-attente")

		agent := h.Tab(t, tab.Size())
		adminLogin(agent)
		agent.Click("Fiches d'enfants à valider : 1")
		agent.See("Garçon FAMILLE X (première fiche)")
		agent.Click("Voir et valider la fiche de Garçon FAMILLE X")
		agent.See("Modification envoyée par la famille")
		agent.See("Jeanne FAMILLE X (grand-mère) – 06 12 34 56 78")
		agent.Layout()
		agent.Shot("03-agent-fiche")
		agent.Click("Valider la fiche")
		agent.See("Fiche validée : elle s'applique dès maintenant")
		agent.See("PAI pour le pointage et la cuisine : oui")
		agent.Go(Commune + "/admin/pointage")
		agent.See("Pointage")

		tab.Go(tab.Path())
		tab.See("Fiche validée par la mairie")
		tab.See("Oui, valable jusqu'au 31/08/2099")
		tab.NotSee("Modifications en attente de validation")
		tab.Shot("04-fiche-validee")
	})
}

// Absence and illness (issue 14): a parent of the demo commune declares
// Fille absent tomorrow from the agenda, reads the commune's rule first,
// sends a PDF certificate; the booking is cancelled and the mairie sees
// the absence with its certificate.
func TestAbsenceDeclaredWithCertificate(t *testing.T) {
	asDemoParent(t, "absence", demo.AdhesionCode, []Size{Phone, Desktop, Desktop.WithoutJS()}, func(t *testing.T, h *Harness, tab *Tab, email string) {
		tomorrow := calendar.Today(time.Now()).AddDays(1)
		bookFamilyX(t, h, tomorrow)

		tab.Go(Commune + "/famille/reservations")
		tab.Click("Fille FAMILLE X absent(e) aujourd'hui ou demain ? Signaler une absence")
		tab.See("La règle de la commune")
		tab.See("Jour de carence : le premier jour d'une absence n'est pas remboursé.")
		tab.See("Certificat médical obligatoire pour être remboursé")
		tab.ClickSel(`input[name=jour][value=demain]`)
		path := filepath.Join(t.TempDir(), "certificat.pdf")
		if err := os.WriteFile(path, []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		tab.Do(chromedp.SetUploadFiles("#certificat", []string{path}))
		tab.Layout()
		tab.Shot("01-absence-regle")
		tab.Click("Confirmer l'absence")
		tab.See("Absence de Fille enregistrée pour le " + tomorrow.FR())
		tab.See("Jour de carence (1e jour de l'absence) : il n'est pas remboursé.")
		tab.See("Voir le certificat")
		tab.Layout()
		tab.Shot("02-absence-enregistree")

		agent := h.Tab(t, tab.Size())
		adminLogin(agent)
		agent.Click("Absences")
		agent.See("Fille FAMILLE X")
		agent.See(tomorrow.FR())
		agent.See("REPAS CLASSIQUE ENFANT")
		agent.Layout()
		agent.Shot("03-agent-absences")
		agent.Go(Commune + "/admin/cuisine?jour=" + tomorrow.FR())
		agent.NotSee("REPAS CLASSIQUE ENFANT")
		agent.Go(Commune + "/admin/absences/regle")
		agent.See("Heure limite pour une absence le jour même")
		agent.Layout()
	})
}
