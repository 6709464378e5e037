package booking_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// A day a closure released from an order waiting for its payment, and
// open again when the closure is lifted, is counted for the back office
// and booked at the payment when a place is left; a day still closed, or
// full meanwhile, is not (billing credits it).
func TestReopenedDayIsBookedAtThePaymentWhenAPlaceIsLeft(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		lift   bool
		fill   bool
		booked int    // lines confirmed of the two
		why    string // the reason the 10th is not booked
	}{
		{name: "closure lifted, a place left: both days booked", lift: true, booked: 2},
		{name: "closure lifted, the day full meanwhile: the 10th is not booked", lift: true, fill: true, booked: 1, why: "complet"},
		{name: "closure kept: the 10th is not booked", booked: 1, why: "fermé"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx := context.Background()
			tenth := calendar.DateOf(2026, 12, 10)
			for _, d := range []string{"2026-12-10", "2026-12-11"} {
				if err := f.toggle(f.fam, f.cantine, f.fille, f.classique, d); err != nil {
					t.Fatal(err)
				}
			}
			f.hold(f.fam, f.cantine, "EF-A")
			reopened := func(day calendar.Date) int {
				t.Helper()
				n, err := booking.ReopenedOrdersOn(ctx, f.db.Reader(), day)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			in := func(do func(tx *sql.Tx) error) {
				t.Helper()
				if err := f.db.Tx(ctx, do); err != nil {
					t.Fatal(err)
				}
			}
			in(func(tx *sql.Tx) error { return booking.AddClosure(ctx, tx, tenth, "Grève", f.Clock.Now()) })
			if n := reopened(tenth); n != 0 {
				t.Fatalf("orders reopened on the 10th while it is closed: %d", n)
			}
			if tc.fill {
				f.exec(`UPDATE prestations SET capacity = 5 WHERE id = ?`, f.classique)
				f.exec(`INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, '2026-12-10', 1, 5)
					ON CONFLICT DO UPDATE SET booked = 5`, f.classique)
			}
			if tc.lift {
				in(func(tx *sql.Tx) error { return booking.RemoveClosure(ctx, tx, tenth) })
				if n, eleventh := reopened(tenth), reopened(calendar.DateOf(2026, 12, 11)); n != 1 || eleventh != 0 {
					t.Fatalf("orders reopened: the 10th %d, the 11th %d; want 1, 0", n, eleventh)
				}
			}
			res, err := f.confirm(f.fam, "EF-A")
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Confirmed) != tc.booked {
				t.Fatalf("confirmed %+v, rejected %+v; want %d booked", res.Confirmed, res.Rejected, tc.booked)
			}
			if tc.why != "" && (len(res.Rejected) != 1 || res.Rejected[0].Line.Day != tenth || !strings.Contains(strings.ToLower(res.Rejected[0].Reason), tc.why)) {
				t.Fatalf("rejected %+v, want the 10th for %q", res.Rejected, tc.why)
			}
		})
	}
}
