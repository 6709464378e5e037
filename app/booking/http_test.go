package booking_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

const euro = "\u00a0€"

func mustContain(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("missing %q", w)
		}
	}
	if t.Failed() {
		t.Fatalf("page:\n%s", body)
	}
}

func TestAgendaStates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		return booking.AddClosure(ctx, tx, calendar.DateOf(2026, time.December, 4), "Grève", f.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	c := f.client(f.fam)
	body := c.get("/famille/reservations")
	mustContain(t, body, "Mes réservations", "Sélectionnez le service / le site", "REGIE CANTINE - prépaiement",
		"REGIE GARDERIE - post-paiement", "Sélectionnez l'enfant",
		"<strong>Fille FAMILLE X</strong> (28/11/2017 - Sans classe)", "<strong>Garçon FAMILLE X</strong> (28/11/2017 - Sans classe)",
		"Semaine 48 du 23/11/2026 au 27/11/2026", "Semaine 51 du 14/12/2026 au 18/12/2026",
		"Réserver en Vue Période", "Précédent", "Aujourd'hui", "Suivant",
		"Vous ne pouvez pas réserver des prestations hors des créneaux de temps prévus dans le règlement mais vous pouvez annuler vos demandes préalablement validées dans les créneaux de temps prévus dans le règlement.",
		`<abbr title="23/11/2026">L</abbr> <span class="daynum">23</span>`, "REPAS CLASSIQUE ENFANT", "REPAS VEGETARIEN",
		"Votre panier est vide")
	if strings.Contains(body, "Semaine 52") {
		t.Error("more than four weeks shown")
	}
	for _, tc := range []struct{ prestation, day, want string }{
		{"REPAS CLASSIQUE ENFANT", "23/11/2026", "closed deadline"},
		{"REPAS CLASSIQUE ENFANT", "25/11/2026", "closed not_offered"},
		{"REPAS CLASSIQUE ENFANT", "26/11/2026", "bookable"},
		{"REPAS VEGETARIEN", "27/11/2026", "bookable"},
		{"REPAS CLASSIQUE ENFANT", "04/12/2026", "closed closure"},
	} {
		if got := cellState(t, body, tc.prestation, tc.day); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.prestation, tc.day, got, tc.want)
		}
	}
	// "Suivant" moves four weeks on: Christmas holidays, with the reason.
	body = c.get(f.agendaPath(f.cantine, f.fille, "2026-12-21"))
	mustContain(t, body, "Semaine 52 du 21/12/2026 au 25/12/2026", "non réservable : vacances scolaires (Vacances de Noël)")
	if got := cellState(t, body, "REPAS CLASSIQUE ENFANT", "21/12/2026"); got != "closed school_holiday" {
		t.Errorf("holiday cell %q", got)
	}
	// A public holiday: Monday 17 May 2027 (Pentecôte).
	body = c.get(f.agendaPath(f.cantine, f.fille, "2027-05-17"))
	mustContain(t, body, "non réservable : jour férié (Lundi de Pentecôte)")
	// The garderie is a forfait: the page says one day is enough.
	body = c.get(f.agendaPath(f.garderie, f.garcon, "2026-11-23"))
	mustContain(t, body, "La garderie étant en forfait, il n'est pas nécessaire de cliquer sur tous les jours de la période", "GARDERIE MATIN ET SOIR")
}

func TestClicksFillTheCart(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(f.fam)
	for _, day := range []string{"2026-11-26", "2026-11-27", "2026-11-30"} {
		if status, body := c.click(f.cantine, f.fille, f.classique, day, "reserver"); status != 200 {
			t.Fatalf("click %s: %d\n%s", day, status, body)
		}
	}
	_, body := c.click(f.cantine, f.garcon, f.vegetarien, "2026-12-01", "reserver")
	mustContain(t, body, "Fille FAMILLE X</h3>", "3 REPAS CLASSIQUE ENFANT", "Garçon FAMILLE X</h3>", "1 REPAS VEGETARIEN",
		"Total à payer : 10,20"+euro, ">Valider<", ">Vider<", `action="/`+slug+`/famille/paiement"`)
	body = c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	if got := cellState(t, body, "REPAS CLASSIQUE ENFANT", "26/11/2026"); got != "pending" {
		t.Fatalf("cell %q", got)
	}
	mustContain(t, body, "🕒")

	// Exclusive group: vegetarian on the 27th replaces the classic demande.
	_, body = c.click(f.cantine, f.fille, f.vegetarien, "2026-11-27", "reserver")
	mustContain(t, body, "2 REPAS CLASSIQUE ENFANT", "1 REPAS VEGETARIEN", "Total à payer : 10,20"+euro)
	if got := cellState(t, body, "REPAS CLASSIQUE ENFANT", "27/11/2026"); got != "bookable" {
		t.Fatalf("replaced cell %q", got)
	}
	// The other guardian's stale click ("reserver" on a pending cell) changes nothing.
	other := f.client(f.fam)
	_, body = other.click(f.cantine, f.fille, f.vegetarien, "2026-11-27", "reserver")
	mustContain(t, body, "Cette case a déjà été modifiée", "Total à payer : 10,20"+euro)
	// Clicking a demande en cours removes it.
	_, body = c.click(f.cantine, f.garcon, f.vegetarien, "2026-12-01", "retirer")
	mustContain(t, body, "Total à payer : 7,65"+euro)
	if strings.Contains(body, "Garçon FAMILLE X</h3>") {
		t.Fatal("garçon still in cart")
	}
	// Past the deadline: refused with the reason, nothing added.
	_, body = c.click(f.cantine, f.fille, f.classique, "2026-11-24", "")
	mustContain(t, body, "Réservation impossible le 24/11/2026 : délai dépassé.", "Total à payer : 7,65"+euro)
	// "Vider" asks once: the first post only shows the question, the
	// confirmed one empties the cart.
	status, body := c.post("/famille/reservations/vider", url.Values{"regie": {itoa(f.cantine)}, "enfant": {itoa(f.fille)}})
	if status != 200 || f.count(`SELECT COUNT(*) FROM cart_lines`) != 3 {
		t.Fatalf("vider unconfirmed: %d, %d lines left", status, f.count(`SELECT COUNT(*) FROM cart_lines`))
	}
	mustContain(t, body, "Vider le panier ?", ">Oui, vider le panier<", `name="confirme" value="1"`, "Non, garder mon panier")
	status, body = c.post("/famille/reservations/vider", url.Values{"regie": {itoa(f.cantine)}, "enfant": {itoa(f.fille)}, "confirme": {"1"}})
	if status != 200 || f.count(`SELECT COUNT(*) FROM cart_lines`) != 0 {
		t.Fatalf("vider: %d", status)
	}
	mustContain(t, body, "Panier vidé (3 demande(s) retirée(s)).", "Votre panier est vide")
}

func TestPeriodBookingForTwoChildren(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(f.fam)
	body := c.get("/famille/reservations/periode?regie=" + itoa(f.cantine) + "&enfant=" + itoa(f.fille))
	mustContain(t, body, "Réserver en Vue Période", "Pour la période du", `type="date"`, `name="jours_`+itoa(f.classique)+`" value="1"`,
		"Réserver en Vue Agenda", `name="enfants" value="`+itoa(f.garcon)+`"`)
	// Mondays, Wednesdays and Thursdays of December, typed as JJ/MM/AAAA.
	form := url.Values{"regie": {itoa(f.cantine)}, "enfant": {itoa(f.fille)}, "du": {"01/12/2026"}, "au": {"31/12/2026"},
		"jours_" + itoa(f.classique): {"1", "3", "4"}, "enfants": {itoa(f.fille), itoa(f.garcon)}}
	status, body := c.post("/famille/reservations/periode", form)
	if status != 200 {
		t.Fatalf("%d\n%s", status, body)
	}
	// Per child: Thu 3, Mon 7, Thu 10, Mon 14, Thu 17.
	mustContain(t, body, "10 demandes ajoutées à votre panier.", "Jours non réservés",
		"<strong>Fille FAMILLE X</strong>, REPAS CLASSIQUE ENFANT – non proposé ce jour : 02/12/2026, 09/12/2026, 16/12/2026",
		"vacances scolaires (Vacances de Noël) : 21/12/2026, 23/12/2026, 24/12/2026, 28/12/2026, 30/12/2026, 31/12/2026",
		"<strong>Garçon FAMILLE X</strong>", "5 REPAS CLASSIQUE ENFANT", "Total à payer : 25,50"+euro)
	// Same period again: every day is skipped as already demanded.
	_, body = c.post("/famille/reservations/periode", form)
	mustContain(t, body, "Aucune demande ajoutée", "déjà demandé : 03/12/2026, 07/12/2026")
	if n := f.count(`SELECT COUNT(*) FROM cart_lines`); n != 10 {
		t.Fatalf("cart lines = %d", n)
	}
	// The agenda shows the demandes on each day.
	body = c.get(f.agendaPath(f.cantine, f.garcon, "2026-12-07"))
	if got := cellState(t, body, "REPAS CLASSIQUE ENFANT", "10/12/2026"); got != "pending" {
		t.Fatalf("cell %q", got)
	}
}

func TestPostpaidForfaitValidateAndCancel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(f.fam)
	_, body := c.click(f.garderie, f.garcon, f.garderieP, "2026-12-15", "reserver")
	mustContain(t, body, "Forfait GARDERIE MATIN ET SOIR demandé pour toute la période du 01/12/2026 au 31/12/2026.",
		"1 GARDERIE MATIN ET SOIR", "Total à payer : 25,00"+euro, `action="/`+slug+`/famille/reservations/valider"`)
	for _, day := range []string{"14/12/2026", "15/12/2026", "17/12/2026"} {
		if got := cellState(t, body, "GARDERIE MATIN ET SOIR", day); got != "pending" {
			t.Fatalf("%s: %q", day, got)
		}
	}
	status, body := c.post("/famille/reservations/valider", url.Values{"regie": {itoa(f.garderie)}, "enfant": {itoa(f.garcon)}, "semaine": {"2026-12-14"}})
	if status != 200 {
		t.Fatalf("%d\n%s", status, body)
	}
	mustContain(t, body, "1 demande(s) validée(s)", "Votre panier est vide")
	if got := cellState(t, body, "GARDERIE MATIN ET SOIR", "18/12/2026"); got != "closed closure" {
		t.Fatalf("the demo's closure day inside the forfait: %q", got)
	}
	if got := cellState(t, body, "GARDERIE MATIN ET SOIR", "17/12/2026"); got != "validated" {
		t.Fatalf("validated cell %q", got)
	}
	if n := f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'validated' AND price_cents = 2500 AND forfait_until = '2026-12-31'`); n != 1 {
		t.Fatalf("reservations = %d", n)
	}
	// Cancel inside the window (7 days before 1 December, noon): a negative line.
	_, body = c.click(f.garderie, f.garcon, f.garderieP, "2026-12-15", "annuler")
	mustContain(t, body, "-1 GARDERIE MATIN ET SOIR", "En moins sur votre prochaine facture : 25,00"+euro)
	if strings.Contains(body, "Total à payer : -") {
		t.Error("a negative total to pay")
	}
	if got := cellState(t, body, "GARDERIE MATIN ET SOIR", "17/12/2026"); got != "cancelling" {
		t.Fatalf("cancelling cell %q", got)
	}
	_, body = c.post("/famille/reservations/valider", url.Values{"regie": {itoa(f.garderie)}, "enfant": {itoa(f.garcon)}})
	mustContain(t, body, "1 demande(s) validée(s)")
	if n := f.count(`SELECT COUNT(*) FROM reservations WHERE state = 'cancelled'`); n != 1 {
		t.Fatalf("cancelled = %d", n)
	}
	if n := f.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts`); n != 0 {
		t.Fatalf("slot counts = %d after cancellation", n)
	}
}

func TestPrepaidValiderLeadsToPayment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(f.fam)
	c.click(f.cantine, f.fille, f.classique, "2026-11-26", "reserver")
	// Billing is not wired in this server: no fake payment, nothing changes.
	status, body := c.post("/famille/paiement", url.Values{"regie": {itoa(f.cantine)}, "enfant": {itoa(f.fille)}})
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "paiement en ligne n&#39;est pas encore disponible") {
		t.Fatalf("%d\n%s", status, body)
	}
	// The post-paid route refuses a prepaid cart.
	_, body = c.post("/famille/reservations/valider", url.Values{"regie": {itoa(f.cantine)}, "enfant": {itoa(f.fille)}})
	mustContain(t, body, "payable à la réservation")
	if f.count(`SELECT COUNT(*) FROM cart_lines`) != 1 || f.count(`SELECT COUNT(*) FROM reservations`) != 0 {
		t.Fatal("cart changed")
	}
}

func TestExpiredDemandeDroppedWithNotice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(f.fam)
	c.click(f.cantine, f.fille, f.classique, "2026-11-26", "reserver")
	c.click(f.cantine, f.fille, f.classique, "2026-12-03", "reserver")
	f.Clock.Set(time.Date(2026, time.November, 24, 10, 0, 0, 0, calendar.Paris())) // the 26th closed on tuesday at 10:00
	body := c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	mustContain(t, body, "Demande retirée du panier, REPAS CLASSIQUE ENFANT du 26/11/2026 pour Fille FAMILLE X : délai dépassé.",
		"1 REPAS CLASSIQUE ENFANT", "Total à payer : 2,55"+euro)
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	otherFam, otherKids := f.addFamily("FAMILLE Z", 1)
	_ = otherFam
	c := f.client(f.fam)
	c.get("/famille/reservations")
	cellForm := func(kv ...string) url.Values {
		v := url.Values{"regie": {itoa(f.cantine)}, "enfant": {itoa(f.fille)}, "prestation": {itoa(f.classique)}, "jour": {"2026-11-26"}}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	periodForm := func(kv ...string) url.Values {
		v := url.Values{"regie": {itoa(f.cantine)}, "du": {"01/12/2026"}, "au": {"31/12/2026"},
			"jours_" + itoa(f.classique): {"1"}, "enfants": {itoa(f.fille)}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}
	for _, tc := range []struct {
		name       string
		method     string
		path       string
		form       url.Values
		wantStatus int
		want       string
	}{
		{"another family's child in the agenda", "GET", "/famille/reservations?enfant=" + itoa(otherKids[0]), nil, 404, "n&#39;existe pas dans votre espace"},
		{"unknown régie", "GET", "/famille/reservations?regie=999", nil, 404, "n&#39;existe pas"},
		{"malformed week", "GET", "/famille/reservations?semaine=2026-13-45", nil, 400, "La demande est invalide"},
		{"malformed child id", "GET", "/famille/reservations?enfant=abc", nil, 400, "La demande est invalide"},
		{"another family's child in a click", "POST", "/famille/reservations/case", cellForm("enfant", itoa(otherKids[0])), 404, "n&#39;existe pas"},
		{"a prestation of another régie", "POST", "/famille/reservations/case", cellForm("prestation", itoa(f.garderieP)), 404, "n&#39;existe pas"},
		{"malformed day", "POST", "/famille/reservations/case", cellForm("jour", "26/11/2026"), 400, "La demande est invalide"},
		{"malformed cell value", "POST", "/famille/reservations/case", cellForm("case", "1|2026-11-26"), 400, "La demande est invalide"},
		{"unknown intent", "POST", "/famille/reservations/case", cellForm("intention", "payer"), 400, "La demande est invalide"},
		{"forged form without token", "POST", "/famille/reservations/case", cellForm("_csrf", "forged"), 403, "Formulaire expiré"},
		{"period: malformed date", "POST", "/famille/reservations/periode", periodForm("du", "32/12/2026"), 400, "Date de début invalide (format JJ/MM/AAAA)"},
		{"period: end before start", "POST", "/famille/reservations/periode", periodForm("au", "30/11/2026"), 400, "La date de fin doit être postérieure ou égale à la date de début"},
		{"period: more than a school year", "POST", "/famille/reservations/periode", periodForm("au", "2027-12-31"), 400, "La période ne peut pas dépasser une année scolaire"},
		{"period: no weekday", "POST", "/famille/reservations/periode", periodForm("jours_"+itoa(f.classique), ""), 400, "Choisissez au moins un jour de la semaine"},
		{"period: no child", "POST", "/famille/reservations/periode", periodForm("enfants", ""), 400, "Choisissez au moins un enfant"},
		{"period: another family's child", "POST", "/famille/reservations/periode", periodForm("enfants", itoa(otherKids[0])), 404, "n&#39;existe pas"},
		{"period: a prestation of another régie", "POST", "/famille/reservations/periode", periodForm("jours_"+itoa(f.garderieP), "1"), 400, "Prestation inconnue pour ce service"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := c.do(tc.method, tc.path, tc.form)
			if status != tc.wantStatus || !strings.Contains(body, tc.want) {
				t.Fatalf("status %d (want %d), missing %q?\n%s", status, tc.wantStatus, tc.want, body)
			}
			if !strings.Contains(body, `lang="fr"`) {
				t.Fatal("not the French page")
			}
		})
	}
	if n := f.count(`SELECT COUNT(*) FROM cart_lines`); n != 0 {
		t.Fatalf("cart lines = %d after bad input", n)
	}
	// Anonymous visitors are sent to the log-in page.
	anon := f.client(0)
	status, _, h := anon.do("GET", "/famille/reservations", nil)
	if status != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "/connexion") {
		t.Fatalf("anonymous: %d %s", status, h.Get("Location"))
	}
}
