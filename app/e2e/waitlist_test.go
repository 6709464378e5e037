package e2e

import (
	"fmt"
	"testing"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

// The waiting list (issue 14): the demo's outing has one place; Garçon
// books it; for Fille the day is then complet, one tap says why and
// offers the waiting list; she joins it, the agenda and "Liste d'attente"
// show her place in line, and the back office sees the day's list.
func TestJoiningAWaitingList(t *testing.T) {
	asNewParent(t, "parent.attente", func(t *testing.T, h *Harness, tab *Tab, email string) {
		tab.Click("Mes réservations")
		tab.Click("REGIE GARDERIE - post-paiement")
		day := demo.OutingDay(calendar.Today(time.Now()))
		// Garçon takes the outing's one place.
		tab.Click("Garçon FAMILLE X (28/11/2017 - Sans classe)")
		free := `button.cell-button[aria-label^="` + demo.OutingName + `, ` + day.FR() + `"]`
		findCell(t, tab, free)
		tab.ClickSel(free)
		tab.See("1 " + demo.OutingName)
		tab.Click("Valider")
		tab.See("1 demande(s) validée(s)")
		// For Fille the day is complet.
		tab.Click("Fille FAMILLE X (28/11/2017 - Sans classe)")
		const full = `td.cell.closed.full details.why > summary[title]`
		findCell(t, tab, full)
		tab.ClickSel(full)
		tab.See("Complet : toutes les places du")
		tab.Shot("01-complet")
		tab.Click("M'inscrire sur la liste d'attente")
		tab.See("est inscrit(e) sur la liste d'attente du " + day.FR() + " (1er sur la liste)")
		tab.Layout()
		tab.Shot("02-inscrite")
		tab.Click("Liste d'attente (1)")
		tab.See(demo.OutingName)
		tab.See("1er sur la liste")
		tab.Layout()
		tab.Shot("03-liste-attente")

		adminLogin(tab)
		tab.Click("Listes d'attente")
		tab.Go(Commune + "/admin/liste-attente?semaine=" + day.String())
		tab.See("Le " + day.FR())
		tab.See("Fille FAMILLE X")
		tab.See("Proposer une liste d'attente quand un jour est complet")
		tab.Layout()
		tab.Shot("04-mairie")
	})
}

// findCell pages the agenda forward until a cell matches css.
func findCell(t *testing.T, tab *Tab, css string) {
	t.Helper()
	for page := 0; ; page++ {
		var n int
		tab.Eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, css), &n)
		if n > 0 {
			return
		}
		if page == 3 {
			t.Fatalf("no cell %s in 16 weeks", css)
		}
		tab.Click("Suivant")
	}
}
