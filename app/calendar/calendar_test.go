package calendar

import (
	"testing"
)

func TestDayStatus(t *testing.T) {
	cal := NewCalendar(Config{
		Zone:     "C",
		Holidays: BundledHolidays("C"),
		Closures: []Closure{
			{day("2026-12-03"), "Grève"},
			{day("2026-12-25"), "Fermeture de Noël"}, // a public holiday wins
			{day("2026-10-20"), "Centre de loisirs"}, // inside school holidays: the closure is more specific
			{day("2026-12-03"), "doublon ignoré"},    // the first reason of a day is kept
		},
	})
	tests := []struct {
		name     string
		date     string
		wantOpen bool
		want     Reason
	}{
		{"ordinary thursday is open", "2026-11-26", true, Reason{}},
		{"saturday is weekend", "2026-11-28", false, Reason{Kind: ReasonWeekend}},
		{"saturday during holidays is still weekend", "2026-10-17", false, Reason{Kind: ReasonWeekend}},
		{"armistice wednesday is a public holiday", "2026-11-11", false, Reason{ReasonPublicHoliday, "Armistice 1918"}},
		{"strike day is a commune closure", "2026-12-03", false, Reason{ReasonClosure, "Grève"}},
		{"christmas is a public holiday before a closure", "2026-12-25", false, Reason{ReasonPublicHoliday, "Noël"}},
		{"toussaint holidays monday", "2026-10-19", false, Reason{ReasonSchoolHoliday, "Vacances de la Toussaint"}},
		{"closure inside holidays shows the commune's reason", "2026-10-20", false, Reason{ReasonClosure, "Centre de loisirs"}},
		{"resume day after toussaint is open", "2026-11-02", true, Reason{}},
		{"last friday before christmas holidays is open", "2026-12-18", true, Reason{}},
		{"ascension thursday 2027 is a public holiday", "2027-05-06", false, Reason{ReasonPublicHoliday, "Ascension"}},
		{"friday of the 2027 ascension bridge is a school holiday", "2027-05-07", false, Reason{ReasonSchoolHoliday, "Pont de l'Ascension"}},
		{"whit monday 2027", "2027-05-17", false, Reason{ReasonPublicHoliday, "Lundi de Pentecôte"}},
		{"rentrée 2027 thursday is open", "2027-09-02", true, Reason{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open, reason := cal.DayStatus(day(tt.date))
			if open != tt.wantOpen || reason != tt.want {
				t.Fatalf("DayStatus(%s) = %v, %+v; want %v, %+v", tt.date, open, reason, tt.wantOpen, tt.want)
			}
		})
	}
}

func TestReasonText(t *testing.T) {
	tests := []struct {
		name string
		r    Reason
		want string
	}{
		{"weekend", Reason{Kind: ReasonWeekend}, "week-end"},
		{"public holiday with its name", Reason{ReasonPublicHoliday, "Ascension"}, "jour férié (Ascension)"},
		{"closure with the commune's reason", Reason{ReasonClosure, "Grève"}, "fermeture (Grève)"},
		{"school holiday with its name", Reason{ReasonSchoolHoliday, "Vacances de Noël"}, "vacances scolaires (Vacances de Noël)"},
		{"open day has no text", Reason{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.String(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	if ReasonSchoolHoliday.Code() != "school_holiday" || ReasonNone.Code() != "" {
		t.Fatal("codes changed")
	}
}

func TestNilCalendar(t *testing.T) {
	var cal *Calendar
	if open, r := cal.DayStatus(day("2026-11-11")); open || r.Kind != ReasonPublicHoliday {
		t.Fatalf("nil calendar must still know public holidays")
	}
	if !cal.IsOpen(day("2026-10-20")) {
		t.Fatalf("nil calendar knows no school holidays")
	}
}

func TestHolidayAtOverlapping(t *testing.T) {
	// A long holiday that starts before a short one must still be found after it.
	cal := NewCalendar(Config{Holidays: []Holiday{
		{Zone: "A", Description: "Long", From: day("2026-07-01"), Until: day("2026-09-01")},
		{Zone: "A", Description: "Court", From: day("2026-07-10"), Until: day("2026-07-12")},
	}})
	if h, ok := cal.HolidayAt(day("2026-08-15")); !ok || h.Description != "Long" {
		t.Fatalf("got %+v, %v", h, ok)
	}
	if _, ok := cal.HolidayAt(day("2026-09-01")); ok {
		t.Fatalf("resume day is not a holiday")
	}
}

func BenchmarkDayStatus(b *testing.B) {
	cal := NewZoneCalendar("C", Closure{day("2026-12-03"), "Grève"})
	start := day("2025-09-01")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		cal.DayStatus(start.AddDays(i % 700))
		i++
	}
}
