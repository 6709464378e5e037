package booking

import (
	"strings"
	"testing"
	"time"

	"espacefamille/app/calendar"
)

// The rule line under the agenda states the rule the checks apply: a
// forfait's deadlines count from the period's first day (issue 13: the
// garderie said "7 jours avant" while it closed 7 days before the 1st).
func TestRuleTextSaysTheRuleThatApplies(t *testing.T) {
	t.Parallel()
	period, year := testGarderie, testGarderie
	period.ForfaitKind, period.Booking = calendar.ForfaitSchoolPeriod, mustDeadline("workdays:3@10:00")
	year.ForfaitKind, year.Cancel = calendar.ForfaitSchoolYear, mustDeadline("days:1@18:00")
	weekly := testClassic
	weekly.Booking, weekly.Cancel = mustDeadline("week:thu@12:00"), mustDeadline("days:0@08:00")
	for _, tc := range []struct {
		name string
		p    Prestation
		want string
	}{
		{"daily meal, two working days before the day", testClassic,
			"REPAS CLASSIQUE ENFANT : Réservation jusqu'à 2 jours ouvrés avant, 10h00 ; annulation jusqu'à 2 jours ouvrés avant, 10h00."},
		{"daily meal, previous week's thursday, cancel the same day", weekly,
			"REPAS CLASSIQUE ENFANT : Réservation jusqu'au jeudi 12h00 de la semaine précédente ; annulation jusqu'au jour même, 08h00."},
		{"monthly garderie forfait counts from the 1st of the month", testGarderie,
			"GARDERIE MATIN ET SOIR : Réservation du forfait jusqu'à 7 jours avant le 1er du mois, 12h00 ; annulation jusqu'à 7 jours avant le 1er du mois, 12h00."},
		{"school-period forfait counts from the period's first day", period,
			"GARDERIE MATIN ET SOIR : Réservation du forfait jusqu'à 3 jours ouvrés avant le premier jour de la période scolaire, 10h00 ; annulation jusqu'à 7 jours avant le premier jour de la période scolaire, 12h00."},
		{"school-year forfait counts from the rentrée", year,
			"GARDERIE MATIN ET SOIR : Réservation du forfait jusqu'à 7 jours avant le jour de la rentrée, 12h00 ; annulation jusqu'à la veille du jour de la rentrée, 18h00."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.RuleText(); got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// Each reason a cell is closed has its explanation, which names what
// applies on that cell: the closure, the holiday, the deadline's instant
// and rule, the weekday, the dates, the capacity, the audience.
func TestExplainEachReason(t *testing.T) {
	t.Parallel()
	cal := testCalendar()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	empty := NewLedger(nil, nil, nil)
	full := testClassic
	full.Capacity = 10
	fullLedger := NewLedger(nil, nil, map[int64]map[calendar.Date]int{1: {d("2026-12-15"): 10}})
	fullForfait := testGarderie
	fullForfait.Capacity = 1
	fullForfaitLedger := NewLedger(nil, nil, map[int64]map[calendar.Date]int{3: {d("2026-12-01"): 1}})
	dated := testClassic
	dated.ValidFrom, dated.ValidUntil = d("2027-01-04"), d("2027-06-30")
	from := testClassic
	from.ValidFrom = d("2027-01-04")
	until := testClassic
	until.ValidUntil = d("2026-11-30")
	classOnly := testClassic
	classOnly.Audience = Audience{Classes: []string{"CM2"}}
	periodForfait := testGarderie
	periodForfait.ForfaitKind = calendar.ForfaitSchoolPeriod

	for _, tc := range []struct {
		name   string
		p      Prestation
		day    string
		led    *Ledger
		reason ReasonCode
		want   string
	}{
		{"meal of tuesday 24: deadline friday 20 at 10:00 passed", testClassic, "2026-11-24", empty, ReasonDeadline,
			"Trop tard : la réservation du mardi 24/11/2026 était possible jusqu'au vendredi 20/11/2026 à 10h00. Règle : réservation jusqu'à 2 jours ouvrés avant, 10h00."},
		{"forfait of november: 7 days before the 1st, so 25 october", testGarderie, "2026-11-26", empty, ReasonDeadline,
			"Trop tard : le forfait du 01/11/2026 au 30/11/2026 se réservait jusqu'au dimanche 25/10/2026 à 12h00. Règle : réservation du forfait jusqu'à 7 jours avant le 1er du mois, 12h00."},
		{"strike day", testClassic, "2026-12-04", empty, ReasonClosure,
			"Fermeture (Grève) : REPAS CLASSIQUE ENFANT n'a pas lieu le vendredi 04/12/2026."},
		{"christmas holidays", testClassic, "2026-12-21", empty, ReasonSchoolHoliday,
			"Vacances scolaires (Vacances de Noël) : pas de service le lundi 21/12/2026."},
		{"forfait during the holidays", testGarderie, "2026-12-22", empty, ReasonSchoolHoliday,
			"Vacances scolaires (Vacances de Noël) : le forfait GARDERIE MATIN ET SOIR ne couvre pas les vacances."},
		{"school-period forfait inside the holidays", periodForfait, "2026-12-22", empty, ReasonSchoolHoliday,
			"Vacances scolaires : le forfait GARDERIE MATIN ET SOIR ne couvre pas les vacances."},
		{"11 november", testClassic, "2027-11-11", empty, ReasonPublicHoliday,
			"Jour férié (Armistice 1918) : pas de service le jeudi 11/11/2027."},
		{"meals are not served on wednesdays", testClassic, "2026-11-25", empty, ReasonNotOffered,
			"REPAS CLASSIQUE ENFANT n'est pas proposé le mercredi."},
		{"offered from january to june only", dated, "2026-12-14", empty, ReasonNotOffered,
			"REPAS CLASSIQUE ENFANT est proposé du 04/01/2027 au 30/06/2027."},
		{"offered from january on", from, "2026-12-14", empty, ReasonNotOffered,
			"REPAS CLASSIQUE ENFANT est proposé à partir du 04/01/2027."},
		{"no longer offered after november", until, "2026-12-14", empty, ReasonNotOffered,
			"REPAS CLASSIQUE ENFANT n'est plus proposé après le 30/11/2026."},
		{"full day", full, "2026-12-15", fullLedger, ReasonFull,
			"Complet : toutes les places du mardi 15/12/2026 sont réservées."},
		{"full forfait", fullForfait, "2026-12-15", fullForfaitLedger, ReasonFull,
			"Complet : les places de ce forfait sont toutes réservées."},
		{"meal for the CM2 class only", classOnly, "2026-12-14", empty, ReasonAudience,
			"REPAS CLASSIQUE ENFANT n'est pas proposé pour sa classe : la mairie le réserve à d'autres écoles ou classes."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cell := CellFor(CellInput{Prestation: tc.p, Day: d(tc.day), Calendar: cal, Now: testNow, Ledger: tc.led, Child: &testChild})
			if cell.State != CellClosed || cell.Reason.Code != tc.reason {
				t.Fatalf("cell %s (%q), want closed for %q", cell.Text(), cell.Reason.Code, tc.reason)
			}
			if got := Explain(tc.p, cell, cal); got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	// A validated meal past its cancellation deadline says until when it
	// could be cancelled.
	booked := NewLedger([]Reservation{{ID: 8, ChildID: 10, PrestationID: 1, Day: d("2026-11-24"), State: StateValidated, PriceCents: 255}}, nil, nil)
	fixed := CellFor(CellInput{Prestation: testClassic, Day: d("2026-11-24"), Calendar: cal, Now: testNow, Ledger: booked})
	if got, want := Explain(testClassic, fixed, cal), "Demande validée : l'annulation était possible jusqu'au vendredi 20/11/2026 à 10h00. Règle : annulation jusqu'à 2 jours ouvrés avant, 10h00."; got != want {
		t.Fatalf("validated cell past its cancellation deadline:\ngot  %q\nwant %q", got, want)
	}
	open := CellFor(CellInput{Prestation: testClassic, Day: d("2026-12-14"), Calendar: cal, Now: testNow, Ledger: empty})
	if got := Explain(testClassic, open, cal); got != "" {
		t.Fatalf("a réservable cell is explained: %q", got)
	}
}

// The deadline an explanation states is the instant at which the booking
// check turns: one minute before it the day is réservable, at it no
// longer, for every kind of rule, daily or forfait.
func TestExplainedDeadlineIsTheOneApplied(t *testing.T) {
	t.Parallel()
	cal := testCalendar()
	for _, tc := range []struct {
		name, rule string
		forfait    calendar.ForfaitKind
		day        calendar.Date
	}{
		{"meal, two working days before", "workdays:2@10:00", "", calendar.DateOf(2026, time.December, 14)},
		{"meal, previous week's thursday", "week:thu@12:00", "", calendar.DateOf(2026, time.December, 14)},
		{"meal, the eve", "days:1@18:00", "", calendar.DateOf(2026, time.December, 15)},
		{"monthly forfait, 7 days before the 1st", "days:7@12:00", calendar.ForfaitMonth, calendar.DateOf(2027, time.January, 14)},
		{"school-period forfait, 3 working days before", "workdays:3@10:00", calendar.ForfaitSchoolPeriod, calendar.DateOf(2027, time.January, 14)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testClassic
			if tc.forfait != "" {
				p = testGarderie
				p.ForfaitKind = tc.forfait
			}
			p.Booking = mustDeadline(tc.rule)
			key, _, err := Key(p, tc.day, cal)
			if err != nil {
				t.Fatal(err)
			}
			cutoff := p.Booking.Cutoff(key, cal)
			if ok, _ := CanBook(p, key, cal, cutoff.Add(-time.Minute)); !ok {
				t.Fatalf("not bookable a minute before %s", cutoff)
			}
			cell := CellFor(CellInput{Prestation: p, Day: tc.day, Calendar: cal, Now: cutoff, Ledger: NewLedger(nil, nil, nil)})
			if cell.Reason.Code != ReasonDeadline {
				t.Fatalf("at the cutoff %s the cell is %s", cutoff, cell.Text())
			}
			if why := Explain(p, cell, cal); !strings.Contains(why, "jusqu'au "+instantFR(cutoff)+".") {
				t.Fatalf("%q does not state the cutoff %s", why, instantFR(cutoff))
			}
			// The same for cancelling a validated booking under the same rule.
			p.Cancel = p.Booking
			if !CanCancel(p, key, cal, cutoff.Add(-time.Minute)) || CanCancel(p, key, cal, cutoff) {
				t.Fatalf("cancellation does not turn at %s", cutoff)
			}
			var led *Ledger
			if p.IsForfait() {
				_, last, _ := Key(p, tc.day, cal)
				led = NewLedger([]Reservation{{ID: 1, ChildID: 10, PrestationID: p.ID, Day: key, ForfaitFrom: key, ForfaitUntil: last, State: StateValidated}}, nil, nil)
			} else {
				led = NewLedger([]Reservation{{ID: 1, ChildID: 10, PrestationID: p.ID, Day: key, State: StateValidated}}, nil, nil)
			}
			booked := CellFor(CellInput{Prestation: p, Day: tc.day, Calendar: cal, Now: cutoff, Ledger: led})
			if why := Explain(p, booked, cal); booked.State != CellValidated || !strings.Contains(why, "jusqu'au "+instantFR(cutoff)+".") {
				t.Fatalf("validated cell %s: %q does not state the cutoff %s", booked.Text(), why, instantFR(cutoff))
			}
		})
	}
}

// The explanations of the reasons a cell shows without a rule of its own:
// an audience refusal without detail names the child, a reason without
// sentence reads as its label, a cell closed for no known reason says so;
// a forfait not offered says whether its dates are unknown yet.
func TestExplainTheRemainingReasons(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	closed := func(day string, r Reason) Cell { return Cell{Day: d(day), Key: d(day), State: CellClosed, Reason: r} }
	periodForfait := testGarderie
	periodForfait.ForfaitKind = calendar.ForfaitSchoolPeriod
	noHolidays := calendar.NewCalendar(calendar.Config{Zone: "C"})
	for _, tc := range []struct {
		name string
		p    Prestation
		cell Cell
		cal  *calendar.Calendar
		want string
	}{
		{"an audience refusal without detail names the child", testClassic, closed("2026-12-14", Reason{Code: ReasonAudience}), testCalendar(),
			"REPAS CLASSIQUE ENFANT n'est pas proposé pour cet enfant : la mairie le réserve à d'autres écoles ou classes."},
		{"already booked reads as its label", testClassic, closed("2026-12-14", Reason{Code: ReasonBooked}), testCalendar(), "Déjà réservé."},
		{"a label with its detail", testClassic, closed("2026-12-14", Reason{Code: ReasonExclusive, Detail: "REPAS VEGETARIEN"}), testCalendar(),
			"Un autre choix est déjà fait ce jour (REPAS VEGETARIEN)."},
		{"closed for no known reason", testClassic, closed("2026-12-14", Reason{}), testCalendar(), "Non réservable."},
		{"a school-period forfait whose holidays are not known yet", periodForfait, closed("2026-12-14", Reason{Code: ReasonNotOffered}), noHolidays,
			"Pas encore réservable : les dates des vacances scolaires de cette période ne sont pas connues."},
		{"a school-period forfait on a holiday", periodForfait, closed("2026-12-22", Reason{Code: ReasonNotOffered}), testCalendar(),
			"Pas de forfait GARDERIE MATIN ET SOIR ce jour-là."},
		{"a day outside every rule the page knows", testClassic, closed("2026-12-14", Reason{Code: ReasonNotOffered}), testCalendar(),
			"REPAS CLASSIQUE ENFANT n'est pas proposé ce jour-là."},
	} {
		if got := Explain(tc.p, tc.cell, tc.cal); got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
