package e2e

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// box is an element's place in the window (getBoundingClientRect), its
// text, and whether the page shows it: what lies at its centre is itself
// (nothing covers it).
type box struct {
	Found   bool    `json:"found"`
	Top     float64 `json:"top"`
	Bottom  float64 `json:"bottom"`
	Left    float64 `json:"left"`
	Right   float64 `json:"right"`
	Text    string  `json:"text"`
	Visible bool    `json:"visible"`
}

// boxOf returns the box of the first element matching css.
func boxOf(tab *Tab, css string) box {
	tab.t.Helper()
	var b box
	tab.Eval(fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		if (!el) return {found: false};
		const r = el.getBoundingClientRect();
		const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
		return {found: true, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
			text: el.innerText.replace(/\s+/g, ' ').trim(), visible: r.height > 0 && !!hit && (el === hit || el.contains(hit))};
	})()`, jsString(css)), &b)
	return b
}

// inWindow reports whether b lies wholly inside a window of that size
// (to within a pixel: scrolling aligns on fractions of one).
func (b box) inWindow(size Size) bool {
	return b.Found && b.Top >= -1 && b.Left >= -1 && b.Bottom <= float64(size.Height)+1 && b.Right <= float64(size.Width)+1
}

// Issue 13, the agenda on a parent's phone (and the same page on a
// desktop, and without JavaScript):
//   - a day that cannot be booked says why with one tap (or Enter) on its
//     "–", right below the cell, with the rule that applies: the
//     garderie's forfait closes 7 days before the 1st of the month;
//   - a message about a tapped cell (here a meal replacing the other meal
//     of that day) shows beside that cell, both in the window at once;
//   - on the phone a compact cart bar stays at the bottom of the screen,
//     links to the full cart and, at the agenda's end, covers nothing.
func TestAgendaWhyFeedbackAndCartBar(t *testing.T) {
	t.Parallel()
	for _, size := range []Size{Phone, Desktop, Phone.WithoutJS()} {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			h := New(t) // one server per size: the family's code works once
			tab := h.Tab(t, size)
			signUpFamilyX(tab, h, "parent.agenda-telephone."+size.Name+"@example.org")
			tab.Click("Mes réservations")
			tab.See("Vue Agenda")

			// 1. Why: the garderie's forfait of a month already begun (or past).
			tab.Click("REGIE GARDERIE - post-paiement")
			const late = `td.cell.closed.deadline details.why > summary`
			for page := 0; ; page++ {
				var n int
				tab.Eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, late), &n)
				if n > 0 {
					break
				}
				if page == 3 {
					t.Fatal("no garderie day past its deadline in 16 weeks back")
				}
				tab.Click("Précédent")
			}
			var summaryText string
			tab.Eval(fmt.Sprintf(`document.querySelector(%q).textContent`, late), &summaryText)
			if !strings.Contains(summaryText, "GARDERIE MATIN ET SOIR, ") || !strings.Contains(summaryText, " : non réservable : délai dépassé") {
				t.Errorf("the closed cell reads %q to a screen reader", summaryText)
			}
			if size.Mobile {
				tab.ClickSel(late)
			} else { // the keyboard: focus the sign, Enter
				tab.Eval(fmt.Sprintf(`document.querySelector(%q).focus(); true`, late), nil)
				tab.Press(kb.Enter)
			}
			// It opens below its cell, within the window (a tap scrolls the
			// cell to the middle; with the keyboard, the script scrolls it in).
			waitTrue(tab, "the explanation opens in the window", `(w => w && w.getBoundingClientRect().bottom <= innerHeight + 1)(document.querySelector('details.why[open] .why-text'))`)
			why := boxOf(tab, `details.why[open] .why-text`)
			cell := boxOf(tab, `details.why[open] > summary`)
			if !why.inWindow(size) || !why.Visible {
				t.Errorf("the explanation is not wholly in the window: %+v", why)
			}
			if gap := why.Top - cell.Bottom; gap < -1 || gap > 24 {
				t.Errorf("the explanation is %v px from its cell", gap)
			}
			for _, want := range []string{"Trop tard : le forfait du ", "se réservait jusqu'au ", "Règle : réservation du forfait jusqu'à 7 jours avant le 1er du mois, 12h00."} {
				if !strings.Contains(why.Text, want) {
					t.Errorf("the explanation %q lacks %q", why.Text, want)
				}
			}
			tab.See("GARDERIE MATIN ET SOIR : Réservation du forfait jusqu'à 7 jours avant le 1er du mois, 12h00")
			tab.Shot("01-pourquoi-non-reservable")
			// Another closed cell: the first one closes (one open at a time).
			var open int
			tab.Eval(`(() => { const s = [...document.querySelectorAll('details.why:not([open]) > summary')][0]; s.click(); return document.querySelectorAll('details.why[open]').length; })()`, &open)
			if open != 1 {
				t.Errorf("%d explanations open at once", open)
			}

			// 2. Feedback where the finger is: a classic meal, then the
			// vegetarian meal of the same day replaces it.
			tab.Click("REGIE CANTINE - prépaiement")
			tab.Click("Aujourd'hui")
			const free = `button.cell-button[aria-label^="REPAS CLASSIQUE ENFANT,"][aria-label$=": réservable"]`
			var label string
			for page := 0; ; page++ {
				tab.Eval(fmt.Sprintf(`(document.querySelector(%q) || {ariaLabel: ""}).ariaLabel`, free), &label)
				if label != "" {
					break
				}
				if page == 3 {
					t.Fatal("no réservable REPAS CLASSIQUE ENFANT in 16 weeks")
				}
				tab.Click("Suivant")
			}
			day := strings.TrimSuffix(strings.TrimPrefix(label, "REPAS CLASSIQUE ENFANT, "), " : réservable")
			if !size.Mobile {
				if bar := boxOf(tab, "#panier-resume"); bar.Found && bar.Visible {
					t.Error("the compact cart bar shows on a desktop, beside the full cart")
				}
			}
			tab.ClickSel(free)
			tab.See("1 REPAS CLASSIQUE ENFANT")
			if size.Mobile {
				tab.See("Panier : 1 prestation – 2,55 € · Voir / Valider")
			}
			vege := fmt.Sprintf(`button.cell-button[aria-label=%q]`, "REPAS VEGETARIEN, "+day+" : réservable")
			tab.ClickSel(vege)
			message := "Un seul choix par jour : REPAS CLASSIQUE ENFANT du " + day + " est remplacé par REPAS VEGETARIEN."
			tab.See(message)
			tab.See("1 REPAS VEGETARIEN")
			msg := boxOf(tab, `.cell-feedback`)
			tapped := boxOf(tab, fmt.Sprintf(`button.cell-button[aria-label=%q]`, "REPAS VEGETARIEN, "+day+" : demande en cours"))
			if !strings.Contains(msg.Text, message) || !msg.inWindow(size) || !msg.Visible {
				t.Errorf("the message is not in the window: %+v", msg)
			}
			if !tapped.inWindow(size) || !tapped.Visible {
				t.Errorf("the tapped cell is not in the window (or is covered) with its message: %+v", tapped)
			}
			var inWeek bool
			tab.Eval(`!!document.querySelector('form.week-form > .cell-feedback')`, &inWeek)
			if !inWeek {
				t.Error("the message is not beside its week")
			}
			tab.Shot("02-message-pres-de-la-case")

			// 3. The compact cart bar.
			if !size.Mobile {
				tab.See("Total à payer : 2,55 €")
				cart, agenda := boxOf(tab, "#mes-reservations"), boxOf(tab, "section.agenda")
				if cart.Left < agenda.Right || !cart.inWindow(size) {
					t.Errorf("on a desktop the cart is not beside the agenda: cart %+v, agenda %+v", cart, agenda)
				}
				return
			}
			const barText = "Panier : 1 prestation – 2,55 € · Voir / Valider"
			tab.Eval(`window.scrollTo(0, document.querySelector('table.week').getBoundingClientRect().top + scrollY - 80); true`, nil)
			bar := boxOf(tab, "#panier-resume")
			if bar.Text != barText || !bar.Visible || math.Abs(bar.Bottom-float64(size.Height)) > 1 {
				t.Errorf("while the agenda scrolls the bar is not at the bottom of the screen: %+v", bar)
			}
			if bar.Bottom-bar.Top > 80 {
				t.Errorf("the bar takes %v px of the screen", bar.Bottom-bar.Top)
			}
			tab.Shot("03-barre-panier")
			// At the agenda's end the bar rests below the rules: it hides nothing.
			tab.Eval(`document.querySelector('section.agenda').scrollIntoView({block: 'end'}); true`, nil)
			bar, rules := boxOf(tab, "#panier-resume"), boxOf(tab, "section.agenda ul.hint")
			if rules.Bottom > bar.Top || !rules.Visible {
				t.Errorf("the bar covers the rules at the agenda's end: bar %+v, rules %+v", bar, rules)
			}
			// A tap on the bar: a link within the page (no page loads).
			tab.Do(chromedp.Tap(chromedp.CSS(`#panier-resume a`)))
			cart := boxOf(tab, "#mes-reservations h2")
			if !cart.inWindow(size) || !cart.Visible {
				t.Errorf("« Voir / Valider » does not show the cart: %+v", cart)
			}
			tab.See("Total à payer : 2,55 €")
			valider := boxOf(tab, `#mes-reservations button[type=submit]`)
			if valider.Text != "Valider" || !valider.inWindow(size) || !valider.Visible {
				t.Errorf("« Valider » is not within reach under the cart: %+v", valider)
			}
			tab.Shot("04-panier-complet")
		})
	}
}
