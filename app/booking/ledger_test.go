package booking

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"espacefamille/app/calendar"
)

// A click on a cell, decided by the Booker from what the ledger holds and
// the intent the parent saw; each branch of Toggle with its story.
func TestToggleDecisions(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	validated := Reservation{ID: 7, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), State: StateValidated, PriceCents: 210}
	late := Reservation{ID: 8, ChildID: 10, PrestationID: 1, Day: d("2026-11-24"), State: StateValidated, PriceCents: 255}
	pending := CartLine{ID: 5, ChildID: 10, PrestationID: 1, Day: d("2026-12-11"), Action: ActionAdd, PriceCents: 255}
	cancelling := CartLine{ID: 6, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), Action: ActionCancel, ReservationID: 7, PriceCents: 210}
	led := func() *Ledger { return NewLedger([]Reservation{validated, late}, []CartLine{pending}, nil) }
	school := testGarderie
	school.ForfaitKind = calendar.ForfaitSchoolPeriod
	for _, tc := range []struct {
		name    string
		led     *Ledger
		p       Prestation
		day     string
		intent  Intent
		wantErr string // "" for no error; ErrStale's text for a stale click
		want    string // the change as "-id" deletions and "+action:day:price" insertions
	}{
		{"demande en cours clicked again is withdrawn", led(), testClassic, "2026-12-11", IntentRemove, "", "-5"},
		{"demande en cours clicked without an intent is withdrawn", led(), testClassic, "2026-12-11", "", "", "-5"},
		{"demande en cours seen as bookable on another device: stale", led(), testClassic, "2026-12-11", IntentBook, ErrStale.Error(), ""},
		{"annulation en cours clicked again keeps the booking", NewLedger([]Reservation{validated}, []CartLine{cancelling}, nil), testClassic, "2026-12-10", IntentUncancel, "", "-6"},
		{"annulation en cours seen as validated on another device: stale", NewLedger([]Reservation{validated}, []CartLine{cancelling}, nil), testClassic, "2026-12-10", IntentCancel, ErrStale.Error(), ""},
		{"validated inside the window: cancellation at the price paid", led(), testClassic, "2026-12-10", IntentCancel, "", "+cancel:2026-12-10:210:res7"},
		{"validated seen as bookable on another device: stale", led(), testClassic, "2026-12-10", IntentBook, ErrStale.Error(), ""},
		{"validated past the cancellation window: refused", led(), testClassic, "2026-11-24", IntentCancel,
			"Le délai d'annulation de REPAS CLASSIQUE ENFANT du 24/11/2026 est dépassé.", ""},
		{"bookable seen as pending on another device: stale", led(), testClassic, "2026-12-14", IntentRemove, ErrStale.Error(), ""},
		{"bookable: demande at the day's price", led(), testClassic, "2026-12-14", IntentBook, "", "+add:2026-12-14:255"},
		{"a full day: refused", NewLedger(nil, nil, map[int64]map[calendar.Date]int{1: {d("2026-12-14"): 10}}),
			func() Prestation { p := testClassic; p.Capacity = 10; return p }(), "2026-12-14", IntentBook,
			"Réservation impossible le 14/12/2026 : complet.", ""},
		{"one place left: booked", NewLedger(nil, nil, map[int64]map[calendar.Date]int{1: {d("2026-12-14"): 9}}),
			func() Prestation { p := testClassic; p.Capacity = 10; return p }(), "2026-12-14", IntentBook, "", "+add:2026-12-14:255"},
		{"school-period forfait during the christmas holidays: refused", led(), school, "2026-12-22", IntentBook,
			"Réservation impossible le 22/12/2026 : vacances scolaires.", ""},
		{"forfait of an unknown kind: refused as not offered", led(), func() Prestation { p := testGarderie; p.ForfaitKind = "semaine"; return p }(), "2026-12-15", IntentBook,
			"Réservation impossible le 15/12/2026 : non proposé ce jour.", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := newBooker(tc.led, nil, testClassic, testVege).Toggle(tc.p, d(tc.day), tc.intent)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if tc.wantErr == ErrStale.Error() && !errors.Is(err, ErrStale) {
					t.Fatalf("err %v is not ErrStale", err)
				}
				if tc.wantErr != ErrStale.Error() && !ch.Empty() {
					t.Fatalf("a refused click changes %+v", ch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := changeString(ch); got != tc.want {
				t.Fatalf("change %q, want %q", got, tc.want)
			}
		})
	}
}

func changeString(ch Change) string {
	var parts []string
	for _, id := range ch.Delete {
		parts = append(parts, "-"+strconv.FormatInt(id, 10))
	}
	for _, l := range ch.Insert {
		s := "+" + l.Action + ":" + l.Day.String() + ":" + strconv.FormatInt(l.PriceCents, 10)
		if l.ReservationID != 0 {
			s += ":res" + strconv.FormatInt(l.ReservationID, 10)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestToggleReplacesAChoiceAlreadyBeingCancelled(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	// The classic meal of the 10th is validated and its cancellation is
	// already in the cart: choosing the vegetarian meal adds the demande
	// only, without a second cancellation.
	classic := Reservation{ID: 7, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), State: StateValidated, PriceCents: 255}
	led := NewLedger([]Reservation{classic}, []CartLine{{ID: 6, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), Action: ActionCancel, ReservationID: 7}}, nil)
	ch, err := newBooker(led, nil, testClassic, testVege).Toggle(testVege, d("2026-12-10"), IntentBook)
	if err != nil || changeString(ch) != "+add:2026-12-10:255" {
		t.Fatalf("change %q, %v", changeString(ch), err)
	}
}

func TestLedgerApplySeesTheRequestsOwnChanges(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	led := NewLedger([]Reservation{{ID: 7, PrestationID: 1, Day: d("2026-12-10"), State: StateValidated}, {ID: 8, PrestationID: 1, Day: d("2026-12-17"), State: StateCancelled}},
		[]CartLine{
			{ID: 5, PrestationID: 1, Day: d("2026-12-11"), Action: ActionAdd},
			{ID: 6, PrestationID: 1, Day: d("2026-12-10"), Action: ActionCancel, ReservationID: 7},
			{ID: 9, PrestationID: 2, Day: d("2026-12-14"), Action: ActionAdd},
			{ID: 11, PrestationID: 2, Day: d("2026-12-17"), Action: ActionCancel, ReservationID: 12},
		}, map[int64]map[calendar.Date]int{1: {d("2026-12-10"): 3}})
	if _, ok := led.Validated(1, d("2026-12-17")); ok {
		t.Fatal("a cancelled reservation is not a validated one")
	}
	if led.Booked(1, d("2026-12-10")) != 3 || led.Booked(1, d("2026-12-11")) != 0 || led.Booked(2, d("2026-12-10")) != 0 {
		t.Fatal("booked places are per prestation and day")
	}
	ch := Change{Delete: []int64{5, 6}, Insert: []CartLine{{ID: 0, PrestationID: 1, Day: d("2026-12-14"), Action: ActionAdd}}}
	if ch.Empty() || (Change{Delete: []int64{1}}).Empty() || (Change{Insert: []CartLine{{}}}).Empty() || !(Change{}).Empty() {
		t.Fatal("Empty is true only without deletion and insertion")
	}
	led.apply(ch)
	if _, ok := led.AddLine(1, d("2026-12-11")); ok {
		t.Fatal("the withdrawn demande is still seen")
	}
	if _, ok := led.CancelLine(7); ok {
		t.Fatal("the undone cancellation is still seen")
	}
	if _, ok := led.AddLine(1, d("2026-12-14")); !ok {
		t.Fatal("the inserted demande is not seen")
	}
	if _, ok := led.AddLine(2, d("2026-12-14")); !ok {
		t.Fatal("another prestation's demande was lost")
	}
	if _, ok := led.CancelLine(12); !ok {
		t.Fatal("another cancellation was lost")
	}
}

func TestSkipText(t *testing.T) {
	t.Parallel()
	s := &Skip{Day: calendar.DateOf(2026, time.December, 3), Reason: Reason{Code: ReasonFull}}
	if s.Error() != "Réservation impossible le 03/12/2026 : complet." || !errors.Is(s, ErrRefused) {
		t.Fatalf("skip %q", s.Error())
	}
}

func TestPlanEdges(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	t.Run("a period longer than a school year plans nothing", func(t *testing.T) {
		req := PeriodRequest{From: d("2026-09-01"), To: d("2028-09-01"), Weekdays: map[int64]calendar.WeekdaySet{1: meals}}
		ch, skips, err := newBooker(NewLedger(nil, nil, nil), nil, testClassic).Plan(req)
		if !errors.Is(err, calendar.ErrTooManyDays) || !ch.Empty() || skips != nil {
			t.Fatalf("%+v %v %v", ch, skips, err)
		}
	})
	t.Run("a school-period forfait without known holidays is skipped as not offered", func(t *testing.T) {
		school := testGarderie
		school.ForfaitKind = calendar.ForfaitSchoolPeriod
		b := newBooker(NewLedger(nil, nil, nil), nil, school)
		b.Calendar = calendar.NewCalendar(calendar.Config{})
		req := PeriodRequest{From: d("2026-12-01"), To: d("2026-12-04"), Weekdays: map[int64]calendar.WeekdaySet{3: meals}}
		ch, skips, err := b.Plan(req)
		if err != nil || !ch.Empty() || len(skips) != 3 || skips[0].Reason.Code != ReasonNotOffered {
			t.Fatalf("%+v %+v %v", ch, skips, err)
		}
	})
	t.Run("a demande already in the cart is skipped, not doubled", func(t *testing.T) {
		led := NewLedger(nil, []CartLine{{ID: 5, PrestationID: 1, Day: d("2026-12-03"), Action: ActionAdd}}, nil)
		req := PeriodRequest{From: d("2026-12-03"), To: d("2026-12-04"), Weekdays: map[int64]calendar.WeekdaySet{1: meals}}
		ch, skips, err := newBooker(led, nil, testClassic).Plan(req)
		// Friday 4 December is the strike day.
		if err != nil || changeString(ch) != "" || len(skips) != 2 || skips[0].Reason.Code != ReasonInCart || skips[1].Reason.Code != ReasonClosure {
			t.Fatalf("%q %+v %v", changeString(ch), skips, err)
		}
	})
}

func TestParsePeriodForm(t *testing.T) {
	t.Parallel()
	prestations := []Prestation{testClassic, testVege}
	for _, tc := range []struct {
		name     string
		form     PeriodForm
		wantErrs string // the French messages joined, "" when valid
	}{
		{"one prestation on mondays and thursdays for one child",
			PeriodForm{From: "30/11/2026", To: "18/12/2026", Weekdays: map[int64][]string{1: {"lundi", "jeudi"}}, ChildIDs: []int64{10}}, ""},
		{"an unknown prestation without any day chosen is ignored",
			PeriodForm{From: "30/11/2026", To: "18/12/2026", Weekdays: map[int64][]string{1: {"lundi"}, 99: {}}, ChildIDs: []int64{10}}, ""},
		{"an unknown prestation with a day chosen is refused",
			PeriodForm{From: "30/11/2026", To: "18/12/2026", Weekdays: map[int64][]string{99: {"lundi"}}, ChildIDs: []int64{10}},
			"Prestation inconnue pour ce service"},
		{"a forged weekday is reported once, not as 'choose a weekday' too",
			PeriodForm{From: "30/11/2026", To: "18/12/2026", Weekdays: map[int64][]string{1: {"funday"}}, ChildIDs: []int64{10}},
			calendar.MsgBadWeekday},
		{"no weekday at all",
			PeriodForm{From: "30/11/2026", To: "18/12/2026", Weekdays: map[int64][]string{1: {}}, ChildIDs: []int64{10}},
			calendar.MsgNoWeekday},
		{"no child chosen",
			PeriodForm{From: "30/11/2026", To: "18/12/2026", Weekdays: map[int64][]string{1: {"lundi"}}},
			"Choisissez au moins un enfant"},
		{"dates and children wrong together",
			PeriodForm{From: "18/12/2026", To: "30/11/2026", Weekdays: map[int64][]string{1: {"lundi"}}},
			calendar.MsgToBeforeFrom + " ; Choisissez au moins un enfant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, errs := ParsePeriod(tc.form, prestations)
			if tc.wantErrs != "" {
				if errs == nil || errs.Error() != tc.wantErrs {
					t.Fatalf("errors %v, want %q", errs, tc.wantErrs)
				}
				return
			}
			if errs != nil {
				t.Fatal(errs)
			}
			want := calendar.WeekdaySet(0)
			for _, w := range tc.form.Weekdays[1] {
				d, _ := calendar.ParseWeekday(w)
				want = want.With(d)
			}
			if req.From != mustDate(t, "2026-11-30") || req.To != mustDate(t, "2026-12-18") || len(req.ChildIDs) != 1 || req.Weekdays[1] != want {
				t.Fatalf("request %+v, want weekdays %s", req, want)
			}
		})
	}
}

func TestGroupSkips(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	groups := GroupSkips([]Skip{
		{Child: "Fille", Prestation: "REPAS", Day: d("2026-12-21"), Reason: Reason{Code: ReasonSchoolHoliday, Detail: "Vacances de Noël"}},
		{Child: "Fille", Prestation: "REPAS", Day: d("2026-12-04"), Reason: Reason{Code: ReasonClosure, Detail: "Grève"}},
		{Child: "Fille", Prestation: "REPAS", Day: d("2026-12-22"), Reason: Reason{Code: ReasonSchoolHoliday, Detail: "Vacances de Noël"}},
		{Child: "Garçon", Prestation: "REPAS", Day: d("2026-12-21"), Reason: Reason{Code: ReasonSchoolHoliday, Detail: "Vacances de Noël"}},
	})
	var got []string
	for _, g := range groups {
		got = append(got, g.Child+" "+g.Prestation+" "+g.Reason+": "+g.DaysFR())
	}
	want := []string{
		"Fille REPAS vacances scolaires (Vacances de Noël): 21/12/2026, 22/12/2026",
		"Fille REPAS fermeture (Grève): 04/12/2026",
		"Garçon REPAS vacances scolaires (Vacances de Noël): 21/12/2026",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("groups:\n%s", strings.Join(got, "\n"))
	}
}
