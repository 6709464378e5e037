package billing_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

func TestMajoration(t *testing.T) {
	tests := []struct {
		name  string
		base  int64
		kind  string
		value int64
		want  int64
	}{
		{"10 % of 2,55 € is 0,255 €, rounded half up to 0,26 €", 255, "percent", 10, 26},
		{"10 % of 2,54 € is 0,254 €, rounded down to 0,25 €", 254, "percent", 10, 25},
		{"10 % of 2,56 € is 0,256 €, rounded up to 0,26 €", 256, "percent", 10, 26},
		{"25 % of 2,00 € is exactly 0,50 €", 200, "percent", 25, 50},
		{"100 % doubles the price", 255, "percent", 100, 255},
		{"0 % adds nothing", 255, "percent", 0, 0},
		{"a percentage of a free day is nothing", 0, "percent", 50, 0},
		{"1 % of 0,49 € rounds to nothing", 49, "percent", 1, 0},
		{"1 % of 0,50 € rounds to one cent", 50, "percent", 1, 1},
		{"fixed 1,00 € whatever the price", 255, "fixed", 100, 100},
		{"fixed 1,00 € on a free day", 0, "fixed", 100, 100},
		{"no majoration configured adds nothing, whatever the value", 255, "", 100, 0},
		{"an unknown kind adds nothing", 255, "double", 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := billing.Majoration(tt.base, tt.kind, tt.value); got != tt.want {
				t.Fatalf("Majoration(%d, %q, %d) = %d, want %d", tt.base, tt.kind, tt.value, got, tt.want)
			}
		})
	}
}

// majorationRules gives the family a quotient familial of 650, the classic
// meal a grid of 1,50 € / 2,10 € / 3,00 € (QF up to 600, up to 1000,
// above) with a 10 % majoration, and the vegetarian meal a fixed 1,00 €
// majoration; it returns the classic meal's, the vegetarian meal's and
// the garderie's ids.
func (e *env) majorationRules() (classique, vege, garderie int64) {
	e.t.Helper()
	ctx := context.Background()
	classique, vege, garderie = e.prestations["REPAS CLASSIQUE ENFANT"], e.prestations["REPAS VEGETARIEN"], e.prestations["GARDERIE MATIN ET SOIR"]
	e.Exec(demo.Slug, `UPDATE families SET qf_value = 650, qf_valid_from = '2000-01-01', qf_valid_until = '2999-12-31' WHERE id = ?`, e.family)
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		return booking.SetPriceBrackets(ctx, tx, classique, []calendar.Bracket{{MaxQF: 600, Cents: 150}, {MaxQF: 1000, Cents: 210}, {Cents: 300}})
	}); err != nil {
		e.t.Fatal(err)
	}
	e.Exec(demo.Slug, `UPDATE prestations SET surcharge_kind = 'percent', surcharge_value = 10 WHERE id = ?`, classique)
	e.Exec(demo.Slug, `UPDATE prestations SET surcharge_kind = 'fixed', surcharge_value = 100 WHERE id = ?`, vege)
	return classique, vege, garderie
}

// A child marked present at the pointage without a booking is invoiced
// the day's price (as the family's quotient familial sets it) plus the
// prestation's majoration; only such days of the month, of the family's
// children, in the régie's prestations, count.
func TestMajorationLinesOfAMonth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	year := e.clock.Now().Year()
	classique, vege, garderie := e.majorationRules()
	fille, garcon := e.children[0], e.children[1]
	e.Exec(demo.Slug, `INSERT INTO families (name, created_at) VALUES ('FAMILLE Y', '2026-01-01')`)
	e.Exec(demo.Slug, `INSERT INTO children (family_id, first_name, last_name, birth_date, school_id, created_at)
		VALUES ((SELECT id FROM families WHERE name = 'FAMILLE Y'), 'Enfant', 'FAMILLE Y', '2018-03-01', 1, '2026-01-01')`)
	var stranger int64
	e.scalar(`SELECT id FROM children WHERE last_name = 'FAMILLE Y'`, &stranger)
	mark := func(day string, prestation, child int64, status string, unbooked int) {
		e.Exec(demo.Slug, `INSERT INTO attendance (day, prestation_id, child_id, status, unbooked, recorded_at) VALUES (?, ?, ?, ?, ?, 'x')`,
			fmt.Sprintf("%d-%s", year, day), prestation, child, status, unbooked)
	}
	mark("11-02", classique, garcon, "present", 1) // first day of the month
	mark("11-02", vege, fille, "present", 1)
	mark("11-30", classique, fille, "present", 1)    // last day of the month
	mark("10-31", classique, fille, "present", 1)    // the month before
	mark("12-01", classique, fille, "present", 1)    // the month after
	mark("11-10", classique, fille, "present", 0)    // booked: invoiced as a booking, not here
	mark("11-12", classique, garcon, "absent", 1)    // absent
	mark("11-03", classique, stranger, "present", 1) // another family
	mark("11-05", garderie, fille, "present", 1)     // another régie

	lines, err := billing.MajorationLines(ctx, e.db.Reader(), e.family, e.cantine, year, time.November)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lines {
		got = append(got, fmt.Sprintf("%s %s %s %s %d×%d=%d", l.Day, l.ChildName, l.Prestation, l.Label, l.Quantity, l.UnitCents, l.AmountCents))
	}
	eur := func(c int64) string { return calendar.FormatEuros(c) }
	want := []string{
		// QF 650: 2,10 € plus 10 % (0,21 €).
		fmt.Sprintf("%d-11-02 Fille FAMILLE X REPAS VEGETARIEN Présent sans réservation (majoration %s) 1×355=355", year, eur(100)),
		fmt.Sprintf("%d-11-02 Garçon FAMILLE X REPAS CLASSIQUE ENFANT Présent sans réservation (majoration %s) 1×231=231", year, eur(21)),
		fmt.Sprintf("%d-11-30 Fille FAMILLE X REPAS CLASSIQUE ENFANT Présent sans réservation (majoration %s) 1×231=231", year, eur(21)),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without a majoration configured, the day's price alone, labelled plainly.
	lines, err = billing.MajorationLines(ctx, e.db.Reader(), e.family, e.garderie, year, time.November)
	if err != nil || len(lines) != 1 || lines[0].Label != "Présent sans réservation" || lines[0].AmountCents != 2500 || lines[0].UnitCents != 2500 {
		t.Fatalf("garderie: %+v %v", lines, err)
	}
	// A month without any such day has no line.
	if lines, err := billing.MajorationLines(ctx, e.db.Reader(), e.family, e.cantine, year, time.September); err != nil || len(lines) != 0 {
		t.Fatalf("september: %+v %v", lines, err)
	}
	// December: the 1st only.
	if lines, err := billing.MajorationLines(ctx, e.db.Reader(), e.family, e.cantine, year, time.December); err != nil || len(lines) != 1 ||
		lines[0].Day != calendar.DateOf(year, time.December, 1) {
		t.Fatalf("december: %+v %v", lines, err)
	}
}

// credit grants one movement of the family's credit in the cantine régie.
func (e *env) credit(kind string, cents int64, reservation int64) bool {
	e.t.Helper()
	var ok bool
	err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
		var err error
		ok, err = billing.AddCredit(context.Background(), tx, billing.NewCredit{FamilyID: e.family, RegieID: e.cantine, Kind: kind,
			AmountCents: cents, Label: kind, ReservationID: reservation}, e.clock.Now())
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return ok
}

func TestCreditLedger(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if e.credit("manual", 0, 0) {
		t.Fatal("a movement of 0 cents was written")
	}
	if !e.credit("cancel", 255, 41) || !e.credit("closure", 255, 41) {
		t.Fatal("a cancellation and a closure of one reservation are two movements")
	}
	if e.credit("cancel", 255, 41) {
		t.Fatal("the same cancellation was credited twice")
	}
	if !e.credit("manual", 500, 0) || !e.credit("manual", 500, 0) {
		t.Fatal("movements without order or reservation are never merged")
	}
	if bal, err := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.cantine); err != nil || bal != 1510 {
		t.Fatalf("balance = %d, %v; want 1510", bal, err)
	}
	if bal, err := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.garderie); err != nil || bal != 0 {
		t.Fatalf("another régie's balance = %d, %v", bal, err)
	}
	// An order's use of the credit moves the balance but is not listed: the
	// family sees it on the order.
	e.Exec(demo.Slug, `INSERT INTO credits (family_id, regie_id, kind, amount_cents, created_at) VALUES (?, ?, 'order', -10, 'x')`, e.family, e.cantine)
	list, err := billing.FamilyCredits(ctx, e.db.Reader(), e.family)
	if err != nil || len(list) != 4 || list[0].Kind != "manual" || list[3].Kind != "cancel" || list[3].AmountCents != 255 {
		t.Fatalf("credits, newest first: %+v %v", list, err)
	}
	if bal, _ := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.cantine); bal != 1500 {
		t.Fatalf("balance after the order = %d, want 1500", bal)
	}
	// A used credit shows as a negative balance nowhere: only positive balances are listed.
	e.Exec(demo.Slug, `INSERT INTO credits (family_id, regie_id, kind, amount_cents, created_at) VALUES (?, ?, 'manual', -50, 'x')`, e.family, e.garderie)
	bals, err := billing.FamilyBalances(ctx, e.db.Reader(), e.family)
	if err != nil || len(bals) != 1 || bals[0].RegieID != e.cantine || bals[0].AmountCents != 1500 || bals[0].RegieName == "" {
		t.Fatalf("balances: %+v %v", bals, err)
	}
}

// Only what was paid in advance is credited back: a prepaid régie's
// reservations, once each per kind; a post-paid one's are simply not invoiced.
func TestCreditReservations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	run := func(kind string, list ...billing.ReservationCredit) int64 {
		t.Helper()
		var total int64
		if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			total, err = billing.CreditReservations(ctx, tx, kind, list, e.clock.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return total
	}
	meal := func(id, cents int64) billing.ReservationCredit {
		return billing.ReservationCredit{FamilyID: e.family, RegieID: e.cantine, ReservationID: id, AmountCents: cents, Label: "Annulation"}
	}
	forfait := billing.ReservationCredit{FamilyID: e.family, RegieID: e.garderie, ReservationID: 9, AmountCents: 2500, Label: "Fermeture"}
	if got := run("cancel", meal(1, 255), meal(2, 255), forfait); got != 510 {
		t.Fatalf("credited %d, want 510 (the post-paid forfait is not credited)", got)
	}
	if got := run("cancel", meal(2, 255), meal(3, 300)); got != 300 {
		t.Fatalf("second run credited %d, want 300 (reservation 2 was already credited)", got)
	}
	if got := run("closure", meal(2, 255)); got != 255 {
		t.Fatalf("closure of a cancelled reservation credited %d, want 255 (another kind)", got)
	}
	if bal, _ := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.cantine); bal != 1065 {
		t.Fatalf("balance = %d, want 1065", bal)
	}
	if bal, _ := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.garderie); bal != 0 {
		t.Fatalf("post-paid balance = %d, want 0", bal)
	}
}

// A refund paid by hand lowers the family's credit, never below zero.
func TestRefundCredit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.credit("cancel", 1000, 7)
	day := calendar.DateOf(2026, time.December, 3)
	refund := func(r billing.Refund) (int64, error) {
		var bal int64
		err := e.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			bal, err = billing.RefundCredit(ctx, tx, r, e.clock.Now())
			return err
		})
		return bal, err
	}
	base := billing.Refund{FamilyID: e.family, RegieID: e.cantine, AmountCents: 400, Day: day, Means: billing.RefundCheque, Reference: "1234567"}
	for _, tc := range []struct {
		name   string
		change func(r *billing.Refund)
	}{
		{"zero amount", func(r *billing.Refund) { r.AmountCents = 0 }},
		{"negative amount", func(r *billing.Refund) { r.AmountCents = -400 }},
		{"no day", func(r *billing.Refund) { r.Day = calendar.Date{} }},
		{"unknown means", func(r *billing.Refund) { r.Means = "especes" }},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			r := base
			tc.change(&r)
			if _, err := refund(r); err == nil || errors.Is(err, billing.ErrRefundTooHigh) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if n := e.count(`SELECT COUNT(*) FROM credits WHERE kind = 'refund'`); n != 0 {
		t.Fatalf("refused refunds wrote %d rows", n)
	}
	r := base
	r.AmountCents = 1001
	if bal, err := refund(r); !errors.Is(err, billing.ErrRefundTooHigh) || bal != 1000 {
		t.Fatalf("one cent more than the credit: %d, %v", bal, err)
	}
	if bal, err := refund(base); err != nil || bal != 600 {
		t.Fatalf("cheque of 4,00 €: balance %d, %v", bal, err)
	}
	var label string
	e.scalar(`SELECT label FROM credits WHERE kind = 'refund' AND amount_cents = -400`, &label)
	if label != "Remboursement par chèque du 03/12/2026 (réf. 1234567)" {
		t.Fatalf("label %q", label)
	}
	r = base
	r.AmountCents, r.Means, r.Reference = 600, billing.RefundTransfer, ""
	if bal, err := refund(r); err != nil || bal != 0 {
		t.Fatalf("transfer of the whole rest: balance %d, %v", bal, err)
	}
	e.scalar(`SELECT label FROM credits WHERE kind = 'refund' AND amount_cents = -600`, &label)
	if label != "Remboursement par virement du 03/12/2026" {
		t.Fatalf("label %q", label)
	}
	if bal, _ := billing.CreditBalance(ctx, e.db.Reader(), e.family, e.cantine); bal != 0 {
		t.Fatalf("balance = %d", bal)
	}
}

// The monthly run's preview of an ended month: a post-paid régie's
// validated bookings (a forfait once, priced as booked), a prepaid
// régie's majorations only, nothing cancelled, nothing of another month.
func TestPreviewEndedMonth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	year := e.clock.Now().Year() // the clock is in October: September is over
	fille := e.children[0]
	garderie, classique := e.prestations["GARDERIE MATIN ET SOIR"], e.prestations["REPAS CLASSIQUE ENFANT"]
	// The second Monday of September is a school day in every zone.
	monday := calendar.DateOf(year, time.September, 1)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDays(1)
	}
	monday = monday.AddDays(7)
	reserve := func(prestation, regie int64, from, until calendar.Date, state string, cents int64) {
		e.Exec(demo.Slug, `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, forfait_from, forfait_until, state, price_cents, created_at, validated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'x', 'x')`, e.family, fille, prestation, regie, from, from, until, state, cents)
	}
	reserve(garderie, e.garderie, calendar.DateOf(year, time.September, 1), calendar.DateOf(year, time.September, 30), "validated", 2400)
	reserve(garderie, e.garderie, calendar.DateOf(year, time.October, 1), calendar.DateOf(year, time.October, 31), "validated", 2500)
	reserve(classique, e.cantine, monday, monday, "validated", 255) // prepaid: paid at the booking
	e.Exec(demo.Slug, `UPDATE prestations SET surcharge_kind = 'fixed', surcharge_value = 100 WHERE id = ?`, classique)
	e.Exec(demo.Slug, `INSERT INTO attendance (day, prestation_id, child_id, status, unbooked, recorded_at) VALUES (?, ?, ?, 'present', 1, 'x')`,
		monday.AddDays(1), classique, fille)

	// A family with nothing to invoice is passed over, not the end of the list.
	e.Exec(demo.Slug, `INSERT INTO families (name, created_at) VALUES ('FAMILLE SANS RIEN', '2026-01-01')`)
	p, err := billing.PreviewMonth(ctx, e.db.Reader(), year, time.September)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range p.Families {
		if f.FamilyName == "" || f.FamilyID != e.family {
			t.Fatalf("family %+v", f)
		}
		got = append(got, fmt.Sprintf("%s: %d line(s), %d", f.RegieName, f.Lines, f.TotalCents))
	}
	want := []string{"REGIE CANTINE - prépaiement: 1 line(s), 355", "REGIE GARDERIE - post-paiement: 1 line(s), 2400"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || p.TotalCents != 2755 || p.Existing != 0 {
		t.Fatalf("preview %d existing, total %d:\n%s\nwant:\n%s", p.Existing, p.TotalCents, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A cancelled forfait is not invoiced.
	e.Exec(demo.Slug, `UPDATE reservations SET state = 'cancelled' WHERE price_cents = 2400`)
	if p, err := billing.PreviewMonth(ctx, e.db.Reader(), year, time.September); err != nil || len(p.Families) != 1 || p.TotalCents != 355 {
		t.Fatalf("after the cancellation: %+v %v", p, err)
	}
}

// Only service done is invoiced for a month: a post-paid day booked on a
// day the commune was closed (a closure, a weekend) is left out, as is a
// child marked present on such a day; a forfait is invoiced whole (its
// closed days are credited by the closure itself). A family already
// invoiced for the month is counted apart and not invoiced twice.
func TestMonthInvoicesOnlyDaysTheCommuneWasOpen(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	year := e.clock.Now().Year() // the clock is in October: September is over
	fille := e.children[0]
	garderie, classique := e.prestations["GARDERIE MATIN ET SOIR"], e.prestations["REPAS CLASSIQUE ENFANT"]
	monday := calendar.DateOf(year, time.September, 1)
	for monday.Weekday() != time.Monday {
		monday = monday.AddDays(1)
	}
	monday = monday.AddDays(7) // a school day in every zone
	tuesday, saturday := monday.AddDays(1), monday.AddDays(5)
	if err := e.db.Tx(ctx, func(tx *sql.Tx) error {
		return booking.AddClosure(ctx, tx, tuesday, "Grève", e.clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	day := func(d calendar.Date, cents int64) {
		e.Exec(demo.Slug, `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, state, price_cents, created_at, validated_at)
			VALUES (?, ?, ?, ?, ?, 'validated', ?, 'x', 'x')`, e.family, fille, garderie, e.garderie, d, cents)
	}
	day(monday, 101)   // open: invoiced
	day(tuesday, 202)  // closed by the commune
	day(saturday, 404) // a weekend
	e.Exec(demo.Slug, `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, forfait_from, forfait_until, state, price_cents, created_at, validated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'validated', 2400, 'x', 'x')`, e.family, fille, garderie, e.garderie,
		calendar.DateOf(year, time.September, 1), calendar.DateOf(year, time.September, 1), calendar.DateOf(year, time.September, 30))
	present := func(d calendar.Date) {
		e.Exec(demo.Slug, `INSERT INTO attendance (day, prestation_id, child_id, status, unbooked, recorded_at) VALUES (?, ?, ?, 'present', 1, 'x')`,
			d, classique, fille)
	}
	present(monday)  // 2,55 € without majoration
	present(tuesday) // closed: not invoiced

	p, err := billing.PreviewMonth(ctx, e.db.Reader(), year, time.September)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range p.Families {
		got = append(got, fmt.Sprintf("%s: %d line(s), %d", f.RegieName, f.Lines, f.TotalCents))
	}
	want := []string{"REGIE CANTINE - prépaiement: 1 line(s), 255", "REGIE GARDERIE - post-paiement: 2 line(s), 2501"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || p.TotalCents != 2756 || p.Existing != 0 {
		t.Fatalf("preview, %d existing, total %d:\n%s\nwant:\n%s", p.Existing, p.TotalCents, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The garderie's September invoice exists already: that family and
	// régie is counted apart, the cantine's majoration is still due.
	e.Exec(demo.Slug, `INSERT INTO invoices (regie_id, family_id, number, year, seq, status, issued_on, period_start, period_end, period_key, total_cents, created_at)
		VALUES (?, ?, 'G-1', ?, 1, 'open', '2026-10-01', '2026-09-01', '2026-09-30', ?, 2501, 'x')`, e.garderie, e.family, year, fmt.Sprintf("%d-09", year))
	p, err = billing.PreviewMonth(ctx, e.db.Reader(), year, time.September)
	if err != nil || p.Existing != 1 || len(p.Families) != 1 || p.Families[0].RegieID != e.cantine || p.TotalCents != 255 {
		t.Fatalf("with the garderie invoiced: %+v %v", p, err)
	}
}

// A movement of the credits ledger is written once per order and kind (a
// payment notified twice credits once), but an order's movements of
// different kinds all count.
func TestCreditOncePerOrderAndKind(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.usePayFiP()
	e.book(e.children[0], 1)
	o := e.startCart()
	add := func(kind string, cents int64) bool {
		t.Helper()
		var ok bool
		if err := e.db.Tx(context.Background(), func(tx *sql.Tx) error {
			var err error
			ok, err = billing.AddCredit(context.Background(), tx, billing.NewCredit{FamilyID: e.family, RegieID: e.cantine, Kind: kind,
				AmountCents: cents, Label: kind, OrderID: o.ID}, e.clock.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !add("late", 255) || add("late", 255) || !add("rejected", 100) {
		t.Fatal("an order's movement of one kind must be written once, another kind again")
	}
	if n := e.count(`SELECT COUNT(*) FROM credits WHERE order_id = ?`, o.ID); n != 2 {
		t.Fatalf("%d movements for the order, want 2", n)
	}
	if e.balance() != 355 {
		t.Fatalf("avoir = %d, want 355", e.balance())
	}
}
