package billing_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/billing/simulator"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// addFamilies adds n families of one child each to the demo commune, each
// with one "REPAS CLASSIQUE ENFANT" in its cart; it returns their ids.
func (e *env) addFamilies(n int) []int64 {
	e.t.Helper()
	ctx := context.Background()
	now := e.clock.Now()
	first := calendar.Today(now).AddMonths(1)
	first = calendar.DateOf(first.Year(), first.Month(), 1)
	var fams []int64
	for i := range n {
		var fam, child int64
		err := e.db.Tx(ctx, func(tx *sql.Tx) error {
			ts := now.UTC().Format(time.RFC3339)
			if err := tx.QueryRow(`INSERT INTO families (name, email, created_at) VALUES (?, ?, ?) RETURNING id`,
				fmt.Sprintf("FAMILLE N%02d", i), fmt.Sprintf("famille.%02d@example.org", i), ts).Scan(&fam); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO guardians (family_id, civility, last_name, first_name, email, created_at)
				VALUES (?, 'Mme', ?, 'Z', ?, ?)`, fam, fmt.Sprintf("FAMILLE N%02d", i), fmt.Sprintf("famille.%02d@example.org", i), ts); err != nil {
				return err
			}
			return tx.QueryRow(`INSERT INTO children (family_id, first_name, last_name, birth_date, created_at)
				VALUES (?, 'Enfant', ?, '2018-01-01', ?) RETURNING id`, fam, fmt.Sprintf("FAMILLE N%02d", i), ts).Scan(&child)
		})
		if err != nil {
			e.t.Fatal(err)
		}
		booked := false
		for d := first; !booked && d.Before(first.AddDays(60)); d = d.AddDays(1) {
			_, err := booking.ToggleCell(ctx, e.db, booking.Click{FamilyID: fam, RegieID: e.cantine, ChildID: child,
				PrestationID: e.prestations["REPAS CLASSIQUE ENFANT"], Day: d, Intent: booking.IntentBook}, now)
			booked = err == nil
		}
		if !booked {
			e.t.Fatalf("family %d: no bookable day", i)
		}
		fams = append(fams, fam)
	}
	return fams
}

// 50 families pay their carts at the same moment, through the whole flow
// (order, the simulator's payment, its notification): 50 paid invoices
// numbered 1 to 50 in the cantine régie, no gap, no duplicate.
func TestInvoiceNumbersUnder50ConcurrentFullPayments(t *testing.T) {
	e := newEnv(t)
	fams := e.addFamilies(50)
	svc := e.h.Service()
	ctx := context.Background()
	rush(fams, func(fam int64) {
		out, err := svc.StartCart(ctx, e.db, e.com, fam, e.cantine, "")
		if err != nil {
			t.Errorf("family %d: checkout: %v", fam, err)
			return
		}
		if o, err := e.paySimulator(out.Order, simulator.Paid); err != nil || o.Status != billing.OrderPaid {
			t.Errorf("family %d: paid: %s %v", fam, o.Status, err)
		}
	})
	rows, err := e.db.Reader().QueryContext(context.Background(), `SELECT number FROM invoices WHERE regie_id = ? AND status = 'paid'`, e.cantine)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		numbers = append(numbers, n)
	}
	rows.Close()
	sort.Strings(numbers)
	year := calendar.Today(e.clock.Now()).Year()
	if len(numbers) != 50 {
		t.Fatalf("%d paid invoices, want 50", len(numbers))
	}
	for i, n := range numbers {
		if want := fmt.Sprintf("%d-GM-%05d", year, i+1); n != want {
			t.Fatalf("invoice %d = %s, want %s (gap or duplicate)", i, n, want)
		}
	}
	if n := e.count(`SELECT COUNT(*) FROM payments`); n != 50 {
		t.Errorf("payments = %d", n)
	}
}
