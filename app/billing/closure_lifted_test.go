package billing_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// A day closed while an order waits for its payment, then reopened (the
// closure deleted) before the payment arrives: the closure no longer
// wins. At payment the day takes its place back and is booked when a
// place is left; when the place went to another family meanwhile, the
// day is not booked and its amount is avoir, "complet" as when a day
// fills up.
func TestDayReopenedBeforeThePaymentIsBookedWhenAPlaceIsLeft(t *testing.T) {
	for _, c := range []struct {
		name    string
		partial bool // a closure of the meal only, then lifted
		lifted  bool
		taken   bool // capacity 1, another family holds the place meanwhile
		reason  string
	}{
		{name: "the commune's closure lifted: the day is booked", lifted: true},
		{name: "the canteen's closure lifted: the day is booked", partial: true, lifted: true},
		{name: "lifted, but the only place went to another family meanwhile: complet, avoir", lifted: true, taken: true, reason: "complet"},
		{name: "not lifted: the closure wins", reason: booking.ReasonDayClosed},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			e.usePayFiP()
			ctx := context.Background()
			meal := e.prestations["REPAS CLASSIQUE ENFANT"]
			if c.taken {
				e.setCapacity(1)
			}
			days := e.book(e.children[0], 2)
			day := days[0]
			o := e.startCart()
			var closure int64
			if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
				if c.partial {
					var err error
					closure, err = booking.AddPartialClosure(ctx, tx, calendar.ScopedClosure{Date: day, Reason: "Grève", Prestations: []int64{meal}}, e.clock.Now())
					return err
				}
				return booking.AddClosure(ctx, tx, day, "Grève", e.clock.Now())
			}); err != nil {
				t.Fatal(err)
			}
			if c.lifted {
				if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
					if c.partial {
						_, err := booking.RemovePartialClosure(ctx, tx, closure)
						return err
					}
					return booking.RemoveClosure(ctx, tx, day)
				}); err != nil {
					t.Fatal(err)
				}
			}
			if c.taken {
				other := e.addFamiliesOn(day, 1)[0]
				if out, err := e.h.Service().StartCart(ctx, e.db, e.com, other, e.cantine, ""); err != nil || len(out.Order.Refused()) != 0 {
					t.Fatalf("the other family's Valider: %+v %v", out.Order.Refused(), err)
				}
			}
			got, err := e.payOnPayFiP(o)
			if err != nil || got.Status != billing.OrderPaid {
				t.Fatalf("paid: %s %q %v", got.Status, got.Outcome, err)
			}
			booked := e.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = ? AND day = ? AND state = 'validated'`, o.Ref, day)
			places := e.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE prestation_id = ? AND day = ?`, meal, day)
			if c.reason == "" {
				if booked != 1 || places != 1 || e.balance() != 0 || len(got.NotBooked()) != 0 {
					t.Fatalf("reopened day: booked %d, places %d, avoir %d, not booked %+v; want it booked with its place",
						booked, places, e.balance(), got.NotBooked())
				}
				return
			}
			wantPlaces := map[bool]int{true: 1, false: 0}[c.taken] // the other family's
			if booked != 0 || places != wantPlaces || e.balance() != 255 {
				t.Fatalf("booked %d, places %d, avoir %d; want not booked, %d place(s), 255 avoir", booked, places, e.balance(), wantPlaces)
			}
			text := fmt.Sprintf("%s le %02d/%02d : 2,55"+calendar.NBSP+"€ en avoir", c.reason, day.Day(), int(day.Month()))
			if nb := got.NotBooked(); len(nb) != 1 || nb[0].NotBookedText() != text {
				t.Fatalf("not booked = %+v, want %q", nb, text)
			}
		})
	}
}
