package booking_test

import (
	"context"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// The agenda built afresh from the database (LoadAgenda) and the one the
// pages serve through the commune's cache (AgendaOf) are the same: four
// weeks from the Monday of the asked day, the pages before and after four
// weeks away, every cell in the same state (a validated booking, a
// demande in the cart, a full day with the child on its waiting list).
func TestAgendaBuiltAfreshEqualsTheCachedOne(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.validate(f.fille, f.classique, "2026-12-10")
	if err := f.toggle(f.fam, f.cantine, f.fille, f.vegetarien, "2026-12-14"); err != nil {
		t.Fatal(err)
	}
	f.fullDay(f.classique, "2026-12-17")
	if _, err := booking.JoinWaitlist(ctx, f.db, booking.Click{FamilyID: f.fam, RegieID: f.cantine, ChildID: f.fille, PrestationID: f.classique,
		Day: calendar.DateOf(2026, time.December, 17)}, f.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		regie   int64
		forfait bool
	}{
		{"the cantine's meals", f.cantine, false},
		{"the garderie's forfait", f.garderie, true},
	} {
		wednesday := calendar.DateOf(2026, time.December, 9)
		fresh, err := booking.LoadAgenda(ctx, f.db.Reader(), f.fam, tc.regie, f.fille, wednesday, f.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		cached, err := booking.AgendaOf(ctx, f.db, f.fam, tc.regie, f.fille, wednesday, f.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		monday := calendar.DateOf(2026, time.December, 7)
		if fresh.Start != monday || fresh.Prev != monday.AddDays(-28) || fresh.Next != monday.AddDays(28) || fresh.HasForfait != tc.forfait ||
			len(fresh.Weeks) != booking.AgendaWeeks {
			t.Fatalf("%s: start %s, previous %s, next %s, forfait %v, %d weeks", tc.name, fresh.Start, fresh.Prev, fresh.Next, fresh.HasForfait, len(fresh.Weeks))
		}
		if cached.Start != fresh.Start || cached.Prev != fresh.Prev || cached.Next != fresh.Next || cached.HasForfait != fresh.HasForfait || len(cached.Weeks) != len(fresh.Weeks) {
			t.Fatalf("%s: cached frame %+v, fresh %+v", tc.name, cached, fresh)
		}
		for i := range fresh.Weeks {
			if fresh.Weeks[i].Number != cached.Weeks[i].Number || string(fresh.Weeks[i].HTML) != string(cached.Weeks[i].HTML) {
				t.Fatalf("%s, week %d: fresh and cached differ:\n%s\n---\n%s", tc.name, fresh.Weeks[i].Number, fresh.Weeks[i].HTML, cached.Weeks[i].HTML)
			}
		}
	}
	// The fresh agenda shows each state of the cantine's cells.
	fresh, err := booking.LoadAgenda(ctx, f.db.Reader(), f.fam, f.cantine, f.fille, calendar.DateOf(2026, time.December, 9), f.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	state := func(week int, prestation int64, weekday int) booking.Cell {
		for _, r := range fresh.Weeks[week].Rows {
			if r.Prestation.ID == prestation {
				return r.Cells[weekday]
			}
		}
		t.Fatalf("no row of prestation %d", prestation)
		return booking.Cell{}
	}
	if c := state(0, f.classique, 3); c.State != booking.CellValidated {
		t.Errorf("thursday 10, classic meal: %d, want validated", c.State)
	}
	if c := state(1, f.vegetarien, 0); c.State != booking.CellPending {
		t.Errorf("monday 14, vegetarian meal: %d, want the demande in the cart", c.State)
	}
	if c := state(1, f.classique, 3); c.State != booking.CellClosed || c.Reason.Code != booking.ReasonFull {
		t.Errorf("thursday 17, classic meal: %d %q, want full", c.State, c.Reason.Code)
	}
	if w := fresh.Weeks[1]; w.Number != 51 || w.From != calendar.DateOf(2026, time.December, 14) || w.To != calendar.DateOf(2026, time.December, 18) {
		t.Errorf("second week: %d from %s to %s", w.Number, w.From, w.To)
	}
}
