package booking

import (
	"errors"
	"strings"
	"testing"

	"espacefamille/app/calendar"
	"espacefamille/app/custody"
)

// tenthMovedToMother is sharedEvenToFather with Thursday 10 December 2026
// (an even week: the father's, family 2) given to the mother (family 1),
// and the father's classic meal demande of that day, made before.
func tenthMovedToMother(t testing.TB) (*custody.Calendar, CartLine) {
	tenth := mustDate(t, "2026-12-10")
	moved := *sharedEvenToFather
	moved.Periods = []custody.Period{{FamilyID: 1, First: tenth, Last: tenth}}
	return &moved, CartLine{ID: 5, FamilyID: 2, ChildID: 10, PrestationID: testClassic.ID, Day: tenth, Action: ActionAdd, PriceCents: 255}
}

// A shared child's cart lines and bookings belong to the household that
// made them: a click of the other household never withdraws, replaces or
// cancels them, whoever the custody calendar now gives the day to.
func TestToggleOnASharedChildLeavesTheOtherHouseholdsLinesAlone(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	movedToMother, fathersClassic := tenthMovedToMother(t)
	mothersClassic := CartLine{ID: 6, FamilyID: 1, ChildID: 10, PrestationID: testClassic.ID, Day: d("2026-12-10"), Action: ActionAdd, PriceCents: 255}
	fathersBooking := Reservation{ID: 7, FamilyID: 2, ChildID: 10, PrestationID: testClassic.ID, Day: d("2026-12-10"), State: StateValidated, PriceCents: 255}
	mothersBooking := Reservation{ID: 8, FamilyID: 1, ChildID: 10, PrestationID: testClassic.ID, Day: d("2026-12-10"), State: StateValidated, PriceCents: 255}

	for _, tc := range []struct {
		name   string
		family int64
		keep   *custody.Calendar
		led    *Ledger
		p      Prestation
		intent Intent
		want   string // the change, as changeString writes it, when the click goes through
		code   ReasonCode
		text   string // a part of the refusal's French text, when refused
	}{
		{name: "the father withdraws his own demande on his week", family: 2, keep: sharedEvenToFather,
			led: NewLedger(nil, []CartLine{fathersClassic}, nil), p: testClassic, intent: IntentRemove, want: "-5"},
		{name: "the mother cannot withdraw the father's demande on his week: the day is his", family: 1, keep: sharedEvenToFather,
			led: NewLedger(nil, []CartLine{fathersClassic}, nil), p: testClassic, intent: IntentRemove, code: ReasonOtherParent, text: "garde de l'autre parent"},
		{name: "the day moved to the mother while the father's demande waits in his cart: she must wait for its removal", family: 1, keep: movedToMother,
			led: NewLedger(nil, []CartLine{fathersClassic}, nil), p: testClassic, intent: IntentBook, text: "REPAS CLASSIQUE ENFANT du 10/12/2026 est déjà demandé par l'autre foyer"},
		{name: "the mother withdraws her own demande on a day moved to her", family: 1, keep: movedToMother,
			led: NewLedger(nil, []CartLine{mothersClassic}, nil), p: testClassic, intent: IntentRemove, want: "-6"},
		{name: "the vegetarian meal does not replace the father's classic demande still in his cart", family: 1, keep: movedToMother,
			led: NewLedger(nil, []CartLine{fathersClassic}, nil), p: testVege, intent: IntentBook, text: "REPAS CLASSIQUE ENFANT du 10/12/2026 est déjà demandé par l'autre foyer"},
		{name: "the vegetarian meal replaces the mother's own classic demande", family: 1, keep: movedToMother,
			led: NewLedger(nil, []CartLine{mothersClassic}, nil), p: testVege, intent: IntentBook, want: "-6 +add:2026-12-10:255"},
		{name: "the vegetarian meal does not cancel the father's classic booking", family: 1, keep: movedToMother,
			led: NewLedger([]Reservation{fathersBooking}, nil, nil), p: testVege, intent: IntentBook, code: ReasonBooked,
			text: "REPAS CLASSIQUE ENFANT est déjà réservé par l'autre responsable de l'enfant"},
		{name: "the vegetarian meal replaces the mother's own classic booking, cancelled at its price", family: 1, keep: movedToMother,
			led: NewLedger([]Reservation{mothersBooking}, nil, nil), p: testVege, intent: IntentBook, want: "+cancel:2026-12-10:255:res8 +add:2026-12-10:255"},
		{name: "an unshared child's classic booking made by the family is replaced as usual", family: 0, keep: nil,
			led: NewLedger([]Reservation{fathersBooking}, nil, nil), p: testVege, intent: IntentBook, want: "+cancel:2026-12-10:255:res7 +add:2026-12-10:255"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBooker(tc.led, nil, testClassic, testVege)
			b.FamilyID, b.Custody = tc.family, tc.keep
			ch, err := b.Toggle(tc.p, d("2026-12-10"), tc.intent)
			if tc.text == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := changeString(ch); got != tc.want {
					t.Fatalf("change %q, want %q", got, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("err = %v, want it to say %q", err, tc.text)
			}
			if !ch.Empty() {
				t.Fatalf("a refused click changes %+v", ch)
			}
			var s *Skip
			if tc.code != "" && (!errors.As(err, &s) || s.Reason.Code != tc.code) {
				t.Fatalf("err %#v, want a skip for %q", err, tc.code)
			}
			if tc.code == "" && errors.As(err, &s) {
				t.Fatalf("err %#v is a skip, want a refusal", err)
			}
		})
	}
}

// In the period view, a day whose exclusive group holds the other
// household's demande is skipped as "another choice", and the days of the
// other household's weeks as theirs; the mother's own days are booked.
func TestPlanSkipsTheDayOfTheOtherHouseholdsDemande(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	movedToMother, fathersClassic := tenthMovedToMother(t)
	b := newBooker(NewLedger(nil, []CartLine{fathersClassic}, nil), nil, testClassic, testVege)
	b.FamilyID, b.Custody = 1, movedToMother
	ch, skips, err := b.Plan(PeriodRequest{RegieID: 1, ChildIDs: []int64{10}, From: d("2026-12-10"), To: d("2026-12-14"),
		Weekdays: map[int64]calendar.WeekdaySet{testVege.ID: meals}})
	if err != nil {
		t.Fatal(err)
	}
	if got := changeString(ch); got != "+add:2026-12-14:255" {
		t.Fatalf("change %q, want the mother's monday only", got)
	}
	got := map[string]ReasonCode{}
	for _, s := range skips {
		got[s.Day.String()] = s.Reason.Code
	}
	want := map[string]ReasonCode{"2026-12-10": ReasonExclusive, "2026-12-11": ReasonOtherParent}
	if len(got) != len(want) || got["2026-12-10"] != want["2026-12-10"] || got["2026-12-11"] != want["2026-12-11"] {
		t.Fatalf("skips %v, want %v", got, want)
	}
}
