package booking_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// close records a closure: the whole commune when c names nothing.
func (f *fixture) close(c calendar.ScopedClosure) {
	f.T.Helper()
	ctx := context.Background()
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		if c.Whole() {
			return booking.AddClosure(ctx, tx, c.Date, c.Reason, f.Clock.Now())
		}
		_, err := booking.AddPartialClosure(ctx, tx, c, f.Clock.Now())
		return err
	}); err != nil {
		f.T.Fatal(err)
	}
}

// placesOn is the places counted for prestation on day, every site.
func (f *fixture) placesOn(prestation int64, day string) int {
	f.T.Helper()
	return f.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE prestation_id = ? AND day = ?`, prestation, day)
}

// A day closed while an order waits for its payment: the closure wins.
// Creating it releases at once the places held for the demandes it
// closes (the whole commune; a prestation; a school; a prestation at a
// school), and only those; the payment then books the others and
// rejects those with "fermé". The back office is told how many orders
// are concerned before it confirms.
func TestDayClosedWhileTheOrderWaitsIsNotBookedAtPayment(t *testing.T) {
	t.Parallel()
	const day, next = "2026-12-03", "2026-12-04"
	for _, c := range []struct {
		name                  string
		meal, veg             bool // the closure names the classic or the vegetarian meal
		filleSchool, gSchool  bool // …the daughter's or the son's school
		otherDay              bool // the closure is on the next day, which nobody holds
		closedFille, closedGa bool // which child's held meal of day the closure closes
	}{
		{name: "whole commune: both children's meals of the day", closedFille: true, closedGa: true},
		{name: "the classic meal: both children's meals", meal: true, closedFille: true, closedGa: true},
		{name: "the vegetarian meal: nothing held is closed", veg: true},
		{name: "the daughter's school: her meal only", filleSchool: true, closedFille: true},
		{name: "the classic meal at the son's school: his meal only", meal: true, gSchool: true, closedGa: true},
		{name: "the vegetarian meal at the son's school: nothing", veg: true, gSchool: true},
		{name: "another day closed: nothing", otherDay: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.exec(`INSERT INTO schools (name) VALUES ('École du Moulin')`)
			moulin := f.id(`SELECT id FROM schools WHERE name = 'École du Moulin'`)
			f.exec(`UPDATE children SET school_id = ? WHERE id = ?`, moulin, f.garcon)
			fSchool := f.id(`SELECT school_id FROM children WHERE id = ?`, f.fille)
			for _, l := range []struct {
				child int64
				day   string
			}{{f.fille, day}, {f.fille, next}, {f.garcon, day}} {
				if err := f.toggle(f.fam, f.cantine, l.child, f.classique, l.day); err != nil {
					t.Fatal(err)
				}
			}
			if check := f.hold(f.fam, f.cantine, "A"); len(check.Lines) != 3 {
				t.Fatalf("held %+v", check)
			}
			sc := calendar.ScopedClosure{Date: isoDay(day), Reason: "Grève"}
			if c.otherDay {
				sc.Date = isoDay("2026-12-07")
			}
			if c.meal {
				sc.Prestations = append(sc.Prestations, f.classique)
			}
			if c.veg {
				sc.Prestations = append(sc.Prestations, f.vegetarien)
			}
			if c.filleSchool {
				sc.Schools = append(sc.Schools, fSchool)
			}
			if c.gSchool {
				sc.Schools = append(sc.Schools, moulin)
			}
			closed := 0
			for _, b := range []bool{c.closedFille, c.closedGa} {
				if b {
					closed++
				}
			}
			n, err := booking.PendingOrdersOn(context.Background(), f.db.Reader(), sc)
			if want := min(closed, 1); err != nil || n != want {
				t.Errorf("pending orders concerned = %d %v, want %d", n, err, want)
			}
			f.close(sc)
			if got := f.placesOn(f.classique, day); got != 2-closed {
				t.Errorf("places held on the day after the closure = %d, want %d", got, 2-closed)
			}
			if got := f.placesOn(f.classique, next); got != 1 {
				t.Errorf("the next day's place = %d, want 1 (not closed)", got)
			}
			if n, err := booking.PendingOrdersOn(context.Background(), f.db.Reader(), sc); err != nil || n != 0 {
				t.Errorf("after the closure, %d pending order(s) still concerned (%v)", n, err)
			}

			res, err := f.confirm(f.fam, "A")
			if err != nil {
				t.Fatal(err)
			}
			var rejected []int64
			for _, r := range res.Rejected {
				if r.Reason != booking.ReasonDayClosed || r.Line.Day.String() != day {
					t.Errorf("rejected %+v", r)
				}
				rejected = append(rejected, r.Line.ChildID)
			}
			var want []int64
			if c.closedFille {
				want = append(want, f.fille)
			}
			if c.closedGa {
				want = append(want, f.garcon)
			}
			slices.Sort(rejected)
			slices.Sort(want)
			if !slices.Equal(rejected, want) || len(res.Confirmed) != 3-closed || res.TotalCents != int64(3-closed)*255 {
				t.Fatalf("payment: rejected children %v (want %v), confirmed %d, total %d", rejected, want, len(res.Confirmed), res.TotalCents)
			}
			if got := f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND day = ?`, day); got != 2-closed {
				t.Errorf("booked on the closed day: %d, want %d", got, 2-closed)
			}
			if got := f.placesOn(f.classique, day); got != 2-closed {
				t.Errorf("places on the day after payment = %d, want %d", got, 2-closed)
			}
			if f.count(`SELECT COUNT(*) FROM holds`) != 0 || f.count(`SELECT COUNT(*) FROM cart_lines`) != 0 {
				t.Error("holds or cart lines left after the payment")
			}
		})
	}
}

// A hold the closure released takes nothing any more: once the closure is
// lifted, the same child's day can be held again by a newer order, and
// the first order ending (unpaid) gives back only the places it still
// held, never one twice.
func TestReleasedHoldNoLongerTakesTheDay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const day = "2026-12-03"
	if err := f.toggle(f.fam, f.cantine, f.fille, f.classique, day); err != nil {
		t.Fatal(err)
	}
	if err := f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-04"); err != nil {
		t.Fatal(err)
	}
	f.hold(f.fam, f.cantine, "A")
	f.close(calendar.ScopedClosure{Date: isoDay(day), Reason: "Grève", Prestations: []int64{f.classique}})
	if f.placesOn(f.classique, day) != 0 {
		t.Fatal("the closure did not release the place")
	}
	// Closing the commune the same day too releases nothing twice.
	f.close(calendar.ScopedClosure{Date: isoDay(day), Reason: "Grève générale"})
	if f.placesOn(f.classique, day) != 0 || f.count(`SELECT COUNT(*) FROM holds WHERE closed_at IS NOT NULL`) != 1 {
		t.Fatal("a second closure of the day released the hold again")
	}
	ctx := context.Background()
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := booking.RemoveClosure(ctx, tx, isoDay(day)); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM partial_closures`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The day reopened: the cart still has the first order's lines (they
	// leave it when paid), and the same child's day is held again.
	if check := f.hold(f.fam, f.cantine, "B"); len(check.Lines) != 1 || check.Lines[0].Day.String() != day {
		t.Fatalf("newer order held %+v, removed %+v", check.Lines, check.Removed)
	}
	if f.placesOn(f.classique, day) != 1 {
		t.Fatalf("places on the reopened day = %d, want 1", f.placesOn(f.classique, day))
	}
	if n := f.release("A"); n != 2 {
		t.Fatalf("order A released %d holds, want 2", n)
	}
	if f.placesOn(f.classique, day) != 1 || f.placesOn(f.classique, "2026-12-04") != 0 {
		t.Errorf("after order A ended: %d place(s) on the reopened day (want B's 1), %d the next day",
			f.placesOn(f.classique, day), f.placesOn(f.classique, "2026-12-04"))
	}
}

func isoDay(s string) calendar.Date {
	d, err := calendar.ParseISO(s)
	if err != nil {
		panic(err)
	}
	return d
}

// The same at a direct validation (ConfirmLines, which checks "already
// booked or held" without the cart's prefetch): a hold the closure
// released does not make the reopened day "held by another order".
func TestReleasedHoldDoesNotBlockADirectValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const day = "2026-12-03"
	if err := f.toggle(f.fam, f.cantine, f.fille, f.classique, day); err != nil {
		t.Fatal(err)
	}
	f.hold(f.fam, f.cantine, "A")
	f.close(calendar.ScopedClosure{Date: isoDay(day), Reason: "Grève"})
	ctx := context.Background()
	var res booking.ConfirmResult
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := booking.RemoveClosure(ctx, tx, isoDay(day)); err != nil {
			return err
		}
		var err error
		res, err = booking.ConfirmLines(ctx, tx, f.fam, []int64{f.id(`SELECT id FROM cart_lines`)}, "B", f.Clock.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(res.Confirmed) != 1 || len(res.Rejected) != 0 {
		t.Fatalf("confirmed %+v, rejected %+v", res.Confirmed, res.Rejected)
	}
}
