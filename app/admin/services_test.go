package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/calendar"
)

func TestSettingsChangeWhatParentsSee(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	p := f.client(t)
	wantContains(t, p.Get("/alpha/accessibilite").Body, "partiellement conforme")
	r := c.Post("/alpha/admin/parametres", url.Values{"accessibility_compliance": {"totalement conforme"},
		"accessibility_audit_date": {"15/03/2026"}, "contact_email": {"mairie@alpha.example"}, "address": {"1 place de la Mairie"},
		"sender_name": {"Mairie d'Alpha"}, "privacy_notice": {"Délégué à la protection des données : dpo@alpha.example"}})
	wantStatus(t, r, http.StatusSeeOther)
	wantContains(t, p.Get("/alpha/accessibilite").Body, "totalement conforme", "15/03/2026", "mairie@alpha.example", "1 place de la Mairie")
	wantContains(t, p.Get("/alpha/confidentialite").Body, "dpo@alpha.example")
	if strings.Contains(p.Get("/beta/confidentialite").Body, "dpo@alpha.example") {
		t.Fatal("a setting of alpha shows on beta")
	}
	r = c.Post("/alpha/admin/parametres", url.Values{"accessibility_compliance": {"conforme à moitié"}, "contact_email": {"pas un email"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE entity = 'settings' AND after LIKE '%totalement conforme%'`); n != 1 {
		t.Fatal("settings change not audited")
	}
	// News appear on the home page.
	r = c.Post("/alpha/admin/actualites", url.Values{"title": {"Fermeture exceptionnelle"}, "body": {"La cantine ferme vendredi."}, "from": {"01/01/2020"}})
	wantStatus(t, r, http.StatusSeeOther)
	wantContains(t, p.Get("/alpha/").Body, "Fermeture exceptionnelle", "La cantine ferme vendredi.")
}

func TestRegieAndPrestationThroughBookingAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	r := c.Post("/alpha/admin/regies", url.Values{"name": {"REGIE CANTINE"}, "mode": {"prepaid"}, "provider": {"payfip"}, "saisie": {"T"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "numéro client")
	// Issue 9 §4: numcli is exactly 6 digits.
	for _, bad := range []string{"12345", "1234567", "01234A", " 012345x", "0123456789"} {
		r = c.Post("/alpha/admin/regies", url.Values{"name": {"REGIE CANTINE"}, "mode": {"prepaid"}, "provider": {"payfip"}, "numcli": {bad}, "saisie": {"T"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantContains(t, r.Body, "exactement 6 chiffres")
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM regies`); n != 0 {
		t.Fatalf("%d régie(s) saved with a bad numcli", n)
	}
	// Outside the demo the simulator, which validates without money, is refused.
	r = c.Post("/alpha/admin/regies", url.Values{"name": {"REGIE CANTINE"}, "mode": {"prepaid"}, "provider": {"simulator"}, "invoice_prefix": {"GM"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "Le simulateur de paiement ne sert qu&#39;à la démonstration")
	r = c.Post("/alpha/admin/regies", url.Values{"name": {"REGIE CANTINE"}, "mode": {"prepaid"}, "provider": {"payfip"}, "numcli": {"012345"}, "saisie": {"T"}, "invoice_prefix": {"GM"}})
	wantStatus(t, r, http.StatusSeeOther)
	form := url.Values{"regie_id": {"1"}, "name": {"REPAS BIO"}, "kind": {"daily"}, "weekday_1": {"1"}, "weekday_2": {"1"},
		"price": {"2,80"}, "capacity": {"2"}, "capacity_scope": {"day"},
		"booking_kind": {"workdays"}, "booking_days": {"2"}, "booking_at": {"10:00"},
		"cancel_kind": {"week"}, "cancel_weekday": {"4"}, "cancel_at": {"12:00"}, "surcharge_kind": {"percent"}, "surcharge_value": {"20"}}
	setBrackets(form, [2]string{"500", "1,20"}, [2]string{"", "2,80"})
	r = c.Post("/alpha/admin/prestations", form)
	wantStatus(t, r, http.StatusSeeOther)
	r = c.Get("/alpha/admin/prestations")
	wantContains(t, r.Body, "REPAS BIO", "QF ≤ 500 : 1,20", "au-delà : 2,80")
	if n := f.count(t, "alpha", `SELECT count(*) FROM prestations WHERE name = 'REPAS BIO' AND capacity = 2 AND weekdays = 3
		AND surcharge_kind = 'percent' AND surcharge_value = 20 AND cancel_deadline LIKE 'week:thu@12:00'`); n != 1 {
		t.Fatal("prestation not stored as typed")
	}
	form.Set("booking_at", "25:00")
	r = c.Post("/alpha/admin/prestations", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "Délai de réservation")
	if n := f.count(t, "alpha", `SELECT count(*) FROM audit_log WHERE entity = 'prestation' AND action = 'create'`); n != 1 {
		t.Fatal("prestation not audited")
	}
}

// seedBookings creates a family with two children, a prepaid régie, a meal
// prestation and validated reservations on 2026-03-04 (plus a cancelled one).
func seedBookings(t *testing.T, f *fixture) {
	t.Helper()
	ts := "2026-01-01T00:00:00Z"
	f.exec(t, "alpha", `INSERT INTO schools (id, name) VALUES (1, 'École du Centre')`)
	f.exec(t, "alpha", `INSERT INTO families (id, name, email, created_at) VALUES (1, 'FAMILLE X', 'x@example.org', ?)`, ts)
	f.exec(t, "alpha", `INSERT INTO children (id, family_id, first_name, last_name, birth_date, school_id, pai, home_basket, created_at)
		VALUES (1, 1, 'Fille', 'FAMILLE X', '2017-11-28', 1, 1, 0, ?), (2, 1, 'Garçon', 'FAMILLE X', '2017-11-28', 1, 0, 1, ?),
		(3, 1, 'Bébé', 'FAMILLE X', '2020-01-01', 1, 0, 0, ?)`, ts, ts, ts)
	f.exec(t, "alpha", `INSERT INTO regies (id, name, mode, created_at) VALUES (1, 'REGIE CANTINE', 'prepaid', ?)`, ts)
	f.exec(t, "alpha", `INSERT INTO prestations (id, regie_id, name, kind, price_cents, created_at) VALUES (1, 1, 'REPAS CLASSIQUE ENFANT', 'daily', 255, ?)`, ts)
	f.exec(t, "alpha", `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state, price_cents, created_at, validated_at)
		VALUES (1, 1, 1, 1, 1, '2026-03-04', 'validated', 255, ?, ?), (1, 2, 1, 1, 1, '2026-03-04', 'validated', 255, ?, ?),
		(1, 3, 1, 1, 1, '2026-03-04', 'cancelled', 255, ?, ?)`, ts, ts, ts, ts, ts, ts)
}

func TestKitchenNumbersEqualValidatedReservations(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seedBookings(t, f)
	c := f.agent(t)
	r := c.Get("/alpha/admin/cuisine?jour=04/03/2026&noms=1")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "École du Centre", "REPAS CLASSIQUE ENFANT", `<td class="kitchen-count">2</td><td>1</td><td>1</td>`, "Fille FAMILLE X, Garçon FAMILLE X")
	if strings.Contains(r.Body, "Bébé") {
		t.Fatal("a cancelled reservation is counted")
	}
	r = c.Get("/alpha/admin/cuisine.csv?jour=04/03/2026")
	wantStatus(t, r, http.StatusOK)
	if !strings.HasPrefix(r.Body, "\ufeffDate;École;Prestation;Nombre") || !strings.Contains(r.Body, "04/03/2026;École du Centre;REPAS CLASSIQUE ENFANT;2;1;1") {
		t.Fatalf("csv:\n%q", r.Body)
	}
	// Attendance: the agent marks one present, adds an unbooked child.
	r = c.Post("/alpha/admin/pointage", url.Values{"day": {"04/03/2026"}, "prestation": {"1"}, "child": {"1"}, "status": {"present"}})
	wantStatus(t, r, http.StatusSeeOther)
	r = c.Post("/alpha/admin/pointage", url.Values{"day": {"04/03/2026"}, "prestation": {"1"}, "child": {"3"}, "status": {"present"}})
	wantStatus(t, r, http.StatusSeeOther)
	r = c.Get("/alpha/admin/pointage?jour=04/03/2026&prestation=1")
	wantContains(t, r.Body, "Bébé FAMILLE X <strong>(sans réservation : majoration)</strong>", "présent")
	wantStatus(t, c.Post("/alpha/admin/pointage", url.Values{"day": {"04/03/2026"}, "prestation": {"1"}, "child": {"2"}, "status": {"justified"}}), http.StatusForbidden)
}

func TestClosurePreviewThenCancelCreditAndEmail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seedBookings(t, f)
	c := f.admin(t)
	r := c.Post("/alpha/admin/calendrier/fermetures", url.Values{"day": {"04/03/2026"}, "reason": {"Grève"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r.Body, "1 famille(s)", "FAMILLE X", "Fille FAMILLE X – REPAS CLASSIQUE ENFANT", "– 5,10")
	if n := f.count(t, "alpha", `SELECT count(*) FROM closures`); n != 0 {
		t.Fatal("the preview closed the day")
	}
	r = c.Post("/alpha/admin/calendrier/fermetures/confirmer", url.Values{"day": {"04/03/2026"}, "reason": {"Grève"}})
	wantStatus(t, r, http.StatusSeeOther)
	for q, want := range map[string]int{
		`SELECT count(*) FROM closures WHERE day = '2026-03-04' AND reason = 'Grève'`:              1,
		`SELECT count(*) FROM reservations WHERE state = 'validated'`:                              0,
		`SELECT COALESCE(sum(amount_cents), 0) FROM credits WHERE kind = 'closure'`:                510,
		`SELECT count(*) FROM outbox WHERE kind = 'closure' AND to_addr = 'x@example.org'`:         1,
		`SELECT count(*) FROM audit_log WHERE entity = 'closure' AND after LIKE '%"cancelled":2%'`: 1,
	} {
		if n := f.count(t, "alpha", q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	wantContains(t, c.Get("/alpha/admin/cuisine?jour=04/03/2026").Body, `<td id="kitchen-total">0</td>`)
	wantContains(t, c.Get("/alpha/admin/calendrier").Body, "04/03/2026 : Grève", "Lundi de Pâques")
}

// Issue 9 §5: attendance is recorded on the day or after it, never in
// advance; the page shows a future day's list without buttons.
func TestAttendanceIsRefusedForFutureDays(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	seedBookings(t, f)
	c := f.admin(t)
	today := calendar.Today(time.Now())
	for _, tc := range []struct {
		name   string
		day    calendar.Date
		status string
		want   int
	}{
		{"today, present", today, "present", http.StatusSeeOther},
		{"yesterday, absent", today.AddDays(-1), "absent", http.StatusSeeOther},
		{"tomorrow, present", today.AddDays(1), "present", http.StatusUnprocessableEntity},
		{"in four days, absent", today.AddDays(4), "absent", http.StatusUnprocessableEntity},
		{"in four days, justified absence", today.AddDays(4), "justified", http.StatusUnprocessableEntity},
	} {
		r := c.Post("/alpha/admin/pointage", url.Values{"day": {tc.day.FR()}, "prestation": {"1"}, "child": {"1"}, "status": {tc.status}})
		if r.Status != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, r.Status, tc.want)
		}
		if tc.want == http.StatusUnprocessableEntity {
			wantContains(t, r.Body, "Le pointage du "+tc.day.FR()+" n&#39;est possible qu&#39;à partir de ce jour")
			if n := f.count(t, "alpha", `SELECT count(*) FROM attendance WHERE day = ?`, tc.day.String()); n != 0 {
				t.Errorf("%s: %d attendance row(s) written", tc.name, n)
			}
		}
	}
	page := c.Get("/alpha/admin/pointage?jour=" + today.AddDays(3).FR() + "&prestation=1")
	wantContains(t, page.Body, "n&#39;est possible qu&#39;à partir de ce jour")
	if strings.Contains(page.Body, `value="present"`) {
		t.Error("a future day's page offers the attendance buttons")
	}
}
