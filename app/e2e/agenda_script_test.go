package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
)

// waitTrue polls a JavaScript expression until it is true, failing the
// test with what lastly read after the tab's timeout.
func waitTrue(tab *Tab, what, expr string) {
	tab.t.Helper()
	deadline := time.Now().Add(tab.timeout)
	for {
		var ok bool
		if err := tab.evalErr("!!("+expr+")", &ok); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			tab.fail(what, fmt.Errorf("still false: %s", expr))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The agenda's small script (templates/static/agenda.js): with it, a
// click on a cell updates the cell and the cart in place (no navigation:
// a marker set in the page survives), keyboard focus stays on the cell and
// the change is announced; without it, the same click is a plain form
// post that works as well.
func TestAgendaScript(t *testing.T) {
	t.Parallel()
	for _, size := range []Size{Desktop, Phone, Desktop.WithoutJS()} {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			h := New(t) // one server per size: the family's code works once
			tab := h.Tab(t, size)
			signUpFamilyX(tab, h, "parent.agenda-js."+size.Name+"@example.org")
			tab.Click("Mes réservations")
			tab.See("Vue Agenda")
			if got, want := tab.ScriptsEnabled(), !size.NoScript; got != want {
				t.Fatalf("ScriptsEnabled() = %v, want %v", got, want)
			}

			// The first réservable classic meal, within a few pages (the
			// demo is seeded relative to today, maybe in the holidays).
			const free = `button.cell-button[aria-label^="REPAS CLASSIQUE ENFANT,"][aria-label$=": réservable"]`
			var label string
			for page := 0; ; page++ {
				tab.Eval(fmt.Sprintf(`(document.querySelector(%q) || {getAttribute: () => ""}).getAttribute("aria-label")`, free), &label)
				if label != "" {
					break
				}
				if page == 3 {
					t.Fatal("no réservable REPAS CLASSIQUE ENFANT in 16 weeks")
				}
				tab.Click("Suivant")
			}
			pending := strings.TrimSuffix(label, "réservable") + "demande en cours"
			cell := func(l string) string {
				return fmt.Sprintf(`document.querySelector('button.cell-button[aria-label=%q]')`, l)
			}
			tab.Eval(`window.agendaMarker = "même page"; true`, nil)

			// Book with the keyboard on the desktop (focus, Enter), by a
			// tap on the phone.
			click := func(l string) {
				t.Helper()
				if size.Mobile {
					tab.ClickSel(fmt.Sprintf(`button.cell-button[aria-label=%q]`, l))
					return
				}
				tab.Eval(cell(l)+`.focus(); true`, nil)
				if tab.Focused() == "" {
					t.Fatalf("could not focus %q", l)
				}
				tab.Press(kb.Enter)
			}
			click(label)
			tab.See("1 REPAS CLASSIQUE ENFANT")
			tab.See("Total à payer : 2,55 €")
			waitTrue(tab, "the cell shows « demande en cours »", cell(pending))
			tab.Shot("01-demande-en-cours")

			var marker string
			tab.Eval(`window.agendaMarker || "rechargée"`, &marker)
			if size.NoScript {
				if marker != "rechargée" {
					t.Errorf("without JavaScript the click should be a plain post (a new page), marker %q", marker)
				}
				return
			}
			if marker != "même page" {
				t.Fatalf("the click navigated (marker %q): the script did not take it", marker)
			}
			var focused string
			tab.Eval(`document.activeElement && document.activeElement.getAttribute("aria-label")`, &focused)
			if !size.Mobile && focused != pending {
				t.Errorf("focus on %q, want the clicked cell %q", focused, pending)
			}
			var said string
			tab.Eval(`document.getElementById("agenda-annonce").textContent`, &said)
			if !strings.Contains(said, pending) || !strings.Contains(said, "Total à payer : 2,55 €") {
				t.Errorf("announced %q, want the cell's new state and the total", said)
			}

			// Again on the same cell: the demande leaves the cart, still
			// without navigation, focus still on the cell.
			click(pending)
			waitTrue(tab, "the cell is réservable again", cell(label))
			tab.See("Votre panier est vide")
			tab.Eval(`window.agendaMarker || "rechargée"`, &marker)
			tab.Eval(`document.activeElement && document.activeElement.getAttribute("aria-label")`, &focused)
			if marker != "même page" {
				t.Errorf("the second click navigated")
			}
			if !size.Mobile && focused != label {
				t.Errorf("focus on %q after the second click, want %q", focused, label)
			}
			tab.Shot("02-panier-vide")
		})
	}
}
