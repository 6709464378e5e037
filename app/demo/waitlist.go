package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// OutingName is the demo's outing of one place (issue 14): once one
// child of FAMILLE X books it, the other finds it complet and can join its
// waiting list. The demo books nothing itself: its families start with
// no reservation.
const OutingName = "SORTIE AU ZOO (1 place)"

// OutingDay is the day of the demo's outing for today: the first
// Wednesday in school time at least five days ahead (so its booking
// deadline, two days before, is still open for a while).
func OutingDay(today calendar.Date) calendar.Date {
	cal := calendar.NewZoneCalendar(Zone)
	d := today.AddDays(5)
	for d.Weekday() != time.Wednesday || !cal.IsOpen(d) {
		d = d.AddDays(1)
	}
	return d
}

// seedWaitlist adds the outing to the garderie's régie.
func seedWaitlist(ctx context.Context, tx *sql.Tx, today calendar.Date, now time.Time) error {
	var regie int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM regies WHERE mode = 'postpaid' ORDER BY position LIMIT 1`).Scan(&regie)
	if err != nil {
		return fmt.Errorf("demo seed: outing: %w", err)
	}
	deadline, err := calendar.ParseDeadline("days:2@12:00")
	if err != nil {
		return err
	}
	day := OutingDay(today)
	_, err = booking.CreatePrestation(ctx, tx, booking.PrestationInput{RegieID: regie, Name: OutingName, Kind: booking.KindDaily,
		Category: booking.CategorySession, Weekdays: calendar.WeekdaysOf(time.Wednesday), PriceCents: 1200, Capacity: 1,
		Booking: deadline, Cancel: deadline, ValidFrom: day, ValidUntil: day, Position: 2}, now)
	if err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	return nil
}
