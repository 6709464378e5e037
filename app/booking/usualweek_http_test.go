package booking_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Issue 14, "Ma semaine habituelle": the parent saves the usual days of
// a child, books them in one tap for the next open week, or for a period
// across the Christmas holidays; the days that cannot be booked are
// listed with Explain's reason, and the cart shows "Total à payer" and
// "Valider".
func TestUsualWeekIsSavedAndBookedInOneTap(t *testing.T) {
	f := newFixture(t)
	f.exec(`DELETE FROM usual_weeks`) // the demo's own usual week of Fille
	c := f.client(f.fam)
	page := c.get("/famille/semaine-habituelle?enfant=" + itoa(f.fille))
	for _, want := range []string{"Ma semaine habituelle", "Enregistrer", "REPAS CLASSIQUE ENFANT", "Enregistrez d'abord vos jours habituels"} {
		if !strings.Contains(page, want) {
			t.Errorf("empty usual week page lacks %q", want)
		}
	}
	if strings.Contains(page, "GARDERIE MATIN ET SOIR") {
		t.Error("a forfait is not part of a usual week")
	}
	// Monday, Tuesday, Thursday, Friday; Wednesday is not offered and is dropped.
	form := url.Values{"enfant": {itoa(f.fille)}, "mode": {"chaque"}, "jours_all_" + itoa(f.classique): {"1", "2", "3", "4", "5"}}
	status, page := c.post("/famille/semaine-habituelle", form)
	if status != http.StatusOK || !strings.Contains(page, "Semaine habituelle de Fille enregistrée") || !strings.Contains(page, "Réserver la prochaine semaine ouverte") {
		t.Fatalf("save: %d\n%s", status, page)
	}
	if n := f.count(`SELECT weekdays FROM usual_weeks WHERE family_id = ? AND child_id = ? AND parity = 'all'`, f.fam, f.fille); n != 1|2|8|16 {
		t.Errorf("weekdays stored %b, want Monday, Tuesday, Thursday, Friday", n)
	}

	// One tap on Monday 23/11 at 8:00: this week's Thursday and Friday are
	// still open; Monday and Tuesday are past their deadline.
	status, page = c.post("/famille/semaine-habituelle/reserver", url.Values{"enfant": {itoa(f.fille)}, "quand": {"prochaine"}})
	if status != http.StatusOK {
		t.Fatalf("book: %d\n%s", status, page)
	}
	for _, want := range []string{"du 23/11/2026 au 29/11/2026", "2 demandes ajoutées à votre panier", "Trop tard : la réservation du lundi 23/11/2026",
		"Total à payer : 5,10", "Valider", "REGIE CANTINE - prépaiement"} {
		if !strings.Contains(strings.ReplaceAll(page, "&#39;", "'"), want) {
			t.Errorf("result lacks %q", want)
		}
	}
	if n := f.count(`SELECT COUNT(*) FROM cart_lines WHERE family_id = ? AND child_id = ? AND day IN ('2026-11-26', '2026-11-27')`, f.fam, f.fille); n != 2 {
		t.Errorf("cart lines of thursday and friday = %d", n)
	}

	// A period across the Christmas holidays: only school days are booked
	// (and not Friday 18/12, the demo's journée pédagogique).
	status, page = c.post("/famille/semaine-habituelle/reserver", url.Values{"enfant": {itoa(f.fille)}, "du": {"14/12/2026"}, "au": {"08/01/2027"}})
	if status != http.StatusOK || !strings.Contains(page, "7 demandes ajoutées") || !strings.Contains(page, "Vacances scolaires (Vacances de Noël) : pas de service le lundi 21/12/2026") ||
		!strings.Contains(page, "Fermeture (Journée pédagogique)") {
		t.Fatalf("period across the holidays: %d\n%s", status, page)
	}
	if n := f.count(`SELECT COUNT(*) FROM cart_lines WHERE family_id = ? AND day BETWEEN '2026-12-19' AND '2027-01-03'`, f.fam); n != 0 {
		t.Errorf("%d demandes during the holidays", n)
	}
	// "Valider" of the result page leads to the cart's usual path.
	if !strings.Contains(page, `action="/malemort-du-comtat/famille/paiement"`) {
		t.Error("the result's Valider does not post to the payment")
	}
}

func TestUsualWeekRefusesBadInputAndOtherFamilies(t *testing.T) {
	f := newFixture(t)
	f.exec(`DELETE FROM usual_weeks`) // the demo's own usual week of Fille
	other, kids := f.addFamily("FAMILLE Z", 1)
	c := f.client(f.fam)
	c.get("/famille/semaine-habituelle")
	for _, tc := range []struct {
		name string
		path string
		form url.Values
		want int
	}{
		{"another family's child", "/famille/semaine-habituelle", url.Values{"enfant": {itoa(kids[0])}}, http.StatusNotFound},
		{"an unknown parity", "/famille/semaine-habituelle", url.Values{"enfant": {itoa(f.fille)}, "jours_tous_" + itoa(f.classique): {"1"}}, http.StatusBadRequest},
		{"a bad weekday", "/famille/semaine-habituelle", url.Values{"enfant": {itoa(f.fille)}, "jours_all_" + itoa(f.classique): {"9"}}, http.StatusBadRequest},
		{"an unknown prestation", "/famille/semaine-habituelle", url.Values{"enfant": {itoa(f.fille)}, "jours_all_99999": {"1"}}, http.StatusNotFound},
		{"booking another family's child", "/famille/semaine-habituelle/reserver", url.Values{"enfant": {itoa(kids[0])}, "quand": {"prochaine"}}, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := c.Post(tc.path, tc.form); r.Status != tc.want {
				t.Fatalf("%d, want %d\n%s", r.Status, tc.want, r.Body)
			}
		})
	}
	if n := f.count(`SELECT COUNT(*) FROM usual_weeks`); n != 0 {
		t.Errorf("%d rows written by refused forms", n)
	}
	// Nothing saved: the one tap says so and books nothing.
	status, page := c.post("/famille/semaine-habituelle/reserver", url.Values{"enfant": {itoa(f.fille)}, "quand": {"prochaine"}})
	if status != http.StatusOK || !strings.Contains(page, "Votre semaine habituelle est vide") {
		t.Errorf("empty usual week: %d", status)
	}
	status, page = c.post("/famille/semaine-habituelle/reserver", url.Values{"enfant": {itoa(f.fille)}, "du": {"31/12/2026"}, "au": {"01/12/2026"}})
	if status != http.StatusOK || !strings.Contains(page, "La fin de la période est avant son début") {
		t.Errorf("reversed period: %d", status)
	}
	// The commune can switch the page off.
	f.exec(`INSERT INTO settings (key, value) VALUES ('usual_week', 'off')`)
	if r := c.Get("/famille/semaine-habituelle"); r.Status != http.StatusNotFound || !strings.Contains(r.Body, "ne propose pas") {
		t.Errorf("switched off: %d", r.Status)
	}
	if strings.Contains(c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23")), "Ma semaine habituelle") {
		t.Error("the agenda links to a page the commune switched off")
	}
	_ = other
}

// Issue 14, usual week and shared custody: the demo's Lou FAMILLE X
// spends even weeks with her father (FAMILLE Y). Each household's usual
// week books only its own days, into its own cart; the other's days are
// counted, not listed one by one.
func TestUsualWeekOfASharedChildBooksEachHouseholdsDays(t *testing.T) {
	f := newFixture(t)
	lou := f.id(`SELECT id FROM children WHERE first_name = 'Lou'`)
	father := f.id(`SELECT family_id FROM child_households WHERE child_id = ?`, lou)
	for _, tc := range []struct {
		name   string
		family int64
		added  string
		days   []string
	}{
		{"the mother, odd week 51 (not Friday 18/12, a closure)", f.fam, "3 demandes ajoutées", []string{"2026-12-14", "2026-12-15", "2026-12-17"}},
		{"the father, even week 50", father, "4 demandes ajoutées", []string{"2026-12-07", "2026-12-08", "2026-12-10", "2026-12-11"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.client(tc.family)
			c.get("/famille/semaine-habituelle?enfant=" + itoa(lou))
			form := url.Values{"enfant": {itoa(lou)}, "mode": {"chaque"}, "jours_all_" + itoa(f.classique): {"1", "2", "4", "5"}}
			if status, _ := c.post("/famille/semaine-habituelle", form); status != http.StatusOK {
				t.Fatalf("save: %d", status)
			}
			status, page := c.post("/famille/semaine-habituelle/reserver", url.Values{"enfant": {itoa(lou)}, "du": {"07/12/2026"}, "au": {"18/12/2026"}})
			if status != http.StatusOK || !strings.Contains(page, tc.added) || !strings.Contains(page, "4 jours sont en garde de l'autre parent") {
				t.Fatalf("%d\n%s", status, page)
			}
			var got []string
			rows := f.count(`SELECT COUNT(*) FROM cart_lines WHERE child_id = ? AND family_id = ?`, lou, tc.family)
			for _, d := range tc.days {
				if f.count(`SELECT COUNT(*) FROM cart_lines WHERE child_id = ? AND family_id = ? AND day = ?`, lou, tc.family, d) == 1 {
					got = append(got, d)
				}
			}
			if rows != len(tc.days) || len(got) != len(tc.days) {
				t.Errorf("cart of family %d: %d lines, days %v, want %v", tc.family, rows, got, tc.days)
			}
		})
	}
}
