package e2e

import (
	"strings"
	"testing"
	"time"

	"espacefamille/app/calendar"
)

// The memento's "Réservations", "Vue Agenda" and "Vue Période" (issue 4):
// "Mes réservations", the service and the child, clicks on réservable
// meals for the daughter, then the Vue Période for both children, ending
// with the cart's "Total à payer".
func TestBookingAgendaAndPeriod(t *testing.T) {
	asNewParent(t, "parent.reservations", func(t *testing.T, _ *Harness, tab *Tab, _ string) {

		tab.Click("Mes réservations")
		tab.See("Sélectionnez le service / le site")
		tab.See("REGIE CANTINE - prépaiement")
		tab.See("Sélectionnez l'enfant")
		tab.See("Fille FAMILLE X (28/11/2017 - Sans classe)")
		tab.See("Garçon FAMILLE X (28/11/2017 - Sans classe)")
		tab.See("Vue Agenda")
		tab.See("Précédent | Aujourd'hui | Suivant")
		tab.See("Vous ne pouvez pas réserver des prestations hors des créneaux de temps prévus dans le règlement")
		tab.Shot("01-vue-agenda")

		// Three réservable meals for the daughter, one click each.
		free := `button.cell-button[aria-label^="REPAS CLASSIQUE ENFANT,"][aria-label$=": réservable"]`
		for i, want := range []string{"1 REPAS CLASSIQUE ENFANT", "2 REPAS CLASSIQUE ENFANT", "3 REPAS CLASSIQUE ENFANT"} {
			tab.ClickSel(free)
			tab.See(want)
			if i == 0 {
				tab.Shot("02-demande-en-cours")
			}
		}
		tab.See("Fille FAMILLE X")
		tab.See("Total à payer : 7,65 €")
		tab.Shot("03-panier-fille")

		// "Naviguer dans le temps".
		tab.Click("Suivant")
		tab.See("Semaine")
		tab.Click("Aujourd'hui")

		// The Vue Période, for both children at once.
		tab.Click("Garçon FAMILLE X (28/11/2017 - Sans classe)")
		tab.Click("Réserver en Vue Période")
		tab.See("Pour la période du")
		monday := calendar.Today(time.Now()).Monday().AddDays(14)
		tab.Fill("Pour la période du", monday.String())
		tab.Fill("au", monday.AddDays(11).String())
		tab.Check("L lundi (REPAS VEGETARIEN)")
		tab.Check("J jeudi (REPAS VEGETARIEN)")
		tab.Check("Fille FAMILLE X (28/11/2017 - Sans classe)")
		tab.Check("Garçon FAMILLE X (28/11/2017 - Sans classe)")
		tab.Shot("04-vue-periode")
		tab.Click("Valider")
		tab.See("ajoutée")
		tab.See("Total à payer")
		var total string
		tab.Eval(`document.querySelector('.cart .total').innerText`, &total)
		if !strings.HasPrefix(total, "Total à payer : ") || !strings.HasSuffix(total, "€") {
			t.Errorf("total %q", total)
		}
		tab.See("Garçon FAMILLE X")
		tab.Shot("05-periode-resultat")

		tab.Click("Retour à la Vue Agenda")
		tab.See("Total à payer")
		tab.Shot("06-agenda-panier")
	})
}
