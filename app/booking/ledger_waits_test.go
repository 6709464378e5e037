package booking

import (
	"testing"

	"espacefamille/app/calendar"
)

// A place the waiting list offers the child is counted in the day's
// booked places (nobody else can take it) but is free for that child: her
// agenda shows the day bookable, while a child only waiting, or offered
// another day, sees it full.
func TestLedgerOfferedPlaceIsFreeForThatChildOnly(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	p := testClassic
	p.Capacity = 10
	day := d("2026-12-14")
	for _, tc := range []struct {
		name       string
		booked     int
		waits      map[slot]Wait
		wantBooked int
		wantState  CellState
	}{
		{"offered: the place held for her is hers", 10, map[slot]Wait{{p.ID, day}: {State: WaitOffered}}, 9, CellBookable},
		{"first in line but not offered yet: full", 10, map[slot]Wait{{p.ID, day}: {State: WaitWaiting, Rank: 1}}, 10, CellClosed},
		{"offered the next day: this day stays full", 10, map[slot]Wait{{p.ID, day.AddDays(1)}: {State: WaitOffered}}, 10, CellClosed},
		{"offered on a day whose count is already zero: never below zero", 0, map[slot]Wait{{p.ID, day}: {State: WaitOffered}}, 0, CellBookable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			led := NewLedger(nil, nil, map[int64]map[calendar.Date]int{p.ID: {day: tc.booked}}).withWaits(tc.waits, true)
			if got := led.Booked(p.ID, day); got != tc.wantBooked {
				t.Errorf("booked = %d, want %d", got, tc.wantBooked)
			}
			c := CellFor(CellInput{Prestation: p, Day: day, Calendar: testCalendar(), Now: testNow, Ledger: led, Child: &testChild})
			if c.State != tc.wantState || (tc.wantState == CellClosed && c.Reason.Code != ReasonFull) {
				t.Errorf("cell %s, want state %d (full when closed)", c.Text(), tc.wantState)
			}
		})
	}
}

// The message about a replaced choice says whether the other meal was
// only asked for (replaced at once) or already booked (cancelled when the
// cart is validated).
func TestReplacementTextSaysWhenTheOtherChoiceGoes(t *testing.T) {
	t.Parallel()
	day := mustDate(t, "2026-12-03")
	for _, tc := range []struct {
		name string
		r    Replacement
		want string
	}{
		{"a demande en cours is replaced at once", Replacement{Prestation: "REPAS VEGETARIEN"},
			"Un seul choix par jour : REPAS VEGETARIEN du 03/12/2026 est remplacé par REPAS CLASSIQUE ENFANT."},
		{"a validated meal is cancelled with the cart", Replacement{Prestation: "REPAS VEGETARIEN", Validated: true},
			"Un seul choix par jour : REPAS VEGETARIEN du 03/12/2026, déjà réservé, sera annulé quand vous validerez le panier, au profit de REPAS CLASSIQUE ENFANT."},
	} {
		if got := tc.r.Text("REPAS CLASSIQUE ENFANT", day); got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
