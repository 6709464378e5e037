package booking

import (
	"strings"
	"testing"

	"espacefamille/app/calendar"
)

// The notice of lines that left the cart fits a flash cookie: at most n
// lines, then how many more, in correct French ("et 1 autre demande.").
func TestRemovedLinesNoticeIsLimited(t *testing.T) {
	t.Parallel()
	gone := func(k int) []RemovedLine {
		var out []RemovedLine
		for i := range k {
			out = append(out, RemovedLine{Line: CartLine{PrestationName: "REPAS", ChildName: "Fille FAMILLE X",
				Day: calendar.DateOf(2026, 12, 1+i)}, Reason: "complet"})
		}
		return out
	}
	for _, c := range []struct {
		k    int
		want string
	}{
		{0, ""},
		{2, "REPAS du 01/12/2026 pour Fille FAMILLE X : complet.|REPAS du 02/12/2026 pour Fille FAMILLE X : complet."},
		{3, "REPAS du 01/12/2026 pour Fille FAMILLE X : complet.|REPAS du 02/12/2026 pour Fille FAMILLE X : complet.|et 1 autre demande."},
		{5, "REPAS du 01/12/2026 pour Fille FAMILLE X : complet.|REPAS du 02/12/2026 pour Fille FAMILLE X : complet.|et 3 autres demandes."},
	} {
		if got := strings.Join(limit(gone(c.k), 2), "|"); got != c.want {
			t.Errorf("%d lines: %q, want %q", c.k, got, c.want)
		}
	}
}

// A cell shows a reason (closed) only when it cannot be booked.
func TestCellClosedOnlyForAClosedCell(t *testing.T) {
	t.Parallel()
	for _, s := range []CellState{CellClosed, CellBookable, CellPending, CellValidated, CellCancelPending} {
		if got := (Cell{State: s}).Closed(); got != (s == CellClosed) {
			t.Errorf("state %v: Closed() = %v", s, got)
		}
	}
}
