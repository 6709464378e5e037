package billing_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/billing/simulator"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// BenchmarkValiderAndPay16Meals is the money path of one family at the
// deadline (issue 10): "Valider" on a cart of 16 meals, the simulator's
// payment and its notification, on a real commune file. The cart is
// filled outside the timer.
func BenchmarkValiderAndPay16Meals(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	svc := e.h.Service()
	now := e.clock.Now()
	first := calendar.Today(now).AddMonths(1)
	first = calendar.DateOf(first.Year(), first.Month(), 1)
	meal := e.prestations["REPAS CLASSIQUE ENFANT"]
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		var fam, child int64
		if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
			ts := now.UTC().Format(time.RFC3339)
			if err := tx.QueryRow(`INSERT INTO families (name, email, created_at) VALUES (?, ?, ?) RETURNING id`,
				fmt.Sprintf("FAMILLE B%05d", i), fmt.Sprintf("b%05d@example.org", i), ts).Scan(&fam); err != nil {
				return err
			}
			return tx.QueryRow(`INSERT INTO children (family_id, first_name, last_name, birth_date, created_at)
				VALUES (?, 'Enfant', 'B', '2018-01-01', ?) RETURNING id`, fam, ts).Scan(&child)
		}); err != nil {
			b.Fatal(err)
		}
		for d, n := first, 0; n < 16; d = d.AddDays(1) {
			if _, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: fam, RegieID: e.cantine, ChildID: child,
				PrestationID: meal, Day: d, Intent: booking.IntentBook}, now); err == nil {
				n++
			}
		}
		b.StartTimer()
		out, err := svc.StartCart(ctx, e.db, e.com, fam, e.cantine, "")
		if err != nil || out.Order.AmountCents != 16*255 {
			b.Fatalf("checkout: %+v %v", out.Order, err)
		}
		if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
			return simulator.Finish(ctx, tx, out.Order.ProviderRef, simulator.Paid, now)
		}); err != nil {
			b.Fatal(err)
		}
		if o, err := svc.Notify(ctx, e.db, e.com, billing.ProviderSimulator, out.Order.ProviderRef, billing.SourceNotify); err != nil || o.Status != billing.OrderPaid {
			b.Fatalf("paid: %s %v", o.Status, err)
		}
	}
}
