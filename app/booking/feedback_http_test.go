package booking_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// weekBlock returns the part of an agenda page from the form of the week
// of monday (ISO) to the end of its table.
func weekBlock(t *testing.T, body, monday string) string {
	t.Helper()
	end := strings.Index(body, `<table class="week" id="semaine-`+monday+`">`)
	if end < 0 {
		t.Fatalf("no week %s in\n%s", monday, body)
	}
	start := strings.LastIndex(body[:end], `<form method="post"`)
	return body[start:end]
}

// Issue 13, feedback where the finger is: without JavaScript a tapped
// cell's message (refusal, forfait, replaced choice) comes back beside the
// week of that cell, and the page is anchored there, not at the top.
func TestCellMessagesComeBackBesideTheirWeek(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(f.fam)
	c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	tap := func(regie, child, prestation int64, day, intent string) string {
		t.Helper()
		r := c.Send(http.MethodPost, "/famille/reservations/case", url.Values{"regie": {itoa(regie)}, "enfant": {itoa(child)},
			"semaine": {"2026-11-23"}, "case": {itoa(prestation) + "|" + day + "|" + intent}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("tap %s: %d", day, r.Status)
		}
		return r.Location
	}
	for _, tc := range []struct {
		name, monday, want  string
		regie, child, prest int64
		day, intent         string
	}{
		{"refused: past the deadline, first week", "2026-11-23", "Réservation impossible le 24/11/2026 : délai dépassé.",
			f.cantine, f.fille, f.classique, "2026-11-24", ""},
		{"a meal in the fourth week, then the other meal of that day replaces it", "2026-12-14",
			"Un seul choix par jour : REPAS CLASSIQUE ENFANT du 15/12/2026 est remplacé par REPAS VEGETARIEN.",
			f.cantine, f.fille, f.vegetarien, "2026-12-15", "reserver"},
		{"a forfait asked for the whole month", "2026-11-30", "Forfait GARDERIE MATIN ET SOIR demandé pour toute la période du 01/12/2026 au 31/12/2026.",
			f.garderie, f.garcon, f.garderieP, "2026-12-03", "reserver"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.want, "remplacé") {
				tap(f.cantine, f.fille, f.classique, "2026-12-15", "reserver")
				c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23")) // shows and drops that click's messages
			}
			loc := tap(tc.regie, tc.child, tc.prest, tc.day, tc.intent)
			if !strings.HasSuffix(loc, "#retour-semaine-"+tc.monday) {
				t.Fatalf("redirected to %s, want the anchor of the week of %s", loc, tc.monday)
			}
			u, _ := url.Parse(loc)
			body := c.get(u.RequestURI())
			block := weekBlock(t, body, tc.monday)
			if !strings.Contains(block, `<div class="cell-feedback" id="retour-semaine-`+tc.monday+`"`) || !strings.Contains(block, tc.want) {
				t.Fatalf("the message is not beside its week:\n%s", block)
			}
			if strings.Count(body, tc.want) != 1 {
				t.Fatalf("the message shows %d times", strings.Count(body, tc.want))
			}
		})
	}
	// A click with nothing to say lands on its week without a message.
	if loc := tap(f.cantine, f.fille, f.classique, "2026-11-26", "reserver"); !strings.HasSuffix(loc, "#semaine-2026-11-23") {
		t.Fatalf("plain click redirected to %s", loc)
	}
}

// A message about a week the page does not show stays at the top.
func TestCellMessageOfAnotherWeekShowsAtTheTop(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(f.fam)
	c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	c.Send(http.MethodPost, "/famille/reservations/case", url.Values{"regie": {itoa(f.cantine)}, "enfant": {itoa(f.fille)},
		"semaine": {"2026-11-23"}, "case": {itoa(f.classique) + "|2026-11-24|"}})
	body := c.get(f.agendaPath(f.cantine, f.fille, "2027-01-04"))
	top := strings.Index(body, `<div class="flash flash-error" role="alert">Réservation impossible le 24/11/2026 : délai dépassé.</div>`)
	if top < 0 || top > strings.Index(body, "Vue Agenda") {
		t.Fatalf("message of a week not shown is not at the top:\n%s", body)
	}
}

// The compact cart bar (issue 13) says what the cart holds and links to
// it; it is hidden while the cart is empty. The rules under the agenda
// say the garderie's deadline counts from the 1st of the month.
func TestCartBarAndForfaitRule(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.client(f.fam)
	body := c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	mustContain(t, body, `<p class="cart-bar" id="panier-resume" hidden>`)
	for _, day := range []string{"2026-11-26", "2026-11-27", "2026-11-30"} {
		c.click(f.cantine, f.fille, f.classique, day, "reserver")
	}
	body = c.get(f.agendaPath(f.cantine, f.fille, "2026-11-23"))
	mustContain(t, body, `<p class="cart-bar" id="panier-resume"><a href="#mes-reservations">Panier : 3 prestations – 7,65`+euro+` · Voir / Valider</a></p>`,
		`id="mes-reservations"`)
	body = c.get(f.agendaPath(f.garderie, f.garcon, "2026-11-23"))
	mustContain(t, body, "GARDERIE MATIN ET SOIR : Réservation du forfait jusqu&#39;à 7 jours avant le 1er du mois, 12h00 ; annulation jusqu&#39;à 7 jours avant le 1er du mois, 12h00.",
		"Trop tard : le forfait du 01/11/2026 au 30/11/2026 se réservait jusqu&#39;au dimanche 25/10/2026 à 12h00.")
	if strings.Contains(body, "Réservation jusqu&#39;à 7 jours avant, 12h00") {
		t.Fatal("the garderie still states a deadline counted from the day")
	}
}
