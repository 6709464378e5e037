package e2e

import "testing"

// Menus (issue 14): the demo publishes the week's menus; a parent reads
// them on the "Menus" page, with each dish's allergens in words, pointed
// out because the demo's Fille has a PAI, and under the week in the
// agenda, on a phone and on a desktop.
func TestMenusOfTheWeek(t *testing.T) {
	asNewParent(t, "parent.menus", func(t *testing.T, h *Harness, tab *Tab, email string) {
		tab.Click("Menus de la cantine")
		tab.See("Semaine du")
		tab.See("Carottes râpées vinaigrette")
		// The demo's Fille has a PAI: every day's allergens are pointed out.
		tab.See("Votre enfant Fille a un PAI")
		tab.See("Poisson pané ⚠ Allergènes : gluten, œufs, poissons")
		tab.See("PAI : allergènes présents ce jour-là")
		tab.Layout()
		tab.Shot("01-menus-semaine")
		tab.Click("Semaine suivante")
		tab.See("Salade de lentilles")

		tab.Click("Mes réservations")
		tab.Click("Menus de la semaine — allergènes signalés (PAI)")
		tab.See("Poisson pané")
		tab.Layout()
		tab.Shot("02-menus-agenda")

		// The back office's week, read by the staff.
		staff := tab
		adminLogin(staff)
		staff.Click("Menus")
		staff.See("Importer le fichier du prestataire")
		staff.See("Carottes râpées vinaigrette")
		staff.See("Importer le fichier du prestataire")
		staff.Layout()
		staff.Shot("03-menus-mairie")
		var rows int
		staff.Eval(`document.querySelectorAll('a[href*="/admin/menus/jour/"]').length`, &rows)
		if rows < 4 {
			t.Fatalf("%d days to edit, want the week's", rows)
		}
	})
}
