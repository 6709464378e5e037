package absences_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/absences"
	"espacefamille/app/admin"
	"espacefamille/app/apptest"
	"espacefamille/app/demo"
	"espacefamille/tenants"
)

// Medical certificates are health data: each is deleted by the
// housekeeping once the commune's retention (12 months after the last day
// of absence it justifies, by default) is over, with an entry in the
// journal; the absence keeps the fact that it had one. The platform
// registry flags a commune holding certificates for the housekeeping, so
// the job visits it without opening every commune. The back office sets
// the retention; parents read it in the rule and the privacy page.
func TestCertificatesAreDeletedOnceTheCommunesRetentionIsOver(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	meal := f.ids.Prestations["REPAS CLASSIQUE ENFANT"]
	f.book(f.ids.Fille, meal, f.ids.Cantine, "2026-12-03", 320)
	if _, err := f.declare(t, "2026-12-03", pdf, thursday); err != nil {
		t.Fatal(err)
	}
	cert := f.e.Int(demo.Slug, `SELECT id FROM absence_certificates`)
	db := f.e.DB(demo.Slug)
	reg := f.e.Registry

	// With nothing else to purge, the certificate alone keeps the commune
	// on the housekeeping's list.
	for _, table := range []string{"sessions", "staff_sessions", "staff_tokens", "staff_login_failures", "waitlist"} {
		f.e.Exec(demo.Slug, `DELETE FROM `+table)
	}
	if err := reg.SettleWork(ctx, db, tenants.WorkHousekeeping); err != nil {
		t.Fatal(err)
	}
	due, err := reg.WorkDue(ctx, tenants.WorkHousekeeping, time.Now().Add(13*time.Hour), 0)
	if err != nil || !strings.Contains(strings.Join(due, " "), demo.Slug) {
		t.Fatalf("communes due for housekeeping %v %v: the one holding a certificate is missing", due, err)
	}

	for _, c := range []struct {
		name    string
		now     time.Time
		deleted int64
	}{
		{"on the last day of the 12 months: kept", time.Date(2027, 12, 3, 12, 0, 0, 0, time.UTC), 0},
		{"the day after: deleted", time.Date(2027, 12, 4, 12, 0, 0, 0, time.UTC), 1},
		{"a second pass: nothing left", time.Date(2027, 12, 5, 12, 0, 0, 0, time.UTC), 0},
	} {
		n, err := admin.PurgeCertificates(ctx, db, c.now)
		if err != nil || n != c.deleted {
			t.Fatalf("%s: deleted %d %v, want %d", c.name, n, err, c.deleted)
		}
	}
	if n := f.e.Int(demo.Slug, `SELECT COUNT(*) FROM absence_certificates`); n != 0 {
		t.Fatalf("%d certificate(s) left", n)
	}
	if n := f.e.Int(demo.Slug, `SELECT COUNT(*) FROM absences WHERE certificate_id IS NULL AND certificate_purged_at IS NOT NULL`); n != 1 {
		t.Fatalf("the absence does not record its certificate's deletion")
	}
	if n := f.e.Int(demo.Slug, `SELECT COUNT(*) FROM audit_log WHERE action = 'purge' AND entity = 'absence_certificates'
		AND after LIKE '%"deleted":1%' AND after LIKE '%"retention_months":12%'`); n != 1 {
		t.Fatalf("%d journal entries of the purge", n)
	}
	if _, err := absences.Certificate(ctx, db.Reader(), f.ids.Family, cert); err == nil {
		t.Fatal("the deleted certificate is still served")
	}
	if err := reg.SettleWork(ctx, db, tenants.WorkHousekeeping); err != nil {
		t.Fatal(err)
	}
	if due, _ := reg.WorkDue(ctx, tenants.WorkHousekeeping, time.Now().Add(13*time.Hour), 0); strings.Contains(strings.Join(due, " "), demo.Slug) {
		t.Errorf("nothing left to purge, yet still flagged: %v", due)
	}

	// The back office sets the retention; bad input is refused in French.
	staff := f.e.DemoAdmin(t, apptest.UnescapeBodies())
	base := "/" + demo.Slug
	staff.Get(base + "/admin/absences/regle")
	form := url.Values{"enabled": {"1"}, "deadline": {"09:00"}, "carence": {"0"}, "certificate": {"required"}, "months": {"0"}}
	r := staff.Post(base+"/admin/absences/regle", form)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "un nombre de mois de 1 à 36") {
		t.Fatalf("0 month: %d", r.Status)
	}
	form.Set("months", "6")
	if r := staff.Post(base+"/admin/absences/regle", form); r.Status != http.StatusSeeOther {
		t.Fatalf("6 months: %d %s", r.Status, r.Body)
	}
	var rule absences.Rule
	f.e.Tx(demo.Slug, func(tx *sql.Tx) error { rule, err = absences.LoadRule(ctx, tx); return err })
	if rule.CertificateMonths != 6 {
		t.Fatalf("retention %d months, want 6", rule.CertificateMonths)
	}
	if !strings.Contains(staff.Get(base+"/admin/absences/regle").Body, `name="months" value="6"`) {
		t.Error("the rule page does not show the retention")
	}
	want := "Les certificats médicaux sont conservés 6 mois après le dernier jour d'absence qu'ils justifient"
	parent := f.e.Parent(t, demo.Slug, f.ids.Family, apptest.UnescapeBodies())
	for _, p := range []string{"/confidentialite", "/famille/absence?enfant=" + strconv.FormatInt(f.ids.Fille, 10)} {
		if body := parent.Get(base + p).Body; !strings.Contains(body, want) {
			t.Errorf("%s does not tell the retention:\n%s", p, body)
		}
	}
}
