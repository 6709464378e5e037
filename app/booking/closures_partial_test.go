package booking

import (
	"testing"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
)

// A closure of some prestations or of some schools closes them only: the
// rest of the commune books as usual, and deadlines do not move.
func TestPartialClosuresCloseOnlyWhatTheyName(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	const schoolA, schoolB = 1, 2
	cal := calendar.NewCalendar(calendar.Config{Zone: "B", Holidays: calendar.BundledHolidays("B"), ScopedClosures: []calendar.ScopedClosure{
		{ID: 1, Date: d("2026-12-10"), Reason: "Grève garderie", Prestations: []int64{testGarderie.ID}},
		{ID: 2, Date: d("2026-12-11"), Reason: "Sortie scolaire", Schools: []int64{schoolA}},
		{ID: 3, Date: d("2026-12-14"), Reason: "Grève cantine", Prestations: []int64{testClassic.ID, testVege.ID}, Schools: []int64{schoolB}},
	}})
	inA, inB, noSchool := testChild, testChild, testChild
	inA.SchoolID, inB.SchoolID = schoolA, schoolB
	empty := NewLedger(nil, nil, nil)
	for _, tc := range []struct {
		name   string
		p      Prestation
		child  families.Child
		day    string
		want   CellState
		reason ReasonCode
	}{
		{"a garderie strike does not close the canteen", testClassic, inA, "2026-12-10", CellBookable, ""},
		{"a garderie strike closes the garderie's day in the agenda", testGarderie, inA, "2026-12-10", CellClosed, ReasonClosure},
		{"a school's outing closes the canteen for its children", testClassic, inA, "2026-12-11", CellClosed, ReasonClosure},
		{"a school's outing leaves the other school's children alone", testClassic, inB, "2026-12-11", CellBookable, ""},
		{"a child with no school is not in a school's closure", testClassic, noSchool, "2026-12-11", CellBookable, ""},
		{"a canteen strike at school B closes its meals", testVege, inB, "2026-12-14", CellClosed, ReasonClosure},
		{"a canteen strike at school B leaves school A's meals", testVege, inA, "2026-12-14", CellBookable, ""},
		{"a canteen strike at school B leaves B's garderie", testGarderie, inB, "2026-12-14", CellBookable, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := CellFor(CellInput{Prestation: tc.p, Day: d(tc.day), Calendar: cal, Now: testNow, Ledger: empty, Child: &tc.child})
			if c.State != tc.want || c.Reason.Code != tc.reason {
				t.Fatalf("got %s, want state %d reason %q", c.Text(), tc.want, tc.reason)
			}
			if tc.want == CellClosed {
				b := &Booker{Child: tc.child, Prestations: []Prestation{tc.p}, Calendar: cal, Now: testNow, Ledger: empty}
				if _, err := b.Toggle(tc.p, d(tc.day), IntentBook); err == nil && !tc.p.IsForfait() {
					t.Errorf("booking a closed day was accepted")
				}
			}
		})
	}
	// The commune stays open: deadlines counted in open days do not move.
	if !cal.IsOpen(d("2026-12-11")) {
		t.Error("a school's closure closed the commune's calendar")
	}
	classic := testClassic
	classic.Booking = mustDeadline("workdays:2@10:00")
	if got, want := classic.Booking.Cutoff(d("2026-12-15"), cal), paris(2026, time.December, 11, 10, 0); !got.Equal(want) {
		t.Errorf("deadline of 15/12 moved to %v, want %v", got, want)
	}
}
