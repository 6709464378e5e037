package calendar

import (
	"database/sql/driver"
	"testing"
	"time"
)

func TestParseISO(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
		wantErr  bool
	}{
		{"plain date", "2026-11-27", "2026-11-27", false},
		{"leap day of a leap year", "2028-02-29", "2028-02-29", false},
		{"29 February of a common year is refused", "2026-02-29", "", true},
		{"2000 is a leap year", "2000-02-29", "2000-02-29", false},
		{"1900 is not a leap year", "1900-02-29", "", true},
		{"31 April is refused", "2026-04-31", "", true},
		{"month 13 is refused", "2026-13-01", "", true},
		{"day zero is refused", "2026-01-00", "", true},
		{"one-digit month is refused in ISO", "2026-1-01", "", true},
		{"French form is not ISO", "27/11/2026", "", true},
		{"signs are refused", "+026-11-27", "", true},
		{"empty", "", "", true},
		{"year zero is refused", "0000-01-01", "", true},
		{"year 1 is the first year", "0001-01-01", "0001-01-01", false},
		{"year 9999 is the last year", "9999-12-31", "9999-12-31", false},
		{"31 December of every month that has it", "2026-12-31", "2026-12-31", false},
		{"30 June exists, 31 June does not", "2026-06-31", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseISO(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseISO(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err == nil && got.String() != tt.want {
				t.Fatalf("ParseISO(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseFR(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
		wantErr  bool
	}{
		{"memento date", "27/11/2026", "2026-11-27", false},
		{"one-digit day and month", "1/9/2026", "2026-09-01", false},
		{"surrounding spaces", "  05/01/2027 ", "2027-01-05", false},
		{"31 February is refused", "31/02/2026", "", true},
		{"29 February 2028 exists", "29/02/2028", "2028-02-29", false},
		{"two-digit year is refused", "27/11/26", "", true},
		{"ISO is not the French form", "2026-11-27", "", true},
		{"spaces inside are refused", "27 /11/2026", "", true},
		{"three-digit day is refused", "027/11/2026", "", true},
		{"letters are refused", "aa/11/2026", "", true},
		{"missing part", "27/11", "", true},
		{"extra part", "27/11/2026/1", "", true},
		{"month zero", "01/00/2026", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFR(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseFR(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if err == nil && got.String() != tt.want {
				t.Fatalf("ParseFR(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestDateAgreesWithTimePackage(t *testing.T) {
	// Walk every day of four centuries, around the Gregorian leap rules.
	start := time.Date(1899, 12, 25, 0, 0, 0, 0, time.UTC)
	d := DateOf(1899, time.December, 25)
	for i := 0; i < 146097+10; i++ {
		tm := start.AddDate(0, 0, i)
		y, m, dd := d.Civil()
		if y != tm.Year() || m != tm.Month() || dd != tm.Day() || d.Weekday() != tm.Weekday() || d.YearDay() != tm.YearDay() {
			t.Fatalf("day %d: Date %s (%s) vs time %s (%s)", i, d, d.Weekday(), tm.Format("2006-01-02"), tm.Weekday())
		}
		wy, ww := d.ISOWeek()
		ty, tw := tm.ISOWeek()
		if wy != ty || ww != tw {
			t.Fatalf("%s: ISOWeek %d-%d, time says %d-%d", d, wy, ww, ty, tw)
		}
		if DateOf(tm.Year(), tm.Month(), tm.Day()) != d {
			t.Fatalf("DateOf disagrees on %s", d)
		}
		d = d.AddDays(1)
	}
}

func TestDateHelpers(t *testing.T) {
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"FR format pads day and month", day("2026-09-01").FR(), "01/09/2026"},
		{"memento week: Semaine 48 of 2017 starts on Monday 27/11", func() int { _, w := day("2017-11-27").ISOWeek(); return w }(), 48},
		{"1 January 2027 (Friday) belongs to ISO week 53 of 2026", func() [2]int { y, w := day("2027-01-01").ISOWeek(); return [2]int{y, w} }(), [2]int{2026, 53}},
		{"29 December 2025 (Monday) belongs to ISO week 1 of 2026", func() [2]int { y, w := day("2025-12-29").ISOWeek(); return [2]int{y, w} }(), [2]int{2026, 1}},
		{"Monday of a Sunday is six days before", day("2026-11-29").Monday().String(), "2026-11-23"},
		{"Monday of a Monday is itself", day("2026-11-23").Monday().String(), "2026-11-23"},
		{"Sub counts days across a leap day", day("2028-03-01").Sub(day("2028-02-28")), 2},
		{"AddDays crosses a year", day("2026-12-31").AddDays(1).String(), "2027-01-01"},
		{"AddMonths clamps 31 January to end of February", day("2027-01-31").AddMonths(1).String(), "2027-02-28"},
		{"AddMonths goes back a year", day("2027-01-15").AddMonths(-2).String(), "2026-11-15"},
		{"DateOf normalises 31 April to 1 May", DateOf(2026, time.April, 31).String(), "2026-05-01"},
		{"DateOf normalises month 13", DateOf(2026, 13, 1).String(), "2027-01-01"},
		{"DateOf normalises month 0", DateOf(2026, 0, 1).String(), "2025-12-01"},
		{"Before", day("2026-01-01").Before(day("2026-01-02")), true},
		{"After", day("2026-01-01").After(day("2026-01-02")), false},
		{"Equal", day("2026-01-01").Equal(DateOf(2025, 12, 32)), true},
		{"zero Date prints empty", Date{}.String() + Date{}.FR(), ""},
		{"Saturday is weekend", day("2026-11-28").IsWeekend(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestToday(t *testing.T) {
	tests := []struct {
		name string
		now  string
		want string
	}{
		{"23:30 UTC in winter is already tomorrow in Paris", "2026-11-26T23:30:00Z", "2026-11-27"},
		{"22:30 UTC in summer is already tomorrow in Paris", "2026-06-30T22:30:00Z", "2026-07-01"},
		{"21:59 UTC in summer is still today in Paris", "2026-06-30T21:59:00Z", "2026-06-30"},
		{"instant given in another zone", "2026-11-27T01:00:00-05:00", "2026-11-27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Today(mustUTC(t, tt.now)).String(); got != tt.want {
				t.Fatalf("Today(%s) = %s, want %s", tt.now, got, tt.want)
			}
		})
	}
}

func TestDateSQL(t *testing.T) {
	tests := []struct {
		name    string
		src     any
		want    Date
		wantErr bool
	}{
		{"text column", "2026-11-27", day("2026-11-27"), false},
		{"blob column", []byte("2026-11-27"), day("2026-11-27"), false},
		{"driver appends a time", "2026-11-27T00:00:00Z", day("2026-11-27"), false},
		{"driver appends a time after a space", "2026-11-27 00:00:00", day("2026-11-27"), false},
		{"eleven characters without a time part is an error", "2026-11-27X", Date{}, true},
		{"empty text is the zero date", "", Date{}, false},
		{"driver returns time.Time", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), day("2026-11-27"), false},
		{"NULL is the zero date", nil, Date{}, false},
		{"garbage is an error", "27/11/2026", Date{}, true},
		{"integer is an error", int64(3), Date{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Date
			err := d.Scan(tt.src)
			if (err != nil) != tt.wantErr || d != tt.want {
				t.Fatalf("Scan(%v) = %s, %v; want %s, err %v", tt.src, d, err, tt.want, tt.wantErr)
			}
		})
	}
	if v, _ := day("2026-11-27").Value(); v != driver.Value("2026-11-27") {
		t.Fatalf("Value = %v", v)
	}
	if v, _ := (Date{}).Value(); v != nil {
		t.Fatalf("zero Value = %v, want NULL", v)
	}
}

func FuzzParseFR(f *testing.F) {
	for _, s := range []string{"27/11/2026", "1/9/2026", " 31/02/2026 ", "", "//", "99/99/9999", "2026-11-27"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (Date, error){ParseFR, ParseISO, ParseDate} {
			d, err := parse(s)
			if err != nil {
				continue
			}
			// A parsed date must round-trip through both formats.
			if back, err := ParseFR(d.FR()); err != nil || back != d {
				t.Fatalf("%q -> %s -> FR %q -> %s, %v", s, d, d.FR(), back, err)
			}
			if back, err := ParseISO(d.String()); err != nil || back != d {
				t.Fatalf("%q -> %s -> ISO -> %s, %v", s, d, back, err)
			}
		}
	})
}

func TestDateBeforeYearOneAgreesWithTimePackage(t *testing.T) {
	// DateOf normalises like time.Date, so a computed date may fall before
	// year 1: the proleptic Gregorian calendar must still hold there,
	// across years divisible by 400 (-400, 0) and the others.
	start := time.Date(-401, 12, 25, 0, 0, 0, 0, time.UTC)
	d := DateOf(-401, time.December, 25)
	for i := 0; i < 146097+20; i++ {
		tm := start.AddDate(0, 0, i)
		y, m, dd := d.Civil()
		if y != tm.Year() || m != tm.Month() || dd != tm.Day() || d.Weekday() != tm.Weekday() {
			t.Fatalf("day %d: Date %d-%d-%d (%s) vs time %s (%s)", i, y, m, dd, d.Weekday(), tm.Format("2006-01-02"), tm.Weekday())
		}
		if DateOf(tm.Year(), tm.Month(), tm.Day()) != d {
			t.Fatalf("DateOf disagrees on %s", tm.Format("2006-01-02"))
		}
		d = d.AddDays(1)
	}
}

func TestDateCompareSortsDays(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want int
	}{
		{"earlier day", "2026-11-30", "2026-12-01", -1},
		{"same day", "2026-12-01", "2026-12-01", 0},
		{"later day", "2026-12-02", "2026-12-01", 1},
		{"a year apart", "2027-01-01", "2026-12-31", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := day(tt.a), day(tt.b)
			if got := a.Compare(b); got != tt.want {
				t.Fatalf("Compare(%s, %s) = %d, want %d", a, b, got, tt.want)
			}
			if a.Before(b) != (tt.want < 0) || a.After(b) != (tt.want > 0) || a.Equal(b) != (tt.want == 0) {
				t.Fatalf("Before/After/Equal disagree with Compare for %s, %s", a, b)
			}
		})
	}
}

func TestDateText(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Date
		wantErr bool
	}{
		{"ISO from a date picker", "2026-11-27", day("2026-11-27"), false},
		{"French form typed by a person", "27/11/2026", day("2026-11-27"), false},
		{"empty is the zero date", "", Date{}, false},
		{"garbage is an error and leaves the date alone", "27.11.2026", day("2020-01-01"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := day("2020-01-01")
			err := d.UnmarshalText([]byte(tt.in))
			if (err != nil) != tt.wantErr || d != tt.want {
				t.Fatalf("UnmarshalText(%q) = %s, %v", tt.in, d, err)
			}
		})
	}
	if b, err := day("2026-11-27").MarshalText(); err != nil || string(b) != "2026-11-27" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
}
