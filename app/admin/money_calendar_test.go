package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app"
	"espacefamille/app/apptest"
	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// The monthly run's preview shows what each family would be invoiced
// without writing anything; the run then creates exactly that, including
// the majoration of a child present without a booking; the monthly run's
// progress page ends with its summary.
func TestInvoicingPreviewRunAndMajoration(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 1)
	admin := f.admin(t)
	form := prestationForm(2, "ÉTUDE", "2,00")
	form.Set("surcharge_kind", "percent")
	form.Set("surcharge_value", "25")
	etude := createPrestation(t, f, admin, form)
	form = prestationForm(1, "REPAS", "3,00")
	form.Set("surcharge_kind", "fixed")
	form.Set("surcharge_value", "1,00")
	repas := createPrestation(t, f, admin, form)
	// Last month (invoicing follows service done): the étude booked on an
	// open day, and the child came, without a booking, to the étude the
	// next open day of the month and to the (prepaid) meal.
	cal, err := booking.LoadCalendar(context.Background(), f.DB("alpha").Reader())
	if err != nil {
		t.Fatal(err)
	}
	last := calendar.Today(time.Now()).AddMonths(-1)
	day := calendar.DateOf(last.Year(), last.Month(), 1)
	for !cal.IsOpen(day) {
		day = day.AddDays(1)
	}
	f.exec(t, "alpha", `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state, price_cents, created_at, validated_at)
		VALUES (?, ?, ?, 2, 0, ?, 'validated', 200, 'x', 'x')`, fams[0], kids[0], etude, day.String())
	other := day.AddDays(1)
	for !cal.IsOpen(other) {
		other = other.AddDays(1)
	}
	for _, p := range []struct {
		id  int64
		day calendar.Date
	}{{etude, other}, {repas, day}} {
		r := admin.Post("/alpha/admin/pointage", url.Values{"day": {p.day.FR()}, "prestation": {itoa(p.id)}, "child": {itoa(kids[0])}, "status": {"present"}})
		wantStatus(t, r, http.StatusSeeOther)
	}
	unbooked := f.count(t, "alpha", `SELECT count(*) FROM attendance WHERE unbooked = 1`)
	month := day.String()[:7]
	r := admin.Get("/alpha/admin/finances/facturation?month=" + month)
	wantStatus(t, r, http.StatusOK)
	// Étude: 2,00 booked + 2,50 present without booking (25 %); repas:
	// 3,00 + 1,00 fixed, invoiced although the régie is prepaid.
	etudeTotal, want := "4,50", 850
	if unbooked == 1 { // the booked day was the last open day of its month
		etudeTotal, want = "2,00", 600
	}
	wantContains(t, r.Body, "FAMILLE A", "REGIE GARDERIE", etudeTotal, "REGIE CANTINE", "4,00", "2 facture(s) à créer",
		fmt.Sprintf(`<strong id="preview-total">%s`, strings.TrimSuffix(calendar.FormatEuros(int64(want)), " €")))
	if n := f.count(t, "alpha", `SELECT count(*) FROM invoices`); n != 0 {
		t.Fatalf("the preview wrote %d invoices", n)
	}
	r = admin.Post("/alpha/admin/finances/facturation", url.Values{"month": {month}})
	wantStatus(t, r, http.StatusSeeOther)
	r = waitJob(t, admin, r.Location)
	wantContains(t, r.Body, "2 facture(s) créée(s)", "100 %")
	if n := f.count(t, "alpha", `SELECT COALESCE(SUM(total_cents), 0) FROM invoices WHERE period_key = ?`, month); n != want {
		t.Fatalf("invoiced %d, want %d", n, want)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM invoice_lines WHERE label = ? AND amount_cents = 400`, "Présent sans réservation (majoration "+calendar.FormatEuros(100)+")"); n != 1 {
		t.Fatal("the meal's majoration line is missing")
	}
	// A second preview finds the month invoiced.
	wantContains(t, admin.Get("/alpha/admin/finances/facturation?month="+month).Body, "Rien à facturer pour ce mois", "déjà facturée")
}

// A refund by cheque or transfer, recorded by hand, lowers the family's
// credit, never below zero, with an audit row.
func TestRefundOfCreditByHand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, _ := seedServices(t, f, 1)
	f.exec(t, "alpha", `INSERT INTO credits (family_id, regie_id, kind, amount_cents, label, created_at) VALUES (?, 1, 'closure', 500, 'Fermeture', '2026-01-01T00:00:00Z')`, fams[0])
	admin := f.admin(t)
	r := admin.Get("/alpha/admin/finances/avoirs")
	wantContains(t, r.Body, "FAMILLE A – REGIE CANTINE : 5,00", "Enregistrer le remboursement")
	refund := func(amount, means string) apptest.Response {
		return admin.Post("/alpha/admin/finances/remboursements", url.Values{"family": {itoa(fams[0])}, "regie": {"1"},
			"amount": {amount}, "day": {"12/03/2026"}, "means": {means}, "reference": {"CHQ 1234"}})
	}
	r = refund("6,00", "cheque")
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r.Body, "dépasse l&#39;avoir disponible de la famille (5,00")
	wantStatus(t, refund("1,00", "espèces"), http.StatusUnprocessableEntity)
	wantStatus(t, refund("-1,00", "cheque"), http.StatusUnprocessableEntity)
	wantStatus(t, refund("3,00", "cheque"), http.StatusSeeOther)
	for q, want := range map[string]int{
		`SELECT SUM(amount_cents) FROM credits WHERE family_id = 1 AND regie_id = 1`:                                                                      200,
		`SELECT count(*) FROM credits WHERE kind = 'refund' AND amount_cents = -300 AND label = 'Remboursement par chèque du 12/03/2026 (réf. CHQ 1234)'`: 1,
		`SELECT count(*) FROM audit_log WHERE entity = 'credit' AND action = 'refund' AND after LIKE '%"balance_cents":200%'`:                             1,
	} {
		if n := f.count(t, "alpha", q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	wantContains(t, admin.Get("/alpha/admin/finances/avoirs").Body, "FAMILLE A – REGIE CANTINE : 2,00")
	wantStatus(t, refund("2,01", "virement"), http.StatusUnprocessableEntity)
	wantStatus(t, refund("2,00", "virement"), http.StatusSeeOther)
	wantContains(t, admin.Get("/alpha/admin/finances/avoirs").Body, "Aucune famille n'a d'avoir disponible.")
	// Agents cannot.
	wantStatus(t, f.agent(t).Post("/alpha/admin/finances/remboursements", url.Values{"family": {"1"}, "regie": {"1"}, "amount": {"1,00"}}), http.StatusForbidden)
}

// A closure on a day that a forfait covers keeps the forfait and credits
// the day's share of its price: price / open days of its period, rounded
// down.
func TestClosureCreditsForfaitShare(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 1)
	day := openDay(15)
	first := calendar.DateOf(day.Year(), day.Month(), 1)
	last := first.AddMonths(1).AddDays(-1)
	f.exec(t, "alpha", `INSERT INTO prestations (id, regie_id, name, kind, forfait_period, weekdays, price_cents, created_at)
		VALUES (9, 2, 'GARDERIE', 'forfait', 'month', 27, 2000, '2026-01-01T00:00:00Z')`)
	f.exec(t, "alpha", `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, forfait_from, forfait_until, state, price_cents, created_at, validated_at)
		VALUES (?, ?, 9, 2, 1, ?, ?, ?, 'validated', 2000, 'x', 'x')`, fams[0], kids[0], first.String(), first.String(), last.String())
	days := 0
	for d := first; !d.After(last); d = d.AddDays(1) {
		if w := d.Weekday(); w != time.Wednesday && w != time.Saturday && w != time.Sunday && !isHoliday(d) {
			days++
		}
	}
	share := int64(2000 / days)
	admin := f.admin(t)
	r := admin.Post("/alpha/admin/calendrier/fermetures", url.Values{"day": {day.FR()}, "reason": {"Grève"}})
	wantContains(t, r.Body, "1 famille(s)", "FAMILLE A", fmt.Sprintf("GARDERIE, forfait du %s au %s : 1 jour sur %d crédité", first.FR(), last.FR(), days),
		"1 forfait(s) couvrent ce jour")
	wantStatus(t, admin.Post("/alpha/admin/calendrier/fermetures/confirmer", url.Values{"day": {day.FR()}, "reason": {"Grève"}}), http.StatusSeeOther)
	if n := f.count(t, "alpha", `SELECT amount_cents FROM credits WHERE kind = 'closure' AND family_id = ?`, fams[0]); int64(n) != share {
		t.Fatalf("credited %d, want %d (2000 / %d)", n, share, days)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM reservations WHERE state = 'validated' AND prestation_id = 9`); n != 1 {
		t.Fatal("the forfait was cancelled")
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM outbox WHERE kind = 'closure'`); n != 1 {
		t.Fatal("the family was not told")
	}
	// A closure on a day the forfait is not held (a Wednesday) credits nothing.
	wed := day
	for wed.Weekday() != time.Wednesday {
		wed = wed.AddDays(1)
	}
	if wed.Month() == day.Month() {
		r = admin.Post("/alpha/admin/calendrier/fermetures", url.Values{"day": {wed.FR()}, "reason": {"Pont"}})
		wantContains(t, r.Body, "aucune famille n'est concernée")
	}
}

// The zone changed in the back office is the platform registry's too.
func TestZoneChangeUpdatesRegistry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wantStatus(t, f.admin(t).Post("/alpha/admin/calendrier/zone", url.Values{"zone": {"C"}}), http.StatusSeeOther)
	c, err := f.reg.BySlug(context.Background(), "alpha")
	if err != nil || c.Zone != "C" {
		t.Fatalf("registry zone %q %v", c.Zone, err)
	}
	if n := f.count(t, "alpha", `SELECT count(*) FROM settings WHERE key = 'zone' AND value = 'C'`); n != 1 {
		t.Fatal("commune setting not changed")
	}
	if c, _ := f.reg.BySlug(context.Background(), "beta"); c.Zone == "C" {
		t.Fatal("another commune changed")
	}
	// The commune's school holidays are its new zone's, and change again
	// with the zone (issue 9 item 10).
	for _, z := range []string{"C", "A"} {
		if z != "C" {
			wantStatus(t, f.admin(t).Post("/alpha/admin/calendrier/zone", url.Values{"zone": {z}}), http.StatusSeeOther)
		}
		if n := f.count(t, "alpha", `SELECT count(*) FROM school_holidays WHERE zone = ? AND description = 'Vacances de Noël'`, z); n < 2 {
			t.Errorf("zone %s: %d Noël holidays stored, want the bundled years", z, n)
		}
		if n := f.count(t, "alpha", `SELECT count(*) FROM school_holidays WHERE zone <> ?`, z); n != 0 {
			t.Errorf("zone %s: %d holidays of another zone kept", z, n)
		}
	}
}

// Schools and classes allowed, set in the prestation form, are stored and
// shown again, and the agenda of a child outside them says "non proposé".
func TestPrestationAudienceForm(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 1)
	admin := f.admin(t)
	wantContains(t, admin.Get("/alpha/admin/prestations/nouvelle").Body, "École du Centre", "École du Hameau", "Classes (séparées par des virgules")
	form := prestationForm(1, "REPAS CP", "2,55")
	form["schools"] = []string{"1", "2"}
	form.Set("classes", " CP, ce1 ,, CP")
	p := createPrestation(t, f, admin, form)
	if n := f.count(t, "alpha", `SELECT count(*) FROM prestations WHERE id = ? AND allowed_schools = '1,2' AND allowed_classes = 'CP,ce1'`, p); n != 1 {
		t.Fatal("audience not stored")
	}
	r := admin.Get("/alpha/admin/prestations/" + itoa(p))
	wantContains(t, r.Body, `name="schools" value="1" checked`, `name="schools" value="2" checked`, `value="CP, ce1"`)
	parent := f.parent(t, "alpha", fams[0])
	day := openDay(15)
	if got := cell(t, parent.agenda(1, kids[0], day).Body, "REPAS CP", day); got != "closed audience" {
		t.Fatalf("child without class: %q", got)
	}
	f.exec(t, "alpha", `UPDATE children SET class_name = 'CE1' WHERE id = ?`, kids[0])
	if got := cell(t, parent.agenda(1, kids[0], day).Body, "REPAS CP", day); got != "bookable" {
		t.Fatalf("CE1 child: %q", got)
	}
}

// The import preview is kept in the commune's database: it survives a
// restart (a new server over the same files), and an expired one gets a
// clear French message.
func TestImportPreviewSurvivesRestartAndExpires(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.admin(t)
	c.Get("/alpha/admin/familles/import")
	csv := []byte("Famille;Enfant prénom;Date de naissance\nFAMILLE É;Zoé;01/02/2018\n")
	r := c.Upload("/alpha/admin/familles/import", "fichier", "a.csv", csv)
	wantContains(t, r.Body, "Cet aperçu peut être confirmé jusqu'à")
	path := confirmPath(t, r.Body)
	// "Restart": a new application over the same registry.
	srv, err := app.New(context.Background(), app.Config{Registry: f.reg, PublicURL: "http://node.example"})
	if err != nil {
		t.Fatal(err)
	}
	f.Server = srv
	r = waitJob(t, c, c.Post(path, nil).Location)
	wantContains(t, r.Body, "1 famille(s) créée(s)")
	// Confirming twice imports once.
	r = c.Post(path, nil)
	wantStatus(t, r, http.StatusGone)
	wantContains(t, r.Body, "L&#39;aperçu a expiré, veuillez recharger le fichier.")
	// An expired preview.
	r = c.Upload("/alpha/admin/familles/import", "fichier", "b.csv", csv)
	path = confirmPath(t, r.Body)
	f.exec(t, "alpha", `UPDATE import_previews SET expires_at = '2000-01-01T00:00:00Z'`)
	r = c.Post(path, nil)
	wantStatus(t, r, http.StatusGone)
	wantContains(t, r.Body, "L&#39;aperçu a expiré, veuillez recharger le fichier.")
	if n := f.count(t, "alpha", `SELECT count(*) FROM families`); n != 1 {
		t.Fatalf("families = %d", n)
	}
}
