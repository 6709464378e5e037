package e2e

import "testing"

// "Pourquoi ce prix ?" (issue 14): beside a cart line, one tap opens the
// commune's grid and the price applied, without JavaScript too.
func TestPourquoiCePrixOnACartLine(t *testing.T) {
	t.Parallel()
	for _, size := range []Size{Phone, Desktop.WithoutJS()} {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			h := New(t)
			tab := h.Tab(t, size)
			signUpFamilyX(tab, h, "parent.prix."+size.Name+"@example.org")
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
}
