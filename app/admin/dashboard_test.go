package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"espacefamille/app/calendar"
)

var dashboardDay = regexp.MustCompile(`Effectifs du \p{L}+ (\d\d/\d\d/\d{4})`)

// The home page gives the day's figures, each a link to its page: the
// next open day's bookings per school and prestation with the PAI count,
// the carts left without "Valider", the unpaid invoices and what remains
// to pay, the emails that failed (sent again from their page), and the
// last import.
func TestBackOfficeHomeShowsTheDaysFigures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fams, kids := seedServices(t, f, 3)
	f.exec(t, "alpha", `UPDATE children SET school_id = 2 WHERE id = ?`, kids[2])
	f.exec(t, "alpha", `UPDATE children SET pai = 1 WHERE id IN (?, ?)`, kids[0], kids[2])
	admin := f.admin(t)
	meal := createPrestation(t, f, admin, prestationForm(1, "REPAS CLASSIQUE ENFANT", "2,55"))
	vege := createPrestation(t, f, admin, prestationForm(1, "REPAS VEGETARIEN", "2,55"))

	home := admin.Get("/alpha/admin/")
	wantStatus(t, home, http.StatusOK)
	wantContains(t, home.Body, "Aucune réservation ce jour-là.", "Paniers non validés : 0", "Factures impayées : 0",
		"Emails non remis : 0", "Aucun import pour l'instant.")
	m := dashboardDay.FindStringSubmatch(home.Body)
	if m == nil {
		t.Fatalf("no day on the home page:\n%s", home.Body)
	}
	day, err := calendar.ParseDate(m[1])
	if err != nil || !day.After(calendar.Today(time.Now())) || day.IsWeekend() {
		t.Fatalf("figures of %s: not an open day after today", m[1])
	}
	book := func(i int, prestation int64) {
		f.exec(t, "alpha", `INSERT INTO reservations (family_id, child_id, prestation_id, regie_id, site_id, day, state, price_cents, created_at, validated_at)
			SELECT ?, id, ?, 1, school_id, ?, 'validated', 255, 'x', 'x' FROM children WHERE id = ?`, fams[i], prestation, day.String(), kids[i])
	}
	book(0, meal)
	book(1, meal)
	book(2, vege)
	// A cancelled booking is not counted.
	f.exec(t, "alpha", `UPDATE reservations SET state = 'cancelled' WHERE id = (SELECT MAX(id) FROM reservations)`)
	book(2, meal)
	// FAMILLE B leaves a meal in its cart.
	next := openDay(10)
	f.parent(t, "alpha", fams[1]).click(1, kids[1], meal, next, "reserver")
	// Two invoices en cours (one partly paid), one paid.
	for i, inv := range []struct {
		status              string
		total, credit, paid int64
	}{{"open", 1530, 0, 0}, {"open", 2000, 100, 500}, {"paid", 900, 0, 900}} {
		f.exec(t, "alpha", `INSERT INTO invoices (regie_id, family_id, number, year, seq, status, issued_on, period_start, period_end,
			total_cents, credit_cents, paid_cents, created_at) VALUES (2, ?, ?, 2026, ?, ?, '2026-11-30', '2026-11-01', '2026-11-30', ?, ?, ?, 'x')`,
			fams[i], "GA-2026-"+itoa(int64(i+1)), i+1, inv.status, inv.total, inv.credit, inv.paid)
	}
	// An email given up on.
	f.exec(t, "alpha", `INSERT INTO outbox (kind, to_addr, to_name, subject, text_body, html_body, status, attempts, next_attempt_at, last_error, created_at)
		VALUES ('invoice_available', 'faux@exemple.invalid', 'FAMILLE C', 'Nouvelle facture', 't', 'h', 'failed', 8, '2026-11-30T10:00:00Z', '550 adresse inconnue', '2026-11-30T10:00:00Z')`)
	// The last import, as the journal records it.
	f.exec(t, "alpha", `INSERT INTO audit_log (at, actor, action, entity, entity_id, after) VALUES ('2026-11-30T09:00:00Z', 'admin@alpha.example (n° 1)',
		'import', 'family', '', '{"file":"familles.csv","summary":{"NewFamilies":12,"UpdatedFamilies":3,"NewChildren":20}}')`)

	home = admin.Get("/alpha/admin/")
	wantContains(t, home.Body,
		"Effectifs du", "Effectifs du "+calendar.WeekdayNamesFR[day.Weekday()]+" "+day.FR()+" : 3",
		"<strong>École du Centre</strong> : 2, dont 1 PAI", "REPAS CLASSIQUE ENFANT : 2 (dont 1 PAI)",
		"<strong>École du Hameau</strong> : 1, dont 1 PAI",
		`href="/alpha/admin/cuisine?jour=`+day.FR()+`"`,
		"Paniers non validés : 1", `href="/alpha/admin/paniers"`,
		"Factures impayées : 2", "Reste à payer : <strong>"+calendar.FormatEuros(1530+1400)+"</strong>",
		`href="/alpha/admin/finances?liste=factures&amp;etat=open"`,
		"Emails non remis : 1", `href="/alpha/admin/courriels"`,
		"familles.csv : 12 famille(s) créée(s), 3 mise(s) à jour, 20 enfant(s) ajouté(s)")
	if strings.Contains(home.Body, "REPAS VEGETARIEN : 1") {
		t.Error("a cancelled booking was counted")
	}

	// Each figure's page.
	wantContains(t, admin.Get("/alpha/admin/paniers").Body, "FAMILLE B", "REGIE CANTINE", calendar.FormatEuros(255))
	mails := admin.Get("/alpha/admin/courriels").Body
	wantContains(t, mails, "Nouvelle facture", "faux@exemple.invalid", "550 adresse inconnue")
	id := f.count(t, "alpha", `SELECT id FROM outbox WHERE status = 'failed'`)
	wantStatus(t, admin.Post("/alpha/admin/courriels/"+itoa(int64(id))+"/renvoyer", url.Values{}), http.StatusSeeOther)
	if n := f.count(t, "alpha", `SELECT count(*) FROM outbox WHERE id = ? AND status = 'pending' AND attempts = 0`, id); n != 1 {
		t.Fatal("the failed email was not queued again")
	}
	wantStatus(t, admin.Post("/alpha/admin/courriels/"+itoa(int64(id))+"/renvoyer", url.Values{}), http.StatusNotFound)
	wantContains(t, admin.Get("/alpha/admin/journal?objet=email").Body, "Nouvel envoi de l&#39;email n° "+itoa(int64(id)), "Erreur :</span> 550 adresse inconnue")

	// Agents see the day's bookings and the carts, not the money, mail or imports.
	agent := f.agent(t)
	body := agent.Get("/alpha/admin/").Body
	wantContains(t, body, "REPAS CLASSIQUE ENFANT : 2", "Paniers non validés : 1")
	for _, hidden := range []string{"Factures impayées", "Emails non remis", "Dernier import"} {
		if strings.Contains(body, hidden) {
			t.Errorf("an agent sees %q", hidden)
		}
	}
	wantStatus(t, agent.Get("/alpha/admin/courriels"), http.StatusForbidden)
	// Another commune's home counts its own families only.
	beta := f.client(t)
	beta.login("beta", betaAdmin)
	wantContains(t, beta.Get("/beta/admin/").Body, "Paniers non validés : 0", "Factures impayées : 0", "Emails non remis : 0")
}

// The journal's filters: by person, by object, by dates JJ/MM/AAAA (a
// wrong date is shown beside its field), as a plain GET form.
func TestJournalFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, e := range []struct{ at, actor, action, entity, id string }{
		{"2026-03-01T10:00:00Z", "a@alpha.example (n° 1)", "create", "news", "2"},
		{"2026-03-02T10:00:00Z", "b@alpha.example (n° 2)", "update", "family", "5"},
		{"2026-03-03T23:30:00Z", "a@alpha.example (n° 1)", "delete", "news", "2"}, // 00:30 on 4 March in Paris
	} {
		f.exec(t, "alpha", `INSERT INTO audit_log (at, actor, action, entity, entity_id) VALUES (?, ?, ?, ?, ?)`, e.at, e.actor, e.action, e.entity, e.id)
	}
	admin := f.admin(t)
	for _, tc := range []struct {
		name, query string
		status      int
		want, not   []string
	}{
		{"everything, newest first, in French", "", 200,
			[]string{"Suppression de l&#39;actualité n° 2", "Modification de la famille n° 5", "Création de l&#39;actualité n° 2"}, nil},
		{"one person", "qui=" + url.QueryEscape("b@alpha.example (n° 2)"), 200,
			[]string{"Modification de la famille n° 5"}, []string{"actualité n° 2"}},
		{"one kind of object", "objet=news", 200,
			[]string{"Création de l&#39;actualité", "Suppression de l&#39;actualité"}, []string{"famille n° 5"}},
		{"a Paris day: 23:30 UTC on the 3rd is the 4th", "du=04/03/2026&au=04/03/2026", 200,
			[]string{"Suppression de l&#39;actualité n° 2"}, []string{"Création de l&#39;actualité", "famille n° 5"}},
		{"a date range", "du=01/03/2026&au=02/03/2026", 200,
			[]string{"Création de l&#39;actualité n° 2", "Modification de la famille n° 5"}, []string{"Suppression"}},
		{"a wrong date is explained beside its field", "du=" + url.QueryEscape("1er mars"), 422,
			[]string{"La date de début doit être au format JJ/MM/AAAA", `aria-invalid="true"`}, nil},
		{"an end before the start", "du=03/03/2026&au=01/03/2026", 422,
			[]string{"La date de fin doit suivre la date de début."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := admin.Get("/alpha/admin/journal?" + tc.query)
			wantStatus(t, r, tc.status)
			wantContains(t, r.Body, tc.want...)
			for _, n := range tc.not {
				if strings.Contains(r.Body, n) {
					t.Errorf("the page shows %q", n)
				}
			}
		})
	}
}
