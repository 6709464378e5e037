package booking

import (
	"strings"
	"testing"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/custody"
)

// usualEvery is a usual week booking p on the given weekdays every week.
func usualEvery(p Prestation, days ...time.Weekday) UsualWeek {
	return UsualWeek{ChildID: testChild.ID, Days: map[Parity]map[int64]calendar.WeekdaySet{EveryWeek: {p.ID: calendar.WeekdaysOf(days...)}}}
}

// Shared custody of testChild (family 1) with family 2: even weeks to 2.
var sharedEvenToFather = &custody.Calendar{ChildID: testChild.ID, Home: 1, Others: []int64{2}, Alternation: custody.Alternation{Even: 2, Odd: 1}}

func TestPlanUsualBooksTheUsualDaysThroughTheRules(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	alternate := UsualWeek{ChildID: testChild.ID, Alternating: true, Days: map[Parity]map[int64]calendar.WeekdaySet{
		EvenWeeks: {testClassic.ID: calendar.WeekdaysOf(time.Monday, time.Tuesday)},
		OddWeeks:  {testClassic.ID: calendar.WeekdaysOf(time.Thursday, time.Friday)},
	}}
	bothMeals := UsualWeek{ChildID: testChild.ID, Days: map[Parity]map[int64]calendar.WeekdaySet{EveryWeek: {
		testClassic.ID: calendar.WeekdaysOf(time.Monday), testVege.ID: calendar.WeekdaysOf(time.Monday)}}}
	mtjf := usualEvery(testClassic, time.Monday, time.Tuesday, time.Thursday, time.Friday)

	for _, tc := range []struct {
		name     string
		u        UsualWeek
		family   int64
		keep     *custody.Calendar
		from, to string
		booked   []string
		why      map[string]string // skipped day → a part of Explain's sentence
	}{
		{name: "every week across the christmas holidays: only school days are booked", u: mtjf, from: "2026-12-14", to: "2027-01-08",
			booked: []string{"2026-12-14", "2026-12-15", "2026-12-17", "2026-12-18", "2027-01-04", "2027-01-05", "2027-01-07", "2027-01-08"},
			why:    map[string]string{"2026-12-21": "Vacances scolaires", "2026-12-31": "Vacances scolaires"}},
		{name: "a strike day is skipped with the closure's reason", u: mtjf, from: "2026-11-30", to: "2026-12-04",
			booked: []string{"2026-11-30", "2026-12-01", "2026-12-03"}, why: map[string]string{"2026-12-04": "Fermeture (Grève)"}},
		{name: "monday and tuesday of the current week are past their deadline", u: mtjf, from: "2026-11-23", to: "2026-11-27",
			booked: []string{"2026-11-26", "2026-11-27"}, why: map[string]string{"2026-11-23": "Trop tard", "2026-11-24": "Trop tard"}},
		{name: "even and odd weeks differ (alternating custody)", u: alternate, from: "2026-12-07", to: "2026-12-18",
			booked: []string{"2026-12-07", "2026-12-08", "2026-12-17", "2026-12-18"}},
		{name: "two meals of one exclusive group on monday: the second is skipped", u: bothMeals, from: "2026-12-07", to: "2026-12-07",
			booked: []string{"2026-12-07"}, why: map[string]string{"2026-12-07": "autre choix"}},
		{name: "shared custody: the mother books her odd week only", u: mtjf, family: 1, keep: sharedEvenToFather, from: "2026-12-07", to: "2026-12-18",
			booked: []string{"2026-12-14", "2026-12-15", "2026-12-17", "2026-12-18"},
			why:    map[string]string{"2026-12-07": "Garde de l'autre parent", "2026-12-11": "Garde de l'autre parent"}},
		{name: "shared custody: the father books his even week only", u: mtjf, family: 2, keep: sharedEvenToFather, from: "2026-12-07", to: "2026-12-18",
			booked: []string{"2026-12-07", "2026-12-08", "2026-12-10", "2026-12-11"},
			why:    map[string]string{"2026-12-14": "Garde de l'autre parent"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBooker(NewLedger(nil, nil, nil), nil, testClassic, testVege)
			b.FamilyID, b.Custody = tc.family, tc.keep
			ch, skips, err := b.PlanUsual(tc.u, d(tc.from), d(tc.to))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range ch.Insert {
				got = append(got, l.Day.String())
				if tc.family != 0 && l.FamilyID != tc.family {
					t.Errorf("line of %s for family %d, want %d", l.Day, l.FamilyID, tc.family)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.booked, " ") {
				t.Errorf("booked %v, want %v", got, tc.booked)
			}
			for day, want := range tc.why {
				found := false
				for _, s := range skips {
					if s.Day.String() == day {
						found = true
						if !strings.Contains(s.Why, want) {
							t.Errorf("%s skipped because %q, want %q in it", day, s.Why, want)
						}
					}
				}
				if !found {
					t.Errorf("%s not listed as skipped: %+v", day, skips)
				}
			}
		})
	}
}

func TestNextOpenWeekIsTheFirstWeekWithABookableUsualDay(t *testing.T) {
	t.Parallel()
	mtjf := usualEvery(testClassic, time.Monday, time.Tuesday, time.Thursday, time.Friday)
	mondays := usualEvery(testClassic, time.Monday)
	for _, tc := range []struct {
		name   string
		u      UsualWeek
		now    time.Time
		family int64
		keep   *custody.Calendar
		want   string
	}{
		{"monday 8:00: thursday of this week is still open", mtjf, testNow, 0, nil, "2026-11-23"},
		{"thursday 11:00: this week is closed, tuesday 01/12 is still open", mtjf, paris(2026, time.November, 26, 11, 0), 0, nil, "2026-11-30"},
		{"mondays only, thursday 11:00: monday 30/11 closed at 10:00, next is 07/12", mondays, paris(2026, time.November, 26, 11, 0), 0, nil, "2026-12-07"},
		{"father of even weeks, thursday 26/11: week 49 is odd, his next week is 50", mtjf, paris(2026, time.November, 26, 11, 0), 2, sharedEvenToFather, "2026-12-07"},
		{"mondays only before christmas: the holidays are skipped to 04/01", mondays, paris(2026, time.December, 15, 12, 0), 0, nil, "2027-01-04"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBooker(NewLedger(nil, nil, nil), nil, testClassic)
			b.Now, b.FamilyID, b.Custody = tc.now, tc.family, tc.keep
			got, ok := b.NextOpenWeek(tc.u, 8)
			if !ok || got.String() != tc.want {
				t.Fatalf("NextOpenWeek = %s %v, want %s", got, ok, tc.want)
			}
		})
	}
	b := newBooker(NewLedger(nil, nil, nil), nil, testClassic)
	if _, ok := b.NextOpenWeek(usualEvery(testClassic, time.Wednesday), 8); ok {
		t.Error("a usual week of days the prestation is not offered has no open week")
	}
}

func TestCustodyClosesTheOtherParentsDaysInTheAgenda(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	mine := Reservation{ID: 7, FamilyID: 1, ChildID: 10, PrestationID: 1, Day: d("2026-12-14"), State: StateValidated, PriceCents: 255}
	theirs := Reservation{ID: 8, FamilyID: 2, ChildID: 10, PrestationID: 1, Day: d("2026-12-07"), State: StateValidated, PriceCents: 255}
	led := NewLedger([]Reservation{mine, theirs}, nil, nil)
	for _, tc := range []struct {
		name   string
		family int64
		day    string
		want   CellState
		reason ReasonCode
	}{
		{"the mother sees the father's even week as his, not his booking", 1, "2026-12-07", CellClosed, ReasonOtherParent},
		{"the mother's own booking of her odd week can be cancelled", 1, "2026-12-14", CellValidated, ""},
		{"the father sees his own booking", 2, "2026-12-07", CellValidated, ""},
		{"the father sees the mother's week as hers", 2, "2026-12-14", CellClosed, ReasonOtherParent},
		{"the mother books a free day of her week", 1, "2026-12-15", CellBookable, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBooker(led, nil, testClassic)
			b.FamilyID, b.Custody = tc.family, sharedEvenToFather
			c := CellFor(CellInput{Prestation: testClassic, Day: d(tc.day), Calendar: b.Calendar, Now: b.Now, Ledger: led, Child: &b.Child,
				OtherParent: !b.books(d(tc.day)), FamilyID: tc.family})
			if c.State != tc.want || c.Reason.Code != tc.reason {
				t.Fatalf("cell %s: %d %q (%s), want %d %q", tc.day, c.State, c.Reason.Code, c.Text(), tc.want, tc.reason)
			}
		})
	}
	// A booking of the other household on a day the calendar now gives to
	// the mother is shown, not cancellable by her.
	moved := *sharedEvenToFather
	moved.Periods = []custody.Period{{FamilyID: 1, First: d("2026-12-07"), Last: d("2026-12-07")}}
	b := newBooker(led, nil, testClassic)
	b.FamilyID, b.Custody = 1, &moved
	if _, err := b.Toggle(testClassic, d("2026-12-07"), IntentCancel); err == nil || !strings.Contains(err.Error(), "l'autre responsable") {
		t.Fatalf("cancelling the father's booking: %v", err)
	}
	if _, err := b.Toggle(testClassic, d("2026-12-08"), IntentBook); err == nil || !strings.Contains(err.Error(), "garde de l'autre parent") {
		t.Fatalf("the period covers monday only; tuesday of the even week stays the father's: %v", err)
	}
}
