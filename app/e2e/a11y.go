package e2e

// A11y checks the accessibility basics of the current page and reports
// each problem as a test error (the journey goes on): <html lang="fr">, a
// non-empty <title>, exactly one <h1>, unique ids, a label (<label for>, a
// wrapping <label>, aria-label or aria-labelledby) on every visible field,
// an alt on every <img>, and no positive tabindex. Shot runs it at every
// step.
func (tab *Tab) A11y() {
	tab.t.Helper()
	var problems []string
	tab.eval("A11y()", "("+jsLib+").a11y()", &problems)
	if len(problems) == 0 {
		return
	}
	page := tab.where()
	for _, p := range problems {
		tab.t.Errorf("e2e %s: accessibility on %s: %s", tab.size.Name, page, p)
	}
}
