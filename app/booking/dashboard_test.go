package booking_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// reserve writes a reservation of FAMILLE X straight into the database:
// state, the child's school, and for a forfait the last day it covers.
func (f *fixture) reserve(child, prestation int64, day, until, state string, site int64) {
	f.T.Helper()
	var forfaitUntil any
	if until != "" {
		forfaitUntil = until
	}
	f.exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, forfait_until, state, price_cents, site_id, created_at, validated_at)
		VALUES (?, ?, ?, (SELECT regie_id FROM prestations WHERE id = ?), ?, ?, ?, 255, ?, 'x', 'x')`,
		f.fam, child, prestation, prestation, day, forfaitUntil, state, site)
}

// The back office's count of the day: validated bookings per school and
// prestation, PAI children among them, a monthly forfait on the weekdays
// its garderie is held only, cancelled bookings never.
func TestDayCountsCountsWhoIsExpectedThatDay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.exec(`UPDATE children SET pai = (id = ?)`, f.garcon)
	f.reserve(f.fille, f.classique, "2026-12-10", "", booking.StateValidated, 1)
	f.reserve(f.garcon, f.classique, "2026-12-10", "", booking.StateValidated, 1)
	f.reserve(f.garcon, f.vegetarien, "2026-12-10", "", booking.StateCancelled, 1)
	f.reserve(f.fille, f.classique, "2026-12-11", "", booking.StateValidated, 1)
	f.reserve(f.fille, f.garderieP, "2026-12-01", "2026-12-31", booking.StateValidated, 1)
	counts := func(day string) string {
		t.Helper()
		d, _ := calendar.ParseISO(day)
		list, err := booking.DayCounts(context.Background(), f.db.Reader(), d)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.School+"/"+c.Prestation+"/"+itoa(int64(c.Count))+"/PAI "+itoa(int64(c.PAI)))
		}
		return strings.Join(out, " ; ")
	}
	school := f.Text(slug, `SELECT name FROM schools WHERE id = 1`)
	for _, tc := range []struct{ name, day, want string }{
		{"thursday: two meals (one PAI child) and the garderie's forfait, not the cancelled meal", "2026-12-10",
			school + "/GARDERIE MATIN ET SOIR/1/PAI 0 ; " + school + "/REPAS CLASSIQUE ENFANT/2/PAI 1"},
		{"wednesday: the monthly forfait covers the day but the garderie is not held on wednesdays", "2026-12-09", ""},
		{"the forfait's first day counts", "2026-12-01", school + "/GARDERIE MATIN ET SOIR/1/PAI 0"},
		{"the forfait's last day counts", "2026-12-31", school + "/GARDERIE MATIN ET SOIR/1/PAI 0"},
		{"the day after the forfait does not", "2027-01-01", ""},
	} {
		if got := counts(tc.day); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The back office's list of carts not validated: one row per family and
// régie with the demandes' amount (annulations not counted), the oldest
// first; a limit of 0 or less means the default, not "none".
func TestPendingCartsListsTheOldestFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.validate(f.fille, f.classique, "2026-12-03")
	_ = f.toggle(f.fam, f.cantine, f.fille, f.classique, "2026-12-03") // an annulation
	_ = f.toggle(f.fam, f.cantine, f.garcon, f.classique, "2026-12-04")
	other, kids := f.addFamily("FAMILLE Y", 1)
	f.Clock.Set(f.Clock.Now().Add(time.Hour))
	_ = f.toggle(other, f.cantine, kids[0], f.vegetarien, "2026-12-04")
	_ = f.toggle(other, f.cantine, kids[0], f.vegetarien, "2026-12-07")
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		limit     int
		want      string
		wantTotal int
	}{
		{"no limit given: every cart, FAMILLE X's older one first", 0, "FAMILLE X 2 lines 255 ; FAMILLE Y 2 lines 510", 2},
		{"a negative limit is no limit either", -1, "FAMILLE X 2 lines 255 ; FAMILLE Y 2 lines 510", 2},
		{"a limit of one: the oldest cart, and the total of all", 1, "FAMILLE X 2 lines 255", 2},
	} {
		list, total, err := booking.PendingCarts(ctx, f.db.Reader(), tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.Family+" "+itoa(int64(c.Lines))+" lines "+itoa(c.AddCents))
		}
		if got := strings.Join(out, " ; "); got != tc.want || total != tc.wantTotal {
			t.Errorf("%s: got %q (%d in all), want %q (%d)", tc.name, got, total, tc.want, tc.wantTotal)
		}
	}
}

// Recording a partial closure: each refusal with its field, the whole
// commune's closure day refused, then a closure kept with its scope,
// listed, and removed once.
func TestPartialClosureRecordAndRemove(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	d := func(s string) calendar.Date { v, _ := calendar.ParseISO(s); return v }
	f.exec(`INSERT OR IGNORE INTO closures (day, reason, created_at) VALUES ('2026-12-18', 'Fermeture', 'x')`)
	add := func(c calendar.ScopedClosure) (int64, error) {
		var id int64
		err := f.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			id, err = booking.AddPartialClosure(ctx, tx, c, f.Clock.Now())
			return err
		})
		return id, err
	}
	canteen := []int64{f.classique}
	for _, tc := range []struct {
		name      string
		c         calendar.ScopedClosure
		wantField string // "" : ErrDayClosed
	}{
		{"no date", calendar.ScopedClosure{Reason: "Grève", Prestations: canteen}, "day"},
		{"a reason of spaces only", calendar.ScopedClosure{Date: d("2026-12-10"), Reason: "   ", Prestations: canteen}, "reason"},
		{"a reason of 201 characters", calendar.ScopedClosure{Date: d("2026-12-10"), Reason: strings.Repeat("a", 201), Prestations: canteen}, "reason"},
		{"neither prestation nor school: that is a closure of the whole commune", calendar.ScopedClosure{Date: d("2026-12-10"), Reason: "Grève"}, "scope"},
		{"a day the whole commune is already closed", calendar.ScopedClosure{Date: d("2026-12-18"), Reason: "Grève", Prestations: canteen}, ""},
	} {
		_, err := add(tc.c)
		var fe calendar.FieldErrors
		switch {
		case tc.wantField == "" && !errors.Is(err, booking.ErrDayClosed):
			t.Errorf("%s: %v, want ErrDayClosed", tc.name, err)
		case tc.wantField != "" && (!errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != tc.wantField):
			t.Errorf("%s: %v, want a message on %q", tc.name, err, tc.wantField)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM partial_closures`); n != 0 {
		t.Fatalf("%d partial closures recorded by refused forms", n)
	}
	reason := strings.Repeat("é", 100) // 200 bytes: the longest reason accepted
	id, err := add(calendar.ScopedClosure{Date: d("2026-12-10"), Reason: " " + reason + " ", Prestations: []int64{f.vegetarien, f.classique}, Schools: []int64{1}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := booking.PartialClosures(ctx, f.db.Reader())
	if err != nil || len(list) != 1 || list[0].ID != id || list[0].Reason != reason || list[0].Date != d("2026-12-10") ||
		len(list[0].Prestations) != 2 || list[0].Prestations[0] > list[0].Prestations[1] || len(list[0].Schools) != 1 {
		t.Fatalf("closures %+v %v", list, err)
	}
	remove := func() (calendar.ScopedClosure, error) {
		var c calendar.ScopedClosure
		err := f.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			c, err = booking.RemovePartialClosure(ctx, tx, id)
			return err
		})
		return c, err
	}
	if c, err := remove(); err != nil || c.ID != id || c.Reason != reason {
		t.Fatalf("remove: %+v %v", c, err)
	}
	if _, err := remove(); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("second remove: %v, want ErrNotFound", err)
	}
	if n := f.count(`SELECT COUNT(*) FROM partial_closure_prestations`); n != 0 {
		t.Fatalf("%d prestations left of the removed closure", n)
	}
}
