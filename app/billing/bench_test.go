package billing_test

import (
	"context"
	"database/sql"
	"fmt"
	"syscall"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/billing/simulator"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkValiderAndPay16Meals is the money path of one family at the
// deadline (issue 10): "Valider" on a cart of 16 meals and the
// simulator's card form (its outcome and the payment applied), on a real
// commune file, as the two pages call them. The cart is filled outside
// the timer. Beside the wall time it reports each step's CPU time (the
// whole process), write transactions per family, the time they held the
// writer and the CPU time they used holding it (tenants.MeasureWriterCPU).
func BenchmarkValiderAndPay16Meals(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	svc := e.h.Service()
	now := e.clock.Now()
	first := calendar.Today(now).AddMonths(1)
	first = calendar.DateOf(first.Year(), first.Month(), 1)
	meal := e.prestations["REPAS CLASSIQUE ENFANT"]
	var cpuValidate, cpuCard time.Duration
	tenants.MeasureWriterCPU(true)
	defer tenants.MeasureWriterCPU(false)
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
		c0 := processCPU()
		validate := tenants.WithTxLabel(ctx, "validate")
		out, err := svc.StartCart(validate, e.db, e.com, fam, e.cantine, "")
		if err != nil || out.Order.AmountCents != 16*255 || out.Order.ProviderRef == "" {
			b.Fatalf("checkout: %+v %v", out.Order, err)
		}
		c1 := processCPU()
		card := tenants.WithTxLabel(ctx, "card")
		if o, err := svc.SimulatorOutcome(card, e.db, e.com, out.Order.ProviderRef, simulator.Paid); err != nil || o.Status != billing.OrderPaid {
			b.Fatalf("paid: %s %v", o.Status, err)
		}
		cpuValidate += c1 - c0
		cpuCard += processCPU() - c1
	}
	b.ReportMetric(float64(cpuValidate)/float64(b.N), "validate-cpu-ns/op")
	b.ReportMetric(float64(cpuCard)/float64(b.N), "card-cpu-ns/op")
	for _, st := range e.db.WriterStats() {
		if st.Label == "validate" || st.Label == "card" {
			b.ReportMetric(float64(st.Count)/float64(b.N), st.Label+"-tx/op")
			b.ReportMetric(float64(st.Held)/float64(b.N), st.Label+"-writer-ns/op")
			b.ReportMetric(float64(st.CPU)/float64(b.N), st.Label+"-writer-cpu-ns/op")
		}
	}
}
