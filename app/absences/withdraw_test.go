package absences_test

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/absences"
	"espacefamille/app/apptest"
	"espacefamille/app/billing"
	"espacefamille/app/demo"
)

// The family declares Fille absent today (her meal cancelled, 3,20 €
// credited); she comes after all and the staff mark her present at the
// pointage: the absence is withdrawn, the day is her booked meal again
// (no majoration of a child present without a booking), and the avoir
// is taken back as far as the family has not spent it (the balance never
// goes below zero; the staff are told what could not be taken back).
func TestChildDeclaredAbsentThenMarkedPresentIsBilledAsBooked(t *testing.T) {
	for _, c := range []struct {
		name        string
		spent       int64 // of the avoir, before the pointage
		list        bool  // marked on the class list rather than one child
		wantBalance int64
		wantSaid    string
	}{
		{name: "avoir not used yet: taken back", wantSaid: "L'avoir de 3,20"},
		{name: "avoir already spent: not taken back, the staff are told", spent: 320, wantSaid: "étaient déjà utilisés par la famille"},
		{name: "marked present on the class list", list: true, wantSaid: "L'avoir de 3,20"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.rule(absences.Rule{Enabled: true, DeadlineHour: 9, CertificateRequired: false})
			meal := f.ids.Prestations["REPAS CLASSIQUE ENFANT"]
			res := f.book(f.ids.Fille, meal, f.ids.Cantine, "2026-12-03", 320)
			if out, err := f.declare(t, "2026-12-03", nil, thursday); err != nil || out.CreditCents != 320 {
				t.Fatalf("declared: %+v %v", out, err)
			}
			if c.spent > 0 {
				f.e.Exec(demo.Slug, `INSERT INTO credits (family_id, regie_id, kind, amount_cents, label, created_at)
					VALUES (?, ?, 'manual', ?, 'Utilisé', '2026-12-03T08:00:00Z')`, f.ids.Family, f.ids.Cantine, -c.spent)
			}
			admin := f.e.DemoAdmin(t, apptest.UnescapeBodies())
			base := "/" + demo.Slug
			path := base + "/admin/pointage?jour=03/12/2026&prestation=" + strconv.FormatInt(meal, 10)
			admin.Get(path)
			form, to := url.Values{"day": {"03/12/2026"}, "prestation": {strconv.FormatInt(meal, 10)},
				"child": {strconv.FormatInt(f.ids.Fille, 10)}, "status": {"present"}}, base+"/admin/pointage"
			if c.list {
				form, to = url.Values{"day": {"03/12/2026"}, "prestation": {strconv.FormatInt(meal, 10)},
					"statut-" + strconv.FormatInt(f.ids.Fille, 10): {"present"}}, base+"/admin/pointage/liste"
			}
			r := admin.Post(to, form)
			page := admin.Follow(r).Body
			for _, want := range []string{"L'absence signalée par la famille pour Fille FAMILLE X le 03/12/2026 est retirée", c.wantSaid} {
				if !strings.Contains(page, want) {
					t.Errorf("the pointage does not say %q:\n%s", want, page)
				}
			}
			if s := f.e.Text(demo.Slug, `SELECT state FROM reservations WHERE id = ?`, res); s != "validated" {
				t.Errorf("the booking is %s, want validated again", s)
			}
			if n := f.e.Int(demo.Slug, `SELECT COUNT(*) FROM absences`); n != 0 {
				t.Errorf("%d absence(s) left", n)
			}
			if n := f.e.Int(demo.Slug, `SELECT unbooked FROM attendance WHERE child_id = ?`, f.ids.Fille); n != 0 {
				t.Errorf("marked present without a booking")
			}
			var extra []billing.Line
			var err error
			f.e.Tx(demo.Slug, func(tx *sql.Tx) error {
				extra, err = billing.MajorationLines(context.Background(), tx, f.ids.Family, f.ids.Cantine, 2026, time.December)
				return err
			})
			if len(extra) != 0 {
				t.Errorf("majoration lines %+v: the day was booked", extra)
			}
			if got := f.balance(t); got != 0 {
				t.Errorf("balance %d, want 0 (the absence's avoir taken back as far as possible)", got)
			}
			if n := f.e.Int(demo.Slug, `SELECT COUNT(*) FROM audit_log WHERE entity = 'absence' AND action = 'withdraw'`); n != 1 {
				t.Errorf("%d audit entries of the withdrawal", n)
			}
		})
	}
}
