package e2e

import (
	"fmt"
	"testing"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

// The waiting list (issue 14): the demo's outing has one place, taken by
// Garçon; for Fille the day is complet, one tap says why and offers the
// waiting list; she joins it, the agenda and "Liste d'attente" show her
// place in line, and the back office sees the day's list.
func TestJoiningAWaitingList(t *testing.T) {
	t.Parallel()
	for _, size := range Sizes {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			h := New(t)
			tab := h.Tab(t, size)
			signUpFamilyX(tab, h, "parent.attente."+size.Name+"@example.org")
			tab.Click("Mes réservations")
			tab.Click("REGIE GARDERIE - post-paiement")
			day := demo.OutingDay(calendar.Today(time.Now()))
			const full = `td.cell.closed.full details.why > summary[title]`
			for page := 0; ; page++ {
				var n int
				tab.Eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, full), &n)
				if n > 0 {
					break
				}
				if page == 3 {
					t.Fatalf("no full day around %s", day.FR())
				}
				tab.Click("Suivant")
			}
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
}
