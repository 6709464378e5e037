package absences_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"espacefamille/app/absences"
	"espacefamille/app/apptest"
	"espacefamille/app/billing"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/demo"
)

// thursday is 2026-12-03 07:30 in Paris: before the 09:00 deadline.
var thursday = time.Date(2026, 12, 3, 7, 30, 0, 0, calendar.Paris())

// fixture is the demo commune with bookings of "Fille FAMILLE X".
type fixture struct {
	e   *apptest.Env
	ids apptest.DemoIDs
}

func newFixture(t *testing.T) fixture {
	e := apptest.New(t, apptest.At(thursday))
	return fixture{e: e, ids: e.Demo()}
}

// book writes a validated booking of the child on day (and its place).
func (f fixture) book(child, prestation, regie int64, day string, cents int64) int64 {
	f.e.Exec(demo.Slug, `INSERT INTO slot_counts (prestation_id, day, site_id, booked) VALUES (?, ?, 0, 1)
		ON CONFLICT DO UPDATE SET booked = booked + 1`, prestation, day)
	return f.e.Exec(demo.Slug, `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, day, state, price_cents, created_at, validated_at)
		VALUES (?, ?, ?, ?, ?, 'validated', ?, '2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z')`, f.ids.Family, child, prestation, regie, day, cents)
}

func (f fixture) rule(r absences.Rule) {
	f.e.Tx(demo.Slug, func(tx *sql.Tx) error { return absences.SaveRule(context.Background(), tx, r) })
}

func (f fixture) declare(t *testing.T, day string, cert []byte, now time.Time) (absences.Outcome, error) {
	t.Helper()
	var out absences.Outcome
	var derr error
	d := absences.Declaration{FamilyID: f.ids.Family, ChildID: f.ids.Fille, Day: mustDay(day), By: "Y FAMILLE X"}
	if cert != nil {
		d.Certificate = &absences.Upload{Data: cert}
	}
	err := f.e.DB(demo.Slug).Tx(context.Background(), func(tx *sql.Tx) error {
		out, derr = absences.Declare(context.Background(), tx, d, now)
		return derr
	})
	return out, err
}

func mustDay(s string) calendar.Date {
	d, err := calendar.ParseISO(s)
	if err != nil {
		panic(err)
	}
	return d
}

var pdf = []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")

func (f fixture) balance(t *testing.T) int64 {
	t.Helper()
	return f.e.Int(demo.Slug, `SELECT COALESCE(SUM(amount_cents), 0) FROM credits WHERE family_id = ? AND regie_id = ?`, f.ids.Family, f.ids.Cantine)
}

func TestAbsenceCancelsTheDayAndCreditsWhatTheRuleGrants(t *testing.T) {
	f := newFixture(t)
	f.rule(absences.Rule{Enabled: true, DeadlineHour: 9, CarenceDays: 1, CertificateRequired: true})
	meal := f.ids.Prestations["REPAS CLASSIQUE ENFANT"]
	thu := f.book(f.ids.Fille, meal, f.ids.Cantine, "2026-12-03", 320)
	fri := f.book(f.ids.Fille, meal, f.ids.Cantine, "2026-12-04", 320)

	out, err := f.declare(t, "2026-12-03", pdf, thursday)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Carence || out.CreditCents != 0 || out.Rank != 1 {
		t.Fatalf("thursday, first day: %+v, want a jour de carence without credit", out)
	}
	if s := f.e.Text(demo.Slug, `SELECT state FROM reservations WHERE id = ?`, thu); s != "cancelled" {
		t.Fatalf("thursday's booking is %s", s)
	}
	// The kitchen's numbers (booking.ReservationsOn) and the place count drop at once.
	var on []booking.Reservation
	f.e.Tx(demo.Slug, func(tx *sql.Tx) error {
		var err error
		on, err = booking.ReservationsOn(context.Background(), tx, mustDay("2026-12-03"))
		return err
	})
	if len(on) != 0 {
		t.Fatalf("the kitchen still counts %d meals on thursday", len(on))
	}
	if n := f.e.Int(demo.Slug, `SELECT booked FROM slot_counts WHERE prestation_id = ? AND day = '2026-12-03'`, meal); n != 0 {
		t.Fatalf("thursday's place still counted: %d", n)
	}

	// Friday, declared on thursday evening: the second day, refunded with its certificate.
	out, err = f.declare(t, "2026-12-04", pdf, thursday.Add(12*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if out.Carence || out.Rank != 2 || out.CreditCents != 320 {
		t.Fatalf("friday, second day: %+v, want 3,20 € credited", out)
	}
	if got := f.balance(t); got != 320 {
		t.Fatalf("balance %d, want 320", got)
	}
	if n := f.e.Int(demo.Slug, `SELECT credit_cents FROM absences WHERE reservation_id = ?`, fri); n != 320 {
		t.Fatalf("friday's absence records %d cents", n)
	}

	// Declaring the same day again: nothing left to cancel, no second credit.
	if _, err := f.declare(t, "2026-12-04", pdf, thursday.Add(12*time.Hour)); err == nil {
		t.Fatal("a second declaration of friday was accepted")
	}
	if got := f.balance(t); got != 320 {
		t.Fatalf("balance %d after a repeated declaration", got)
	}
}

func TestDeclaringTheEarlierDayAfterTheLaterOneRefundsTheLater(t *testing.T) {
	f := newFixture(t)
	f.rule(absences.Rule{Enabled: true, DeadlineHour: 9, CarenceDays: 1, CertificateRequired: false})
	meal := f.ids.Prestations["REPAS CLASSIQUE ENFANT"]
	f.book(f.ids.Fille, meal, f.ids.Cantine, "2026-12-03", 320)
	f.book(f.ids.Fille, meal, f.ids.Cantine, "2026-12-04", 320)
	// Friday first (07:00): alone, it is the first day, a carence day.
	if out, err := f.declare(t, "2026-12-04", nil, thursday.Add(-30*time.Minute)); err != nil || !out.Carence {
		t.Fatalf("friday alone: %+v %v", out, err)
	}
	// Then thursday (07:30): thursday is the first day; friday becomes the
	// second and is refunded now.
	out, err := f.declare(t, "2026-12-03", nil, thursday)
	if err != nil {
		t.Fatal(err)
	}
	if !out.Carence || out.CreditCents != 320 {
		t.Fatalf("thursday: %+v, want carence and friday's 3,20 € credited", out)
	}
	if got := f.balance(t); got != 320 {
		t.Fatalf("balance %d, want 320", got)
	}
}

func TestAbsenceWithoutCertificateRefundedWhenItComesLater(t *testing.T) {
	f := newFixture(t)
	f.rule(absences.Rule{Enabled: true, DeadlineHour: 9, CarenceDays: 0, CertificateRequired: true})
	meal := f.ids.Prestations["REPAS CLASSIQUE ENFANT"]
	f.book(f.ids.Fille, meal, f.ids.Cantine, "2026-12-03", 320)
	out, err := f.declare(t, "2026-12-03", nil, thursday)
	if err != nil || !out.Billable || out.CreditCents != 0 {
		t.Fatalf("without certificate: %+v %v", out, err)
	}
	var got absences.Outcome
	f.e.Tx(demo.Slug, func(tx *sql.Tx) error {
		var err error
		got, err = absences.AttachCertificate(context.Background(), tx, f.ids.Family, f.ids.Fille, mustDay("2026-12-03"), absences.Upload{Data: pdf}, thursday.Add(time.Hour))
		return err
	})
	if got.CreditCents != 320 || f.balance(t) != 320 {
		t.Fatalf("after the certificate: %+v, balance %d", got, f.balance(t))
	}
}

func TestAbsenceRefusals(t *testing.T) {
	f := newFixture(t)
	meal := f.ids.Prestations["REPAS CLASSIQUE ENFANT"]
	f.book(f.ids.Fille, meal, f.ids.Cantine, "2026-12-03", 320)
	t.Run("today after the deadline", func(t *testing.T) {
		if _, err := f.declare(t, "2026-12-03", nil, thursday.Add(2*time.Hour)); err == nil {
			t.Fatal("accepted at 09:30")
		}
	})
	t.Run("a day with nothing booked", func(t *testing.T) {
		if _, err := f.declare(t, "2026-12-04", nil, thursday); err == nil {
			t.Fatal("accepted")
		}
	})
	t.Run("a certificate that is not a PDF or a photo writes nothing", func(t *testing.T) {
		if _, err := f.declare(t, "2026-12-03", []byte("<html>"), thursday); err == nil {
			t.Fatal("accepted")
		}
		if n := f.e.Int(demo.Slug, `SELECT count(*) FROM absences`); n != 0 {
			t.Fatalf("%d absences written", n)
		}
		if s := f.e.Text(demo.Slug, `SELECT state FROM reservations WHERE day = '2026-12-03'`); s != "validated" {
			t.Fatalf("booking %s", s)
		}
	})
}

func TestPostPaidAbsenceInvoicesOnlyTheDueDays(t *testing.T) {
	f := newFixture(t)
	f.rule(absences.Rule{Enabled: true, DeadlineHour: 9, CarenceDays: 1, CertificateRequired: true})
	garderie := f.ids.Prestations["GARDERIE MATIN ET SOIR"]
	var regie int64 = f.e.Int(demo.Slug, `SELECT regie_id FROM prestations WHERE id = ?`, garderie)
	f.e.Exec(demo.Slug, `UPDATE regies SET mode = 'postpaid' WHERE id = ?`, regie)
	f.e.Exec(demo.Slug, `UPDATE prestations SET kind = 'daily', forfait_period = '' WHERE id = ?`, garderie)
	f.book(f.ids.Fille, garderie, regie, "2026-12-03", 150)
	f.book(f.ids.Fille, garderie, regie, "2026-12-04", 150)
	f.book(f.ids.Fille, garderie, regie, "2026-12-08", 150)
	if _, err := f.declare(t, "2026-12-03", pdf, thursday); err != nil {
		t.Fatal(err)
	}
	if _, err := f.declare(t, "2026-12-04", pdf, thursday.Add(10*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var p billing.MonthPreview
	f.e.Tx(demo.Slug, func(tx *sql.Tx) error {
		var err error
		p, err = billing.PreviewMonth(context.Background(), tx, 2026, time.December)
		return err
	})
	var total int64
	for _, fam := range p.Families {
		if fam.RegieID == regie && fam.FamilyID == f.ids.Family {
			total = fam.TotalCents
		}
	}
	// Thursday (carence) and tuesday 8th are invoiced; friday, refunded, is not.
	if total != 300 {
		t.Fatalf("december's garderie invoice would be %d cents, want 300", total)
	}
	if n := f.e.Int(demo.Slug, `SELECT count(*) FROM credits WHERE family_id = ?`, f.ids.Family); n != 0 {
		t.Fatalf("a post-paid absence wrote %d credits", n)
	}
}
