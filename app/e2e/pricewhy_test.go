package e2e

import (
	"testing"

	"espacefamille/app/demo"
)

// "Pourquoi ce prix ?" (issue 14): beside a cart line, one tap opens the
// commune's grid and the price applied, without JavaScript too.
func TestPourquoiCePrixOnACartLine(t *testing.T) {
	asDemoParent(t, "parent.prix", demo.AdhesionCode, []Size{Phone, Desktop.WithoutJS()}, func(t *testing.T, h *Harness, tab *Tab, email string) {
		tab.Click("Mes réservations")
		tab.ClickSel(`button.cell-button[aria-label^="REPAS CLASSIQUE ENFANT,"][aria-label$=": réservable"]`)
		tab.See("1 REPAS CLASSIQUE ENFANT")
		tab.Click("Pourquoi ce prix ?")
		tab.See("Tarif unique de REPAS CLASSIQUE ENFANT")
		tab.See("(votre tarif)")
		tab.Layout()
		tab.Shot("01-pourquoi-ce-prix")
	})
}
