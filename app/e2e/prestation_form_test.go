package e2e

import (
	"strings"
	"testing"
)

// The back office's prestation form (issue 13): the QF price grid is rows
// of inputs, with "Ajouter une tranche" and "Retirer", a gap is explained
// next to its row, the single price may stay empty beside a grid, and the
// fields follow the prestation's kind. On a phone, a desktop, and a
// desktop without JavaScript; every page passes the general checks (no
// sideways scrolling, no word broken) and the accessibility basics.
func TestPrestationFormQFBracketRows(t *testing.T) {
	t.Parallel()
	h := New(t)
	for _, size := range []Size{Phone, Desktop, Desktop.WithoutJS()} {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			tab := h.Tab(t, size)
			adminLogin(tab)
			tab.Click("Services")
			tab.Click("Voir les prestations")
			tab.Click("Nouvelle prestation")
			tab.See("Tarif par tranche de quotient familial (QF)")
			tab.Shot("prestation-qf-01-nouvelle")

			name := "REPAS QF " + strings.ToUpper(strings.TrimSuffix(size.Name, "-nojs"))
			if size.NoScript {
				name += " SANS SCRIPT"
			}
			tab.Fill("Nom", name)
			tab.Fill("Régie", "REGIE CANTINE - prépaiement")
			tab.NotSee("Période du forfait") // a meal has no forfait period
			tab.Fill("Tranche 1 : au QF", "400")
			tab.Fill("Tranche 1 : prix (€)", "0,90")
			tab.Fill("Tranche 2 : au QF", "800")
			tab.Fill("Tranche 2 : prix (€)", "1,80")
			tab.Fill("Tranche 3 : prix (€)", "2,50")
			tab.Click("Ajouter une tranche")
			tab.See("Tranche 4")
			var kept string
			tab.Eval(`document.getElementById('qf_price_2').value + '|' + document.getElementById('qf_min_1').value`, &kept)
			if kept != "2,50|401" {
				t.Errorf("after adding a row the grid shows %q, want the typed price and the computed start", kept)
			}
			tab.Fill("Tranche 3 : au QF", "1200")
			tab.Fill("Tranche 4 : prix (€)", "3,20")
			tab.Fill("Tranche 2 : du QF", "450")
			tab.Click("Enregistrer")
			tab.See("Tranche 2 : il manque les QF de 401 à 449 entre la tranche 1 et celle-ci : commencez-la à 401.")
			tab.Shot("prestation-qf-02-trou")
			tab.A11y()

			tab.Fill("Tranche 2 : du QF", "401")
			tab.Click("Retirer la tranche 4")
			tab.NotSee("Tranche 4")
			tab.Fill("Tranche 3 : au QF", "")
			tab.Click("Enregistrer")
			tab.See("Prestation enregistrée")
			tab.See(name)
			tab.Shot("prestation-qf-03-liste")

			// A forfait shows its period, at once with a script, after
			// "Afficher les champs de ce type" without.
			tab.Click("Nouvelle prestation")
			tab.Fill("Type", "forfait (mois, période ou année)")
			if size.NoScript {
				tab.NotSee("Période du forfait")
				tab.Click("Afficher les champs de ce type")
			}
			tab.See("Période du forfait")
			if !size.NoScript {
				tab.NotSee("Afficher les champs de ce type") // the script shows the fields at once
			}
			tab.Fill("Type", "garderie ou activité à la séance")
			if size.NoScript {
				tab.Click("Afficher les champs de ce type")
			}
			tab.NotSee("Période du forfait")
			tab.NotSee("Groupe exclusif (même nom = un seul par jour)")
			tab.Shot("prestation-qf-04-seance")
		})
	}
}
