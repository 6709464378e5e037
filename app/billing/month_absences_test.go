package billing_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

// A post-paid month invoices what was served and the absences that stay
// due (a jour de carence, or no medical certificate), labelled as such: a
// day cancelled by a refunded absence, or cancelled without an absence, is
// not invoiced, and a due absence on a day the commune closed is not
// either (no service, nothing due).
func TestMonthInvoicesTheAbsencesThatStayDueOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	year := e.clock.Now().Year() // the clock is in October: September is over
	fille := e.children[0]
	garderie := e.prestations["GARDERIE MATIN ET SOIR"]
	monday := calendar.DateOf(year, time.September, 1)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDays(1)
	}
	monday = monday.AddDays(7) // a school day in every zone
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		return booking.AddClosure(ctx, tx, monday.AddDays(7), "Grève", e.clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	day := func(d calendar.Date, state string, cents int64) int64 {
		t.Helper()
		res, err := e.db.W.Exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, state, price_cents, created_at, validated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'x', 'x')`, e.family, fille, garderie, e.garderie, d, state, cents)
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.LastInsertId()
		return id
	}
	absence := func(reservation int64, d calendar.Date, billable int) {
		e.Exec(demo.Slug, `INSERT INTO absences (family_id, child_id, reservation_id, prestation_id, regie_id, day, rank, billable, declared_at)
			VALUES (?, ?, ?, ?, ?, ?, 1, ?, 'x')`, e.family, fille, reservation, garderie, e.garderie, d, billable)
	}
	day(monday, booking.StateValidated, 100)                                              // served: invoiced
	absence(day(monday.AddDays(1), booking.StateCancelled, 20), monday.AddDays(1), 1)     // jour de carence: due
	absence(day(monday.AddDays(3), booking.StateCancelled, 4000), monday.AddDays(3), 0)   // refunded absence
	day(monday.AddDays(4), booking.StateCancelled, 50000)                                 // cancelled in time
	absence(day(monday.AddDays(7), booking.StateCancelled, 600000), monday.AddDays(7), 1) // due, but closed that day

	e.clock.Set(calendar.DateOf(year, time.October, 2).At(10, 0))
	if _, err := e.h.Service().RunMonth(ctx, e.db, e.com, year, time.September, "http://ef.test/f"); err != nil {
		t.Fatal(err)
	}
	var id int64
	e.scalar(`SELECT id FROM invoices WHERE regie_id = ? AND period_key = ?`, &id, e.garderie, itoa(year)+"-09")
	inv, err := billing.FamilyInvoice(ctx, e.db.Reader(), e.family, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range inv.Lines {
		got = append(got, l.Day.String()+" "+itoa(int(l.AmountCents))+" "+l.Label)
	}
	want := []string{
		monday.String() + " 100 ",
		monday.AddDays(1).String() + " 20 Absence non remboursée (jour de carence ou sans certificat médical)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || inv.TotalCents != 120 {
		t.Fatalf("September invoice, total %d:\n%s\nwant:\n%s", inv.TotalCents, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
