package calendar

import (
	"errors"
	"testing"
)

func TestForfaitPeriod(t *testing.T) {
	calC := NewZoneCalendar("C")
	tests := []struct {
		name        string
		kind        ForfaitKind
		day         string
		first, last string
		wantErr     error
	}{
		{"month of a mid-month day", ForfaitMonth, "2026-11-18", "2026-11-01", "2026-11-30", nil},
		{"month of february in a leap year", ForfaitMonth, "2028-02-10", "2028-02-01", "2028-02-29", nil},
		{"month of december", ForfaitMonth, "2026-12-31", "2026-12-01", "2026-12-31", nil},
		{"school period starts on the resume day after toussaint", ForfaitSchoolPeriod, "2026-11-02", "2026-11-02", "2026-12-18", nil},
		{"school period, last friday before christmas holidays", ForfaitSchoolPeriod, "2026-12-18", "2026-11-02", "2026-12-18", nil},
		{"school period after christmas ends before zone C winter", ForfaitSchoolPeriod, "2027-01-04", "2027-01-04", "2027-02-05", nil},
		{"school period from rentrée to toussaint", ForfaitSchoolPeriod, "2026-09-01", "2026-09-01", "2026-10-16", nil},
		{"ascension bridge does not split the spring-summer period", ForfaitSchoolPeriod, "2027-05-03", "2027-04-19", "2027-07-02", nil},
		{"a day of the ascension bridge still belongs to its period", ForfaitSchoolPeriod, "2027-05-07", "2027-04-19", "2027-07-02", nil},
		{"first saturday of holidays has no school period", ForfaitSchoolPeriod, "2026-12-19", "", "", ErrForfaitHolidays},
		{"a day in summer has no school period", ForfaitSchoolPeriod, "2026-08-10", "", "", ErrForfaitHolidays},
		{"before the first bundled holiday the period is unknown", ForfaitSchoolPeriod, "2024-09-10", "", "", ErrForfaitUnknownDates},
		{"school year from rentrée 2026 to summer 2027", ForfaitSchoolYear, "2027-03-15", "2026-09-01", "2027-07-02", nil},
		{"school year on rentrée day", ForfaitSchoolYear, "2027-09-02", "2027-09-02", "2028-07-03", nil},
		{"school year during christmas holidays is still the school year", ForfaitSchoolYear, "2026-12-24", "2026-09-01", "2027-07-02", nil},
		{"school year during summer is refused", ForfaitSchoolYear, "2027-07-14", "", "", ErrForfaitHolidays},
		{"school year before the first bundled summer falls back to 1 September", ForfaitSchoolYear, "2024-10-01", "2024-09-01", "2025-07-04", nil},
		{"unknown kind", ForfaitKind("week"), "2026-11-18", "", "", ErrForfaitKind},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, last, err := ForfaitPeriod(tt.kind, day(tt.day), calC)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || first.String() != tt.first || last.String() != tt.last {
				t.Fatalf("ForfaitPeriod(%s, %s) = %s..%s, %v; want %s..%s", tt.kind, tt.day, first, last, err, tt.first, tt.last)
			}
		})
	}
}

func TestForfaitSchoolYearWithoutCalendar(t *testing.T) {
	first, last, err := ForfaitPeriod(ForfaitSchoolYear, day("2026-01-15"), nil)
	if err != nil || first != day("2025-09-01") || last != day("2026-08-31") {
		t.Fatalf("got %s..%s, %v", first, last, err)
	}
	if _, _, err := ForfaitPeriod(ForfaitSchoolPeriod, day("2026-01-15"), nil); !errors.Is(err, ErrForfaitUnknownDates) {
		t.Fatalf("err = %v", err)
	}
}

func TestParseForfaitKind(t *testing.T) {
	for _, s := range []string{"month", "school_period", "school_year"} {
		if k, err := ParseForfaitKind(s); err != nil || string(k) != s || k.Label() == s {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := ParseForfaitKind("Month"); err == nil {
		t.Error("kinds are case-sensitive stored values")
	}
}

// A school period needs both of its holidays: with the Toussaint holidays
// known but not the next ones, the period after Toussaint cannot be sold
// yet; a break shorter than a week (a long weekend) does not bound it.
func TestForfaitSchoolPeriodNeedsTheNextHolidays(t *testing.T) {
	toussaint := Holiday{Zone: "C", Description: "Vacances de la Toussaint", From: day("2026-10-17"), Until: day("2026-11-02")}
	bridge := Holiday{Zone: "C", Description: "Pont", From: day("2026-11-11"), Until: day("2026-11-16")}      // 5 days
	week := Holiday{Zone: "C", Description: "Une semaine", From: day("2026-11-21"), Until: day("2026-11-28")} // 7 days
	for _, tc := range []struct {
		name        string
		holidays    []Holiday
		first, last string
	}{
		{"no holidays known after toussaint: unknown", []Holiday{toussaint}, "", ""},
		{"a five-day bridge is not the end of the period", []Holiday{toussaint, bridge}, "", ""},
		{"a seven-day break ends the period the day before it", []Holiday{toussaint, bridge, week}, "2026-11-02", "2026-11-20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal := NewCalendar(Config{Zone: "C", Holidays: tc.holidays})
			first, last, err := ForfaitPeriod(ForfaitSchoolPeriod, day("2026-11-09"), cal)
			if tc.first == "" {
				if !errors.Is(err, ErrForfaitUnknownDates) {
					t.Fatalf("got %s..%s, %v; want ErrForfaitUnknownDates", first, last, err)
				}
				return
			}
			if err != nil || first.String() != tc.first || last.String() != tc.last {
				t.Fatalf("got %s..%s, %v; want %s..%s", first, last, err, tc.first, tc.last)
			}
		})
	}
}
