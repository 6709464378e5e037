package e2e

import (
	"fmt"
	"testing"
)

// familyFrame is where a family page puts its frame: the tabs and the
// page's title.
type familyFrame struct {
	Tabs     int     `json:"tabs"`     // tab links
	Lines    int     `json:"lines"`    // distinct lines the tabs sit on
	Right    float64 `json:"right"`    // right edge of the last tab
	TabsLeft float64 `json:"tabsLeft"` // left edge of the tabs' bar
	TabsTop  float64 `json:"tabsTop"`
	H1Left   float64 `json:"h1Left"`
}

const familyFrameJS = `(() => {
	const links = [...document.querySelectorAll('main .family-tabs .tabs a')];
	const rects = links.map(a => a.getBoundingClientRect());
	const bar = document.querySelector('main .family-tabs'), h1 = document.querySelector('main h1');
	return {
		tabs: links.length,
		lines: new Set(rects.map(r => Math.round(r.top))).size,
		right: rects.length ? Math.max(...rects.map(r => r.right)) : 0,
		tabsLeft: bar ? bar.getBoundingClientRect().left : -1,
		tabsTop: bar ? bar.getBoundingClientRect().top + scrollY : -1,
		h1Left: h1 ? h1.getBoundingClientRect().left : -1,
	};
})()`

// The family space keeps one frame (issue 13): on the phone the three tabs
// "Actualités | Mes réservations | Mes factures" fit on one line, and on
// every size each tab's pages put the tabs and the title at the same place
// (the reservations pages used to lose the page's margin on a desktop).
// "Vider" asks once before emptying the cart: a dialog with JavaScript, a
// page without.
func TestFamilyFrameAndClearCart(t *testing.T) {
	t.Parallel()
	for _, size := range []Size{Phone, Desktop, Desktop.WithoutJS()} {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			h := New(t) // one server per size: the family's code works once
			tab := h.Tab(t, size)
			signUpFamilyX(tab, h, "parent.cadre."+size.Name+"@example.org")

			var first familyFrame
			for i, step := range []struct{ click, see, shot string }{
				{"Actualités", "Mes enfants", "01-actualites"},
				{"Mes réservations", "Vue Agenda", "02-reservations-cantine"},
				{"REGIE GARDERIE - post-paiement", "Vue Agenda", "03-reservations-garderie"},
				{"Réserver en Vue Période", "Pour la période du", "04-vue-periode"},
				{"Mes factures", "Factures en cours", "05-factures"},
			} {
				tab.Click(step.click)
				tab.See(step.see)
				tab.Shot(step.shot)
				var f familyFrame
				tab.Eval(familyFrameJS, &f)
				if f.Tabs != 3 || f.Lines != 1 || f.Right > float64(size.Width) {
					t.Errorf("%s: the tabs are not on one line inside the window: %+v", step.click, f)
				}
				if i == 0 {
					first = f
					continue
				}
				if f.TabsLeft != first.TabsLeft || f.TabsTop != first.TabsTop || f.H1Left != first.H1Left {
					t.Errorf("%s: the frame moved: tabs at (%v, %v), title at x=%v; on Actualités (%v, %v), x=%v",
						step.click, f.TabsLeft, f.TabsTop, f.H1Left, first.TabsLeft, first.TabsTop, first.H1Left)
				}
			}
			if size == Desktop && first.H1Left < 100 {
				t.Errorf("on a desktop the title starts at x=%v: the page lost its margin", first.H1Left)
			}

			// A demande en cours in the canteen's cart, then "Vider".
			tab.Click("Mes réservations")
			const free = `button.cell-button[aria-label^="REPAS CLASSIQUE ENFANT,"][aria-label$=": réservable"]`
			for page := 0; ; page++ {
				var n int
				tab.Eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, free), &n)
				if n > 0 {
					break
				}
				if page == 3 {
					t.Fatal("no réservable cell in 16 weeks")
				}
				tab.Click("Suivant")
			}
			tab.ClickSel(free)
			tab.See("Total à payer : 2,55 €")

			tab.Click("Vider")
			tab.See("Vider le panier ?")
			tab.See("Vos demandes validées ne changent pas.")
			if size.NoScript {
				if got := tab.Title(); got != "Vider le panier – Commune de Malemort du Comtat" {
					t.Errorf("without JavaScript, Vider opens %q", got)
				}
			} else {
				var modal bool
				tab.Eval(`document.querySelector('dialog#vider-dialogue').matches(':modal')`, &modal)
				if !modal {
					t.Error("with JavaScript, Vider does not open the dialog")
				}
			}
			tab.Shot("06-vider-confirmation")
			tab.Click("Non, garder mon panier")
			tab.NotSee("Vider le panier ?")
			tab.See("Total à payer : 2,55 €")

			tab.Click("Vider")
			tab.Click("Oui, vider le panier")
			tab.See("Panier vidé (1 demande(s) retirée(s)).")
			tab.See("Votre panier est vide.")
			tab.Shot("07-panier-vide")
		})
	}
}
