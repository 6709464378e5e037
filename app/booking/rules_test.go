package booking

import (
	"errors"
	"testing"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/app/families"
)

func mustDate(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseISO(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustDeadline(s string) calendar.Deadline {
	d, err := calendar.ParseDeadline(s)
	if err != nil {
		panic(err)
	}
	return d
}

// paris returns the instant of a Paris wall-clock time.
func paris(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Paris())
}

var (
	meals       = calendar.WeekdaysOf(time.Monday, time.Tuesday, time.Thursday, time.Friday)
	testClassic = Prestation{ID: 1, RegieID: 1, Name: "REPAS CLASSIQUE ENFANT", Kind: KindDaily, Weekdays: meals,
		ExclusiveGroup: "repas", Price: calendar.PriceRule{FlatCents: 255}, Booking: mustDeadline("workdays:2@10:00"),
		Cancel: mustDeadline("workdays:2@10:00"), CapacityScope: ScopeDay}
	testVege = Prestation{ID: 2, RegieID: 1, Name: "REPAS VEGETARIEN", Kind: KindDaily, Weekdays: meals,
		ExclusiveGroup: "repas", Price: calendar.PriceRule{FlatCents: 255}, Booking: mustDeadline("workdays:2@10:00"),
		Cancel: mustDeadline("workdays:2@10:00"), CapacityScope: ScopeDay}
	testGarderie = Prestation{ID: 3, RegieID: 2, Name: "GARDERIE MATIN ET SOIR", Kind: KindForfait, ForfaitKind: calendar.ForfaitMonth,
		Weekdays: meals, Price: calendar.PriceRule{FlatCents: 2500}, Booking: mustDeadline("days:7@12:00"),
		Cancel: mustDeadline("days:7@12:00"), CapacityScope: ScopeDay}
	testChild = families.Child{ID: 10, FamilyID: 1, FirstName: "Fille", LastName: "FAMILLE X"}
)

// testCalendar is zone B with a strike on Friday 4 December 2026.
func testCalendar() *calendar.Calendar {
	return calendar.NewZoneCalendar("B", calendar.Closure{Date: calendar.DateOf(2026, time.December, 4), Reason: "Grève"})
}

// Monday 23 November 2026, 8:00 in Paris.
var testNow = paris(2026, time.November, 23, 8, 0)

func TestCellFor(t *testing.T) {
	t.Parallel()
	cal := testCalendar()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	validated := Reservation{ID: 7, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), State: StateValidated, PriceCents: 255}
	validatedLate := Reservation{ID: 8, ChildID: 10, PrestationID: 1, Day: d("2026-11-24"), State: StateValidated, PriceCents: 255}
	forfait := Reservation{ID: 9, ChildID: 10, PrestationID: 3, Day: d("2027-01-01"), ForfaitFrom: d("2027-01-01"), ForfaitUntil: d("2027-01-31"), State: StateValidated}
	led := NewLedger([]Reservation{validated, validatedLate, forfait}, []CartLine{
		{ID: 1, ChildID: 10, PrestationID: 1, Day: d("2026-12-11"), Action: ActionAdd, PriceCents: 255},
		{ID: 2, ChildID: 10, PrestationID: 2, Day: d("2026-12-14"), Action: ActionAdd, PriceCents: 255},
	}, map[int64]map[calendar.Date]int{1: {d("2026-12-15"): 10}})
	ledCancel := NewLedger([]Reservation{validated}, []CartLine{{ID: 3, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), Action: ActionCancel, ReservationID: 7}}, nil)
	full := testClassic
	full.Capacity = 10

	for _, tc := range []struct {
		name      string
		p         Prestation
		day       string
		led       *Ledger
		want      CellState
		reason    ReasonCode
		clickable bool
	}{
		{"monday 23 at 8:00, deadline was thursday 19 at 10:00", testClassic, "2026-11-23", led, CellClosed, ReasonDeadline, false},
		{"tuesday 24: deadline friday 20 passed", testClassic, "2026-11-24", NewLedger(nil, nil, nil), CellClosed, ReasonDeadline, false},
		{"wednesday is not offered for meals", testClassic, "2026-11-25", led, CellClosed, ReasonNotOffered, false},
		{"thursday 26: deadline tuesday 24 at 10:00 not passed", testClassic, "2026-11-26", NewLedger(nil, nil, nil), CellBookable, "", true},
		{"validated but past the cancellation window", testClassic, "2026-11-24", led, CellValidated, "", false},
		{"validated inside the cancellation window", testClassic, "2026-12-10", led, CellValidated, "", true},
		{"annulation en cours", testClassic, "2026-12-10", ledCancel, CellCancelPending, "", true},
		{"demande en cours", testClassic, "2026-12-11", led, CellPending, "", true},
		{"other meal of the group is still bookable (click replaces)", testClassic, "2026-12-14", led, CellBookable, "", true},
		{"strike day is a fermeture", testClassic, "2026-12-04", led, CellClosed, ReasonClosure, false},
		{"christmas holidays", testClassic, "2026-12-21", led, CellClosed, ReasonSchoolHoliday, false},
		{"public holiday: 11 November 2027", testClassic, "2027-11-11", led, CellClosed, ReasonPublicHoliday, false},
		{"full day", full, "2026-12-15", led, CellClosed, ReasonFull, false},
		{"capacity with places left", full, "2026-12-17", led, CellBookable, "", true},
		{"forfait of december: deadline 24 november noon not passed", testGarderie, "2026-12-15", led, CellBookable, "", true},
		{"forfait of november already running", testGarderie, "2026-11-26", led, CellClosed, ReasonDeadline, false},
		{"forfait validated shows on each open day of january", testGarderie, "2027-01-12", led, CellValidated, "", true},
		{"forfait on a wednesday is not offered", testGarderie, "2027-01-13", led, CellClosed, ReasonNotOffered, false},
		{"forfait during holidays", testGarderie, "2026-12-22", led, CellClosed, ReasonSchoolHoliday, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := CellFor(CellInput{Prestation: tc.p, Day: d(tc.day), Calendar: cal, Now: testNow, Ledger: tc.led})
			if c.State != tc.want || c.Reason.Code != tc.reason || c.Clickable != tc.clickable {
				t.Fatalf("got state %d reason %q clickable %v (%s), want %d %q %v", c.State, c.Reason.Code, c.Clickable, c.Text(), tc.want, tc.reason, tc.clickable)
			}
		})
	}
}

func newBooker(led *Ledger, qf *calendar.QF, prestations ...Prestation) *Booker {
	return &Booker{Child: testChild, Prestations: prestations, Calendar: testCalendar(), QF: qf, Now: testNow, Ledger: led}
}

func TestToggleExclusivity(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	t.Run("choosing vegetarian replaces a classic demande", func(t *testing.T) {
		led := NewLedger(nil, []CartLine{{ID: 5, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), Action: ActionAdd, PriceCents: 255}}, nil)
		ch, err := newBooker(led, nil, testClassic, testVege).Toggle(testVege, d("2026-12-10"), IntentBook)
		if err != nil {
			t.Fatal(err)
		}
		if len(ch.Delete) != 1 || ch.Delete[0] != 5 || len(ch.Insert) != 1 || ch.Insert[0].PrestationID != 2 || ch.Insert[0].Action != ActionAdd {
			t.Fatalf("change = %+v", ch)
		}
	})
	t.Run("replacing a validated classic cancels it inside its window", func(t *testing.T) {
		led := NewLedger([]Reservation{{ID: 7, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), State: StateValidated, PriceCents: 230}}, nil, nil)
		ch, err := newBooker(led, nil, testClassic, testVege).Toggle(testVege, d("2026-12-10"), "")
		if err != nil {
			t.Fatal(err)
		}
		if len(ch.Insert) != 2 || ch.Insert[0].Action != ActionCancel || ch.Insert[0].ReservationID != 7 || ch.Insert[0].Amount() != -230 ||
			ch.Insert[1].Action != ActionAdd || ch.Insert[1].PrestationID != 2 {
			t.Fatalf("change = %+v", ch)
		}
	})
	t.Run("a validated classic past its cancellation window cannot be replaced", func(t *testing.T) {
		strict := testClassic
		strict.Cancel = mustDeadline("days:20@10:00") // cancelling the 10th closed on 20 November
		led := NewLedger([]Reservation{{ID: 7, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), State: StateValidated}}, nil, nil)
		_, err := newBooker(led, nil, strict, testVege).Toggle(testVege, d("2026-12-10"), "")
		var r *Refusal
		if !errors.As(err, &r) || !errors.Is(err, ErrRefused) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("stale intent changes nothing", func(t *testing.T) {
		led := NewLedger(nil, []CartLine{{ID: 5, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), Action: ActionAdd}}, nil)
		_, err := newBooker(led, nil, testClassic).Toggle(testClassic, d("2026-12-10"), IntentBook)
		if err != ErrStale {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("clicking a demande en cours removes it", func(t *testing.T) {
		led := NewLedger(nil, []CartLine{{ID: 5, ChildID: 10, PrestationID: 1, Day: d("2026-12-10"), Action: ActionAdd}}, nil)
		ch, err := newBooker(led, nil, testClassic).Toggle(testClassic, d("2026-12-10"), IntentRemove)
		if err != nil || len(ch.Delete) != 1 || len(ch.Insert) != 0 {
			t.Fatalf("%+v %v", ch, err)
		}
	})
	t.Run("forfait click on any day books the whole month once", func(t *testing.T) {
		ch, err := newBooker(NewLedger(nil, nil, nil), nil, testGarderie).Toggle(testGarderie, d("2026-12-16"), "")
		if err != nil {
			t.Fatal(err)
		}
		l := ch.Insert[0]
		if len(ch.Insert) != 1 || l.Day != d("2026-12-01") || l.ForfaitFrom != d("2026-12-01") || l.ForfaitUntil != d("2026-12-31") || l.PriceCents != 2500 {
			t.Fatalf("line = %+v", l)
		}
	})
}

func TestQFPriceChosenAtBooking(t *testing.T) {
	t.Parallel()
	p := testClassic
	p.Price = calendar.PriceRule{Brackets: []calendar.Bracket{{MaxQF: 500, Cents: 120}, {MaxQF: 900, Cents: 200}, {Cents: 320}}}
	day := mustDate(t, "2026-12-10")
	year := func(v int) *calendar.QF {
		return &calendar.QF{Value: v, ValidFrom: mustDate(t, "2026-09-01"), ValidUntil: mustDate(t, "2027-08-31")}
	}
	for _, tc := range []struct {
		name string
		qf   *calendar.QF
		want int64
	}{
		{"qf 400 pays the first bracket", year(400), 120},
		{"qf 500 is inclusive", year(500), 120},
		{"qf 650 pays the second", year(650), 200},
		{"qf 2000 pays the open bracket", year(2000), 320},
		{"no qf pays full price", nil, 320},
		{"qf expired before the day pays full price", &calendar.QF{Value: 400, ValidUntil: mustDate(t, "2026-11-30")}, 320},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := newBooker(NewLedger(nil, nil, nil), tc.qf, p).Toggle(p, day, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := ch.Insert[0].PriceCents; got != tc.want {
				t.Fatalf("price = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestSummarizeTotals(t *testing.T) {
	t.Parallel()
	d := mustDate(t, "2026-12-10")
	line := func(child int64, name string, p int64, pname, action string, cents int64) CartLine {
		return CartLine{ChildID: child, ChildName: name, PrestationID: p, PrestationName: pname, Day: d, Action: action, PriceCents: cents}
	}
	var lines []CartLine
	for range 3 {
		lines = append(lines, line(1, "Fille FAMILLE X", 1, "REPAS CLASSIQUE ENFANT", ActionAdd, 255))
	}
	for range 3 {
		lines = append(lines, line(2, "Garçon FAMILLE X", 2, "REPAS VEGETARIEN", ActionAdd, 255))
	}
	v := Summarize(lines)
	if v.TotalCents != 1530 || v.Total() != "15,30\u00a0€" || len(v.Children) != 2 || v.Children[0].Items[0].Text() != "3 REPAS CLASSIQUE ENFANT" {
		t.Fatalf("view = %+v", v)
	}
	lines = append(lines[:3], line(1, "Fille FAMILLE X", 2, "REPAS VEGETARIEN", ActionCancel, 230))
	v = Summarize(lines)
	if v.TotalCents != 3*255-230 || v.Children[0].Items[1].Text() != "-1 REPAS VEGETARIEN" || v.Children[0].Items[1].AmountCents != -230 {
		t.Fatalf("view = %+v", v)
	}
	if Summarize(lines[:3]).Total() != "7,65\u00a0€" {
		t.Fatal("memento total")
	}
	// The compact cart bar of a phone (issue 13).
	for _, tc := range []struct {
		lines []CartLine
		want  string
	}{
		{lines[:3], "3 prestations – 7,65\u00a0€"},
		{lines[:1], "1 prestation – 2,55\u00a0€"},
		{lines[3:], "1 prestation – 2,30\u00a0€ en votre faveur"},
	} {
		if got := Summarize(tc.lines).Brief(); got != tc.want {
			t.Errorf("Brief() = %q, want %q", got, tc.want)
		}
	}
}

func TestPlanPeriod(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	// Mondays and Thursdays of December 2026, as in the memento.
	req := PeriodRequest{From: d("2026-12-01"), To: d("2026-12-31"), Weekdays: map[int64]calendar.WeekdaySet{
		1: calendar.WeekdaysOf(time.Monday, time.Wednesday, time.Thursday),
	}}
	led := NewLedger([]Reservation{{ID: 1, ChildID: 10, PrestationID: 1, Day: d("2026-12-07"), State: StateValidated}}, nil, nil)
	ch, skips, err := newBooker(led, nil, testClassic, testVege).Plan(req)
	if err != nil {
		t.Fatal(err)
	}
	// Thu 3, Mon 7 (booked), Thu 10, Mon 14, Thu 17; Wednesdays 2, 9, 16 not offered; from the 19th: holidays.
	var got []string
	for _, l := range ch.Insert {
		got = append(got, l.Day.String())
	}
	want := []string{"2026-12-03", "2026-12-10", "2026-12-14", "2026-12-17"}
	if len(got) != len(want) {
		t.Fatalf("added %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("added %v, want %v", got, want)
		}
	}
	reasons := map[ReasonCode]int{}
	for _, s := range skips {
		reasons[s.Reason.Code]++
	}
	if reasons[ReasonBooked] != 1 || reasons[ReasonNotOffered] != 3 || reasons[ReasonSchoolHoliday] != 6 {
		t.Fatalf("skips %v", reasons)
	}
	// A second prestation of the same group on the same days is skipped.
	req.Weekdays[2] = calendar.WeekdaysOf(time.Thursday)
	_, skips, _ = newBooker(NewLedger(nil, nil, nil), nil, testClassic, testVege).Plan(req)
	excl := 0
	for _, s := range skips {
		if s.Reason.Code == ReasonExclusive {
			excl++
		}
	}
	if excl != 3 {
		t.Fatalf("exclusive skips = %d, want 3 (%v)", excl, skips)
	}
}

func TestPlanForfaitOncePerPeriod(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	req := PeriodRequest{From: d("2026-12-01"), To: d("2027-02-28"), Weekdays: map[int64]calendar.WeekdaySet{3: meals}}
	ch, _, err := newBooker(NewLedger(nil, nil, nil), nil, testGarderie).Plan(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Insert) != 3 || ch.Insert[0].Day != d("2026-12-01") || ch.Insert[1].ForfaitUntil != d("2027-01-31") || ch.Insert[2].Day != d("2027-02-01") {
		t.Fatalf("forfaits = %+v", ch.Insert)
	}
	if v := Summarize(ch.Insert); v.TotalCents != 7500 {
		t.Fatalf("total = %d", v.TotalCents)
	}
}

func TestWeekdayMask(t *testing.T) {
	t.Parallel()
	if MaskFromWeekdays(meals) != 27 || WeekdaysFromMask(27) != meals {
		t.Fatalf("mask %d, set %v", MaskFromWeekdays(meals), WeekdaysFromMask(27))
	}
	for m := range 128 {
		if MaskFromWeekdays(WeekdaysFromMask(m)) != m {
			t.Fatalf("round trip %d", m)
		}
	}
}
