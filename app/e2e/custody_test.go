package e2e

import (
	"testing"

	"espacefamille/app/demo"
)

// "Ma semaine habituelle" (issue 14): the demo's Fille FAMILLE X has a
// usual week; one tap puts the next open week into the cart, the page
// lists what could not be booked and why, and the parent validates and
// pays as usual.
func TestUsualWeekBookedInOneTap(t *testing.T) {
	asNewParent(t, "habituelle", func(t *testing.T, h *Harness, tab *Tab, email string) {
		tab.Click("Mes réservations")
		tab.Click("Ma semaine habituelle")
		tab.See("Les jours habituels de Fille")
		tab.See("REPAS CLASSIQUE ENFANT")
		tab.Layout()
		tab.Shot("01-semaine-habituelle")
		tab.Click("Réserver la prochaine semaine ouverte")
		tab.See("ajoutée")
		tab.See("Total à payer")
		tab.Layout()
		tab.Shot("02-reservee")
		tab.Click("Valider")
		fillTestCard(tab, "4242 4242 4242 4242")
		tab.ClickSel(`button[value="payer"]`)
		tab.See("Le résumé de votre paiement")
		tab.Shot("03-payee")
	})
}

// Shared custody (issue 14): the demo's second guardian (FAMILLE Y, Lou's
// father) joins with his own account and code; he sees Lou only, books
// his even weeks, and sees the mother's weeks as "garde de l'autre
// parent", never her bookings or her other children.
func TestSecondGuardianSeesOnlyTheirDays(t *testing.T) {
	asDemoParent(t, "papa", demo.SecondGuardianCode, Sizes, func(t *testing.T, h *Harness, tab *Tab, email string) {
		tab.See("Lou FAMILLE X")
		tab.NotSee("Fille FAMILLE X")
		tab.Click("Lou FAMILLE X") // her record opens for her second household too
		if tab.Status() != 200 {
			t.Fatalf("Lou's page for her father: %d", tab.Status())
		}
		tab.Go(Commune + "/famille")
		tab.Click("Garde partagée")
		tab.See("Calendrier de garde")
		tab.See("vous")
		tab.See("l'autre parent")
		tab.Layout()
		tab.Shot("01-calendrier-de-garde")
		tab.Go(Commune + "/famille/reservations")
		tab.See("Vue Agenda – Lou FAMILLE X")
		tab.NotSee("Garçon FAMILLE X")
		tab.See("garde de l'autre parent")
		tab.Layout()
		tab.Shot("02-agenda-second-parent")
		// One of his days: it goes into his own cart.
		tab.ClickSel("td.cell.bookable button")
		tab.See("demande en cours")
		tab.See("Total à payer")
		tab.Shot("03-demande-du-second-parent")
	})
}
