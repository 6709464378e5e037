package booking_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"espacefamille/app/booking"
)

// A booking cancelled for a declared absence is validated again when the
// child came after all (the pointage marks it present): the child takes a
// place again, counted even on a day full since; restoring it twice
// counts it once; when the day was booked again meanwhile, that booking
// is the child's and the old one stays cancelled.
func TestRestoreReservationGivesThePresentChildItsPlaceBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.validate(f.fille, f.classique, "2026-12-10")
	first := f.id(`SELECT id FROM reservations WHERE child_id = ? AND day = '2026-12-10'`, f.fille)
	taken := func() int {
		return f.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE prestation_id = ? AND day = '2026-12-10'`, f.classique)
	}
	state := func(id int64) string {
		var s string
		f.Tx(slug, func(tx *sql.Tx) error { return tx.QueryRow(`SELECT state FROM reservations WHERE id = ?`, id).Scan(&s) })
		return s
	}
	in := func(do func(tx *sql.Tx) error) {
		t.Helper()
		if err := f.db.Tx(ctx, do); err != nil {
			t.Fatal(err)
		}
	}
	restore := func(id int64) (int64, error) {
		var got int64
		err := f.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			got, err = booking.RestoreReservation(ctx, tx, id)
			return err
		})
		return got, err
	}
	cancel := func(id int64) {
		in(func(tx *sql.Tx) error { return booking.CancelReservation(ctx, tx, id, "ABSENCE", f.Clock.Now()) })
	}
	if taken() != 1 {
		t.Fatalf("places taken after the booking: %d", taken())
	}
	cancel(first)
	// The day fills up meanwhile: the present child is counted anyway.
	f.exec(`UPDATE prestations SET capacity = 1 WHERE id = ?`, f.classique)
	f.exec(`UPDATE slot_counts SET booked = 1 WHERE prestation_id = ? AND day = '2026-12-10'`, f.classique)
	if got, err := restore(first); err != nil || got != first || state(first) != booking.StateValidated || taken() != 2 {
		t.Fatalf("restored %d, %v: state %s, %d places taken; want %d, validated, 2", got, err, state(first), taken(), first)
	}
	if got, err := restore(first); err != nil || got != first || taken() != 2 {
		t.Fatalf("restored twice: %d, %v, %d places taken; want %d, 2", got, err, taken(), first)
	}

	// Cancelled, then booked again by the family before the pointage.
	f.exec(`UPDATE prestations SET capacity = 0 WHERE id = ?`, f.classique)
	cancel(first)
	f.validate(f.fille, f.classique, "2026-12-10")
	again := f.id(`SELECT id FROM reservations WHERE child_id = ? AND day = '2026-12-10' AND state = 'validated'`, f.fille)
	before := taken()
	if got, err := restore(first); err != nil || got != again || state(first) != booking.StateCancelled || taken() != before {
		t.Fatalf("restored %d, %v: the old booking %s, %d places taken; want the new booking %d, the old one cancelled, %d", got, err, state(first), taken(), again, before)
	}
	if _, err := restore(first + 1000); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("restoring a booking that does not exist: %v", err)
	}
}
