package e2e

import (
	"testing"

	"github.com/chromedp/chromedp/kb"
)

func TestMain(m *testing.M) { Main(m) }

// The demo commune's home page, as a parent first meets it (issue 2).
func TestHome(t *testing.T) {
	t.Parallel()
	h := New(t)
	for _, size := range Sizes {
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			tab := h.Tab(t, size)
			tab.Go(Commune + "/")
			tab.See("Commune de Malemort du Comtat")
			tab.See("Je me connecte")
			tab.See("L'actualité Famille")
			tab.See("Bienvenue sur votre espace famille")
			if got := tab.Status(); got != 200 {
				t.Errorf("home page status %d, want 200", got)
			}
			if title := tab.Title(); title == "" {
				t.Error("home page has no title")
			}
			tab.Layout()
			tab.Shot("accueil")

			// Keyboard: the first Tab from the top reaches the skip link,
			// which then shows, and Enter moves to the main content.
			tab.Press(kb.Tab)
			if got := tab.Focused(); got != "Aller au contenu" {
				t.Errorf("first Tab focuses %q, want the skip link %q", got, "Aller au contenu")
			}
			var skipShown bool
			tab.Eval(`(() => { const r = document.activeElement.getBoundingClientRect();
				return r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight; })()`, &skipShown)
			if !skipShown {
				t.Error("the focused skip link is not visible in the window")
			}
			tab.Shot("lien-d-evitement")
			tab.Press(kb.Enter)
			var inMain bool
			tab.Eval(`location.hash === '#contenu' && document.activeElement.id === 'contenu'`, &inMain)
			if !inMain {
				t.Errorf("Enter on the skip link: hash/focus not on #contenu (focused %q)", tab.Focused())
			}

			tab.Go("/nulle-part/")
			tab.See("Commune introuvable")
			if got := tab.Status(); got != 404 {
				t.Errorf("unknown commune: status %d, want 404", got)
			}
			tab.Layout()
			tab.Shot("commune-introuvable")
		})
	}
}

// The home page needs no JavaScript.
func TestHomeWithoutJavaScript(t *testing.T) {
	t.Parallel()
	h := New(t)
	for _, size := range Sizes {
		size := size.WithoutJS()
		t.Run(size.Name, func(t *testing.T) {
			t.Parallel()
			tab := h.Tab(t, size)
			tab.Go(Commune + "/")
			if tab.ScriptsEnabled() {
				t.Fatal("the page's scripts run: the tab does not test the page without JavaScript")
			}
			tab.See("Commune de Malemort du Comtat")
			tab.See("Je me connecte")
			tab.See("L'actualité Famille")
			tab.See("Bienvenue sur votre espace famille")
			tab.Layout()
			tab.Shot("accueil-sans-javascript")
		})
	}
}
