package booking_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// A forfait booked by an order is booked whole, and the days of its
// period that closures created after the order closed (the whole commune,
// its prestation, the child's school) are the family's credit: only those
// days, each once, taken in the order their closures were created (a day
// closed twice counts from its first closure), days closed at the same
// time in calendar order, each share counted over the days still held
// once the earlier ones closed. A closure the order already knew, of
// another prestation or of another school gives nothing.
func TestForfaitDaysClosedSinceTheOrderAreCreditedInTheOrderTheyClosed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	d := func(s string) calendar.Date {
		t.Helper()
		day, err := calendar.ParseISO(s)
		if err != nil {
			t.Fatal(err)
		}
		return day
	}
	since := f.Clock.Now()
	tx := func(at time.Duration, do func(tx *sql.Tx, now time.Time) error) {
		t.Helper()
		if err := f.db.Tx(ctx, func(tx *sql.Tx) error { return do(tx, since.Add(at)) }); err != nil {
			t.Fatal(err)
		}
	}
	whole := func(at time.Duration, days ...string) {
		tx(at, func(tx *sql.Tx, now time.Time) error {
			for _, day := range days {
				if err := booking.AddClosure(ctx, tx, d(day), "Grève", now); err != nil {
					return err
				}
			}
			return nil
		})
	}
	partial := func(at time.Duration, day string, prestations, schools []int64) {
		tx(at, func(tx *sql.Tx, now time.Time) error {
			_, err := booking.AddPartialClosure(ctx, tx, calendar.ScopedClosure{Date: d(day), Reason: "Travaux", Prestations: prestations, Schools: schools}, now)
			return err
		})
	}
	whole(-time.Hour, "2027-01-05") // known when the order was placed
	if err := f.toggle(f.fam, f.garderie, f.fille, f.garderieP, "2027-01-11"); err != nil {
		t.Fatal(err)
	}
	_, res, err := f.checkout(f.fam, f.garderie, "EF-FORFAIT")
	if err != nil || len(res.Confirmed) != 1 {
		t.Fatalf("forfait of january: %+v %v", res, err)
	}
	forfait := res.Confirmed[0]
	f.exec(`INSERT INTO schools (name) VALUES ('École du Moulin')`)
	other := f.id(`SELECT id FROM schools WHERE name = 'École du Moulin'`)

	partial(time.Hour, "2027-01-14", []int64{f.garderieP}, nil) // the garderie first…
	partial(2*time.Hour, "2027-01-07", []int64{f.garderieP}, nil)
	whole(3*time.Hour, "2027-01-14")                              // …then the whole commune: the 14th counts from 1 h
	whole(4*time.Hour, "2027-01-22", "2027-01-18")                // two days at once: in calendar order
	partial(5*time.Hour, "2027-01-25", []int64{f.classique}, nil) // the canteen only
	partial(5*time.Hour, "2027-01-26", nil, []int64{other})       // another school only
	whole(6*time.Hour, "2027-02-01")                              // after the forfait's month

	got, err := booking.ForfaitDaysClosedSince(ctx, f.db.Reader(), res.Confirmed, since)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range got {
		if c.ReservationID != forfait.ReservationID || c.Line.ID != forfait.Line.ID {
			t.Fatalf("share of %+v, want the forfait's reservation %d", c, forfait.ReservationID)
		}
		lines = append(lines, fmt.Sprintf("%s %d/%d", c.Day, c.Cents, c.Days))
	}
	price := forfait.Line.PriceCents
	want := []string{
		fmt.Sprintf("2027-01-14 %d/15", price/15),
		fmt.Sprintf("2027-01-07 %d/14", price/14),
		fmt.Sprintf("2027-01-18 %d/13", price/13),
		fmt.Sprintf("2027-01-22 %d/12", price/12),
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("forfait %s–%s at %d cents, closed days:\n%s\nwant:\n%s", forfait.Line.ForfaitFrom, forfait.Line.ForfaitUntil, price,
			strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}

	// Without a forfait among the confirmed lines (a meal, a
	// cancellation, a line not booked), nothing is read or credited.
	meal := booking.ConfirmedLine{Line: booking.CartLine{PrestationID: f.classique, Day: d("2027-01-14"), Action: booking.ActionAdd}, ReservationID: 1}
	cancel := forfait
	cancel.Line.Action = booking.ActionCancel
	notBooked := forfait
	notBooked.ReservationID = 0
	if got, err := booking.ForfaitDaysClosedSince(ctx, f.db.Reader(), []booking.ConfirmedLine{meal, cancel, notBooked}, since); err != nil || len(got) != 0 {
		t.Fatalf("without a booked forfait: %+v %v", got, err)
	}
}
