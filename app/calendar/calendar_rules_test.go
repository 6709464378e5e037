package calendar

import (
	"encoding/csv"
	"errors"
	"strings"
	"testing"
)

// These tests pin small rules of the calendar that pages and storage rely
// on (issue 17): the stable codes of closure reasons, the calendar's
// accessors, forfait labels, the open-end rule of a holiday whose resume
// day is unknown, and how holiday segments merge and sort.

func TestReasonKindCodeIsStableForEachKind(t *testing.T) {
	for k, want := range map[ReasonKind]string{ReasonNone: "", ReasonWeekend: "weekend", ReasonPublicHoliday: "public_holiday",
		ReasonClosure: "closure", ReasonSchoolHoliday: "school_holiday", ReasonKind(99): ""} {
		if got := k.Code(); got != want {
			t.Errorf("%d.Code() = %q, want %q", k, got, want)
		}
	}
}

// The calendar tells its normalized zone and a copy of its holidays that
// a caller may change freely; a nil calendar (a commune without one) has
// neither, and no closure.
func TestCalendarZoneHolidaysAndClosureReason(t *testing.T) {
	cal := NewCalendar(Config{Zone: " zone c ", Holidays: BundledHolidays("C"), Closures: []Closure{{day("2026-12-03"), "Grève"}}})
	if cal.Zone() != "C" {
		t.Errorf("zone %q", cal.Zone())
	}
	hs := cal.Holidays()
	if len(hs) == 0 || len(hs) != len(BundledHolidays("C")) {
		t.Fatalf("holidays: %d", len(hs))
	}
	first := hs[0]
	hs[0].Description = "changé"
	if cal.Holidays()[0] != first {
		t.Error("Holidays returns the calendar's own slice")
	}
	if r, ok := cal.ClosureReason(day("2026-12-03")); !ok || r != "Grève" {
		t.Errorf("closure of 03/12: %q %v", r, ok)
	}
	if r, ok := cal.ClosureReason(day("2026-12-04")); ok || r != "" {
		t.Errorf("no closure on 04/12: %q %v", r, ok)
	}
	var none *Calendar
	if none.Zone() != "" || none.Holidays() != nil {
		t.Error("nil calendar has a zone or holidays")
	}
	if _, ok := none.ClosureReason(day("2026-12-03")); ok {
		t.Error("nil calendar has a closure")
	}
}

func TestForfaitKindLabel(t *testing.T) {
	for k, want := range map[ForfaitKind]string{ForfaitMonth: "mois", ForfaitSchoolPeriod: "période scolaire",
		ForfaitSchoolYear: "année scolaire", ForfaitKind("semaine"): "semaine"} {
		if got := k.Label(); got != want {
			t.Errorf("%q.Label() = %q, want %q", string(k), got, want)
		}
	}
}

// A holiday whose resume day is unknown ends on 1 September after its
// school year; without a valid school year, on the next 1 September
// strictly after its first day.
func TestOpenEndOfAHolidayWithoutResumeDay(t *testing.T) {
	for _, c := range []struct {
		name, year, from, want string
	}{
		{"summer of 2026-2027: 1 September 2027", "2026-2027", "2027-07-03", "2027-09-01"},
		{"school year ended before the first day: next 1 September", "2025-2026", "2026-09-01", "2027-09-01"},
		{"school year ended the day after: that 1 September", "2025-2026", "2026-08-31", "2026-09-01"},
		{"no school year, July: that 1 September", "", "2027-07-03", "2027-09-01"},
		{"no school year, starting on 1 September: the next year's", "n/a", "2027-09-01", "2028-09-01"},
		{"no school year, October: the next year's", "", "2027-10-17", "2028-09-01"},
	} {
		if got := openEnd(c.year, day(c.from)); got != day(c.want) {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// Segments of one holiday of a zone merge when they overlap or touch; a
// gap of one day keeps them apart; a known end replaces an estimated one
// but an estimated end never replaces a known one; other zones or other
// holidays never merge. The result is ordered by zone, then dates.
func TestHolidaySegmentsMerge(t *testing.T) {
	h := func(zone, desc, from, until string, estimated bool) Holiday {
		return Holiday{Zone: zone, Description: desc, From: day(from), Until: day(until), Estimated: estimated}
	}
	got := mergeSegments([]Holiday{
		h("B", "Noël", "2026-12-19", "2027-01-04", false),
		h("A", "Noël", "2026-12-19", "2026-12-28", false),
		h("A", "Noël", "2026-12-28", "2027-01-04", false), // touches the first
		h("A", "Hiver", "2027-02-06", "2027-02-14", false),
		h("A", "Hiver", "2027-02-15", "2027-02-22", false), // one day apart
		h("A", "Été", "2027-07-03", "2027-09-01", true),
		h("A", "Été", "2027-07-03", "2027-08-30", false), // the known end wins
		h("C", "Été", "2027-07-03", "2027-08-30", false),
		h("C", "Été", "2027-07-10", "2027-09-01", true), // an estimate does not replace it
		h("C", "Toussaint", "2026-10-17", "2026-10-25", false),
		h("C", "Toussaint", "2026-10-20", "2026-11-02", false), // overlapping, ends later
		h("C", "Pont", "2026-10-20", "2026-10-22", false),      // another holiday
	})
	var lines []string
	for _, x := range got {
		lines = append(lines, x.Zone+" "+x.Description+" "+x.From.String()+" "+x.Until.String()+map[bool]string{true: " estimé"}[x.Estimated])
	}
	want := []string{
		"A Noël 2026-12-19 2027-01-04",
		"A Hiver 2027-02-06 2027-02-14",
		"A Hiver 2027-02-15 2027-02-22",
		"A Été 2027-07-03 2027-08-30",
		"B Noël 2026-12-19 2027-01-04",
		"C Toussaint 2026-10-17 2026-11-02",
		"C Pont 2026-10-20 2026-10-22",
		"C Été 2027-07-03 2027-08-30",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("merged:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// Holidays of one zone starting the same day are ordered by their end.
func TestSortHolidaysByZoneFromThenUntil(t *testing.T) {
	hs := []Holiday{
		{Zone: "B", From: day("2026-10-17"), Until: day("2026-11-02")},
		{Zone: "A", From: day("2026-10-17"), Until: day("2026-11-02")},
		{Zone: "A", From: day("2026-10-17"), Until: day("2026-10-25")},
		{Zone: "A", From: day("2026-10-10"), Until: day("2026-11-09")},
	}
	sortHolidays(hs)
	var got []string
	for _, h := range hs {
		got = append(got, h.Zone+" "+h.From.String()+" "+h.Until.String())
	}
	want := "A 2026-10-10 2026-11-09|A 2026-10-17 2026-10-25|A 2026-10-17 2026-11-02|B 2026-10-17 2026-11-02"
	if strings.Join(got, "|") != want {
		t.Errorf("sorted %s", strings.Join(got, "|"))
	}
}

// An error that is not a CSV parse error has no line to report.
func TestCSVLineOfAnErrorWithoutPosition(t *testing.T) {
	cr := csv.NewReader(strings.NewReader("a\nb\n"))
	if _, err := cr.Read(); err != nil {
		t.Fatal(err)
	}
	if _, err := cr.Read(); err != nil {
		t.Fatal(err)
	}
	if got := csvLine(cr, nil); got != 2 {
		t.Errorf("line of the record read: %d", got)
	}
	if got := csvLine(cr, errors.New("disque plein")); got != 0 {
		t.Errorf("line of a plain error: %d", got)
	}
	if got := csvLine(cr, &csv.ParseError{StartLine: 7, Line: 8, Err: csv.ErrQuote}); got != 7 {
		t.Errorf("line of a parse error: %d", got)
	}
}

// A break of a week or more ends a school period; a shorter one (the
// Ascension bridge) does not. A day inside a break is refused with the
// break's name and its first and last days off.
func TestForfaitSchoolPeriodBreakOfExactlyAWeek(t *testing.T) {
	cal := NewCalendar(Config{Holidays: []Holiday{
		{Zone: "C", Description: "Toussaint", From: day("2026-10-17"), Until: day("2026-11-02")},
		{Zone: "C", Description: "Semaine", From: day("2026-11-14"), Until: day("2026-11-21")}, // 7 days off
		{Zone: "C", Description: "Pont", From: day("2026-12-05"), Until: day("2026-12-11")},    // 6 days off
		{Zone: "C", Description: "Noël", From: day("2026-12-19"), Until: day("2027-01-04")},
	}})
	first, last, err := ForfaitPeriod(ForfaitSchoolPeriod, day("2026-11-05"), cal)
	if err != nil || first != day("2026-11-02") || last != day("2026-11-13") {
		t.Errorf("before the week off: %s–%s %v, want 2026-11-02–2026-11-13", first, last, err)
	}
	first, last, err = ForfaitPeriod(ForfaitSchoolPeriod, day("2026-11-24"), cal)
	if err != nil || first != day("2026-11-21") || last != day("2026-12-18") {
		t.Errorf("across the 6-day bridge: %s–%s %v, want 2026-11-21–2026-12-18", first, last, err)
	}
	_, _, err = ForfaitPeriod(ForfaitSchoolPeriod, day("2026-11-16"), cal)
	if !errors.Is(err, ErrForfaitHolidays) || !strings.Contains(err.Error(), "(Semaine, du 14/11/2026 au 20/11/2026)") {
		t.Errorf("inside the week off: %v", err)
	}
}

// The price rule's refusals name the bracket (counted from 1) and the
// boundaries: a free bracket is fine, two brackets with the same ceiling
// are not, and the last, open bracket has no ceiling to compare.
func TestPriceRuleRefusalsNameTheBracket(t *testing.T) {
	for _, c := range []struct {
		name string
		rule PriceRule
		want string
	}{
		{"free flat price", PriceRule{FlatCents: 0}, ""},
		{"negative flat price", PriceRule{FlatCents: -1}, "tarif invalide : prix négatif"},
		{"a free first bracket", PriceRule{Brackets: []Bracket{{500, 0}, {0, 3}}}, ""},
		{"negative second bracket", PriceRule{Brackets: []Bracket{{500, 1}, {900, -1}, {0, 3}}}, "tarif invalide : prix négatif dans la tranche 2"},
		{"same ceiling twice", PriceRule{Brackets: []Bracket{{500, 1}, {500, 2}, {0, 3}}},
			"tarif invalide : les tranches de quotient familial doivent être croissantes (tranche 2)"},
		{"ceilings one apart", PriceRule{Brackets: []Bracket{{500, 1}, {501, 2}, {0, 3}}}, ""},
		{"open last bracket under the others", PriceRule{Brackets: []Bracket{{500, 1}, {900, 2}, {100, 3}}}, ""},
		{"descending third bracket", PriceRule{Brackets: []Bracket{{500, 1}, {900, 2}, {800, 3}, {0, 4}}},
			"tarif invalide : les tranches de quotient familial doivent être croissantes (tranche 3)"},
	} {
		err := c.rule.Validate()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// A school year turns on 1 September.
func TestSchoolYearStartTurnsOnFirstSeptember(t *testing.T) {
	for d, want := range map[string]int{"2026-08-31": 2025, "2026-09-01": 2026, "2026-12-31": 2026, "2027-01-01": 2026} {
		if got := schoolYearStart(day(d)); got != want {
			t.Errorf("%s: %d, want %d", d, got, want)
		}
	}
}

// SchoolYearOf turns on 1 September too.
func TestSchoolYearOfTurnsOnFirstSeptember(t *testing.T) {
	for d, want := range map[string]string{"2026-08-31": "2025-2026", "2026-09-01": "2026-2027", "2027-01-01": "2026-2027"} {
		if got := SchoolYearOf(day(d)); got != want {
			t.Errorf("%s: %s, want %s", d, got, want)
		}
	}
}

// A row shorter than the header (a spreadsheet drops trailing empty
// cells) reads its missing cells as empty: here the resume day, which the
// open-end rule then sets to 1 September.
func TestHolidaysCSVRowShorterThanItsHeader(t *testing.T) {
	in := "school_year,zone,description,first_day_off,resume_day\n" +
		"2027-2028,C,Vacances d'Été,2028-07-01\n"
	hs, err := ParseHolidaysCSV(strings.NewReader(in))
	if err != nil || len(hs) != 1 || hs[0].Until != day("2028-09-01") || !hs[0].Estimated {
		t.Fatalf("short row: %+v %v", hs, err)
	}
}
