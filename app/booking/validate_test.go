package booking_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// checkCart is billing's CheckCart of the family's cantine cart, in a
// transaction of its own.
func (f *fixture) checkCart() booking.CartCheck {
	f.T.Helper()
	var check booking.CartCheck
	ctx := context.Background()
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		check, err = booking.CheckCart(ctx, tx, f.fam, f.cantine, f.Clock.Now())
		return err
	}); err != nil {
		f.T.Fatal(err)
	}
	return check
}

// confirmLines is billing's ConfirmLines of the family's lines ids for
// order ref, in a transaction of its own.
func (f *fixture) confirmLines(ids []int64, ref string) (booking.ConfirmResult, error) {
	var res booking.ConfirmResult
	ctx := context.Background()
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = booking.ConfirmLines(ctx, tx, f.fam, ids, ref, f.Clock.Now())
		return err
	})
	return res, err
}

// checkout runs what billing does: CheckCart then ConfirmLines of the kept
// lines, in one transaction.
func (f *fixture) checkout(fam, regie int64, ref string) (booking.CartCheck, booking.ConfirmResult, error) {
	var check booking.CartCheck
	var res booking.ConfirmResult
	ctx := context.Background()
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if check, err = booking.CheckCart(ctx, tx, fam, regie, f.Clock.Now()); err != nil {
			return err
		}
		ids := make([]int64, len(check.Lines))
		for i, l := range check.Lines {
			ids[i] = l.ID
		}
		res, err = booking.ConfirmLines(ctx, tx, fam, ids, ref, f.Clock.Now())
		return err
	})
	return check, res, err
}

// click toggles the cantine cell of Fille FAMILLE X for prestation on
// each day, as her parent's clicks on the agenda do.
func (f *fixture) click(prestation int64, days ...string) {
	f.T.Helper()
	for _, d := range days {
		if err := f.toggle(f.fam, f.cantine, f.fille, prestation, d); err != nil {
			f.T.Fatalf("click %s: %v", d, err)
		}
	}
}

// paid books Fille's prestation on days and pays for it as order ref:
// the cart held, then the payment confirmed.
func (f *fixture) paid(ref string, prestation int64, days ...string) {
	f.T.Helper()
	f.click(prestation, days...)
	f.hold(f.fam, f.cantine, ref)
	if _, err := f.confirm(f.fam, ref); err != nil {
		f.T.Fatalf("pay %s: %v", ref, err)
	}
}

func (f *fixture) toggle(fam, regie, child, prestation int64, day string) error {
	d, err := calendar.ParseISO(day)
	if err != nil {
		return err
	}
	_, err = booking.ToggleCell(context.Background(), f.db, booking.Click{FamilyID: fam, RegieID: regie, ChildID: child, PrestationID: prestation, Day: d}, f.Clock.Now())
	return err
}

func TestCheckCartRemovesWhatNoLongerHolds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.click(f.classique, "2026-11-26", "2026-12-03", "2026-12-10", "2026-12-11")
	if err := f.toggle(f.fam, f.cantine, f.garcon, f.classique, "2026-12-10"); err != nil {
		t.Fatal(err)
	}
	// The 10th fills up: one place left for two children of the family.
	f.exec(`UPDATE prestations SET capacity = 5 WHERE id = ?`, f.classique)
	f.exec(`INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, '2026-12-10', 1, 4)`, f.classique)
	// The commune closes on the 11th after the demande.
	ctx := context.Background()
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		return booking.AddClosure(ctx, tx, calendar.DateOf(2026, time.December, 11), "Grève", f.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	// And the deadline of the 26th passes (Tuesday 10:00).
	f.Clock.Set(time.Date(2026, time.November, 24, 10, 30, 0, 0, calendar.Paris()))

	check, res, err := f.checkout(f.fam, f.cantine, "ORDER-1")
	if err != nil {
		t.Fatal(err)
	}
	var removed []string
	for _, r := range check.Removed {
		removed = append(removed, r.Text())
	}
	want := []string{
		"REPAS CLASSIQUE ENFANT du 26/11/2026 pour Fille FAMILLE X : délai dépassé",
		"REPAS CLASSIQUE ENFANT du 11/12/2026 pour Fille FAMILLE X : fermeture (Grève)",
		"REPAS CLASSIQUE ENFANT du 10/12/2026 pour Garçon FAMILLE X : complet",
	}
	if strings.Join(removed, "\n") != strings.Join(want, "\n") {
		t.Fatalf("removed:\n%s\nwant:\n%s", strings.Join(removed, "\n"), strings.Join(want, "\n"))
	}
	if len(check.Lines) != 2 || check.TotalCents != 510 || res.TotalCents != 510 || len(res.Confirmed) != 2 {
		t.Fatalf("check %+v res %+v", check, res)
	}
	if n := f.count(`SELECT COUNT(*) FROM cart_lines`); n != 0 {
		t.Fatalf("cart lines left: %d", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM reservations WHERE order_ref = 'ORDER-1' AND state = 'validated' AND price_cents = 255`); n != 2 {
		t.Fatalf("reservations = %d", n)
	}
	if n := f.count(`SELECT booked FROM slot_counts WHERE prestation_id = ? AND day = '2026-12-10'`, f.classique); n != 5 {
		t.Fatalf("slot = %d", n)
	}
	// Billing's reading functions.
	list, err := booking.MonthReservations(ctx, f.db.Reader(), f.fam, f.cantine, 2026, time.December)
	if err != nil || len(list) != 2 || list[0].ChildName != "Fille FAMILLE X" || list[0].PrestationName != "REPAS CLASSIQUE ENFANT" {
		t.Fatalf("month: %+v %v", list, err)
	}
	if list, _ := booking.OrderReservations(ctx, f.db.Reader(), "ORDER-1"); len(list) != 2 {
		t.Fatalf("order reservations: %d", len(list))
	}
	// ConfirmLines on ids already confirmed rejects them.
	again, err := f.confirmLines([]int64{check.Lines[0].ID}, "ORDER-1")
	if err != nil || len(again.Confirmed) != 0 || len(again.Rejected) != 1 {
		t.Fatalf("again: %+v %v", again, err)
	}
}

func TestConfirmRejectsChildWhoLeftTheFamily(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if err := f.toggle(f.fam, f.cantine, f.garcon, f.vegetarien, "2026-12-03"); err != nil {
		t.Fatal(err)
	}
	other, _ := f.addFamily("FAMILLE Y", 0)
	f.exec(`UPDATE children SET family_id = ? WHERE id = ?`, other, f.garcon)
	check, _, err := f.checkout(f.fam, f.cantine, "O")
	if err != nil || len(check.Removed) != 1 || !strings.Contains(check.Removed[0].Reason, "plus rattaché") {
		t.Fatalf("%+v %v", check, err)
	}
}

func TestReplacingValidatedMealThroughCheckout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.click(f.classique, "2026-12-03")
	if _, res, err := f.checkout(f.fam, f.cantine, "A"); err != nil || len(res.Confirmed) != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	// Vegetarian instead: the classic's cancellation plus the new demande, total 0.
	f.click(f.vegetarien, "2026-12-03")
	check, res, err := f.checkout(f.fam, f.cantine, "B")
	if err != nil || check.TotalCents != 0 || len(res.Confirmed) != 2 || len(res.Rejected) != 0 {
		t.Fatalf("%+v %+v %v", check, res, err)
	}
	if n := f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND prestation_id = ?`, f.vegetarien); n != 1 {
		t.Fatal("vegetarian not validated")
	}
	if n := f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'cancelled' AND cancel_order_ref = 'B'`); n != 1 {
		t.Fatal("classic not cancelled")
	}
}

// 50 families book the last 10 places of a day at the same moment:
// exactly 10 get one, the slot count equals the reservations.
func TestLastPlacesUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.exec(`UPDATE prestations SET capacity = 30 WHERE id = ?`, f.classique)
	f.exec(`INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, '2026-12-10', 0, 20)`, f.classique)
	type fam struct{ id, child int64 }
	var fams []fam
	for i := range 50 {
		id, kids := f.addFamily(fmt.Sprintf("FAMILLE %02d", i), 1)
		fams = append(fams, fam{id, kids[0]})
		if err := f.toggle(id, f.cantine, kids[0], f.classique, "2026-12-10"); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	results := make(chan int, len(fams))
	for _, fm := range fams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, res, err := f.checkout(fm.id, f.cantine, fmt.Sprintf("O-%d", fm.id))
			if err != nil {
				t.Error(err)
				return
			}
			results <- len(res.Confirmed)
		}()
	}
	close(start)
	wg.Wait()
	close(results)
	ok := 0
	for n := range results {
		ok += n
	}
	if ok != 10 {
		t.Fatalf("%d families got a place, want 10", ok)
	}
	if n := f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND day = '2026-12-10'`); n != 10 {
		t.Fatalf("reservations = %d", n)
	}
	if n := f.count(`SELECT SUM(booked) FROM slot_counts WHERE prestation_id = ? AND day = '2026-12-10'`, f.classique); n != 30 {
		t.Fatalf("booked = %d, want 30", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM cart_lines`); n != 0 {
		t.Fatalf("cart lines left = %d", n)
	}
}

// Two guardians edit one cart at once, each from a device: nothing is
// lost, and the same cell clicked by both is demanded once.
func TestTwoGuardiansShareOneCart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	days := func(from string, weekday time.Weekday) []string {
		var out []string
		d, _ := calendar.ParseISO(from)
		for range 30 {
			if d.Weekday() == weekday && calendar.NewZoneCalendar("B").IsOpen(d) {
				out = append(out, d.String())
			}
			d = d.AddDays(1)
		}
		return out
	}
	mondays, thursdays := days("2026-11-26", time.Monday), days("2026-11-26", time.Thursday)
	var wg sync.WaitGroup
	for g, list := range [][]string{mondays, thursdays} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := f.client(f.fam)
			for _, d := range list {
				c.click(f.cantine, f.fille, f.classique, d, "reserver")
				c.click(f.cantine, f.garcon, f.vegetarien, "2026-12-10", "reserver") // both guardians, same cell
			}
			_ = g
		}()
	}
	wg.Wait()
	want := len(mondays) + len(thursdays) + 1
	if n := f.count(`SELECT COUNT(*) FROM cart_lines WHERE family_id = ?`, f.fam); n != want {
		t.Fatalf("cart lines = %d, want %d", n, want)
	}
	lines, err := booking.CartLines(context.Background(), f.db.Reader(), f.fam, f.cantine)
	if err != nil {
		t.Fatal(err)
	}
	if v := booking.Summarize(lines); v.TotalCents != int64(want)*255 {
		t.Fatalf("total = %d", v.TotalCents)
	}
}

func TestSettingsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	in := booking.PrestationInput{RegieID: f.cantine, Name: "REPAS SANS PORC", Kind: booking.KindDaily,
		Weekdays: calendar.WeekdaysOf(time.Monday, time.Thursday), ExclusiveGroup: "repas", PriceCents: 255, Capacity: 2,
		Booking: calendar.Deadline{Kind: calendar.DeadlineWorkingDays, Days: 2, Hour: 10}, Cancel: calendar.Deadline{Kind: calendar.DeadlineWorkingDays, Days: 2, Hour: 10}}
	var id int64
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = booking.CreatePrestation(ctx, tx, in, f.Clock.Now()); err != nil {
			return err
		}
		return booking.SetPriceBrackets(ctx, tx, id, []calendar.Bracket{{MaxQF: 600, Cents: 150}, {MaxQF: 1000, Cents: 210}, {Cents: 300}})
	})
	if err != nil {
		t.Fatal(err)
	}
	// FAMILLE X has a QF of 650 valid this school year: second bracket.
	f.click(id, "2026-12-03")
	if n := f.count(`SELECT price_cents FROM cart_lines WHERE prestation_id = ?`, id); n != 210 {
		t.Fatalf("price = %d", n)
	}
	// A bracket change applies to new demandes only.
	_ = f.db.Tx(ctx, func(tx *sql.Tx) error {
		return booking.SetPriceBrackets(ctx, tx, id, []calendar.Bracket{{MaxQF: 1000, Cents: 100}, {Cents: 300}})
	})
	if err := f.toggle(f.fam, f.cantine, f.garcon, id, "2026-12-03"); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT SUM(price_cents) FROM cart_lines WHERE prestation_id = ?`, id); n != 310 {
		t.Fatalf("prices = %d", n)
	}
	// The agenda shows the new meal type; the capacity of 2 is per day.
	body := f.client(f.fam).get(f.agendaPath(f.cantine, f.fille, "2026-11-30"))
	mustContain(t, body, "REPAS SANS PORC")

	for _, tc := range []struct {
		name string
		fn   func(tx *sql.Tx) error
		want string
	}{
		{"empty name and no weekday", func(tx *sql.Tx) error {
			_, err := booking.CreatePrestation(ctx, tx, booking.PrestationInput{RegieID: f.cantine, Kind: booking.KindDaily}, f.Clock.Now())
			return err
		}, "Le nom de la prestation est obligatoire (120 caractères au plus) ; Choisissez au moins un jour de la semaine"},
		{"duplicate name", func(tx *sql.Tx) error { _, err := booking.CreatePrestation(ctx, tx, in, f.Clock.Now()); return err }, "une prestation de ce nom existe déjà"},
		{"forfait without period", func(tx *sql.Tx) error {
			bad := in
			bad.Name, bad.Kind = "X", booking.KindForfait
			_, err := booking.CreatePrestation(ctx, tx, bad, f.Clock.Now())
			return err
		}, "Choisissez la période du forfait"},
		{"kind change of a booked prestation", func(tx *sql.Tx) error {
			if _, err := tx.Exec(`INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, state, price_cents, created_at, validated_at)
				VALUES (?, ?, ?, ?, '2026-12-01', 'validated', 2500, 'x', 'x')`, f.fam, f.fille, f.garderieP, f.garderie); err != nil {
				return err
			}
			return booking.UpdatePrestation(ctx, tx, f.garderieP, booking.PrestationInput{RegieID: f.garderie, Name: "G", Kind: booking.KindDaily, Weekdays: calendar.SchoolWeek})
		}, "ne peuvent plus changer"},
		{"update keeps rules valid", func(tx *sql.Tx) error {
			up := in
			up.Capacity = 40
			return booking.UpdatePrestation(ctx, tx, id, up)
		}, ""},
		{"decreasing brackets", func(tx *sql.Tx) error {
			return booking.SetPriceBrackets(ctx, tx, id, []calendar.Bracket{{MaxQF: 900, Cents: 1}, {MaxQF: 500, Cents: 2}, {Cents: 3}})
		}, "croissantes"},
		{"closure without reason", func(tx *sql.Tx) error {
			return booking.AddClosure(ctx, tx, calendar.DateOf(2027, 1, 5), " ", f.Clock.Now())
		}, "motif"},
		{"closure twice", func(tx *sql.Tx) error {
			if err := booking.AddClosure(ctx, tx, calendar.DateOf(2027, 1, 5), "Grève", f.Clock.Now()); err != nil {
				return err
			}
			return booking.AddClosure(ctx, tx, calendar.DateOf(2027, 1, 5), "Grève", f.Clock.Now())
		}, "déjà un jour de fermeture"},
		{"reopen a day that was not closed", func(tx *sql.Tx) error { return booking.RemoveClosure(ctx, tx, calendar.DateOf(2027, 1, 6)) }, "introuvable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := f.db.Tx(ctx, func(tx *sql.Tx) error {
				if err := tc.fn(tx); err != nil {
					return err
				}
				return errors.New("rollback")
			})
			if tc.want == "" {
				if err == nil || err.Error() != "rollback" {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
