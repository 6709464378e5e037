package calendar

import (
	"errors"
	"testing"
	"time"
)

func TestParsePeriodForm(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		weekdays []string
		want     Period
		wantErrs map[string]string
	}{
		{"memento period, monday tuesday thursday friday", "27/11/2017", "22/12/2017", []string{"lundi", "mardi", "jeudi", "vendredi"},
			Period{day("2017-11-27"), day("2017-12-22"), SchoolWeekNoWed}, nil},
		{"date picker sends ISO dates and ISO numbers", "2026-11-02", "2026-11-06", []string{"1", "3"},
			Period{day("2026-11-02"), day("2026-11-06"), WeekdaysOf(time.Monday, time.Wednesday)}, nil},
		{"one-day period", "2/11/2026", "02/11/2026", []string{"lun"}, Period{day("2026-11-02"), day("2026-11-02"), WeekdaysOf(time.Monday)}, nil},
		{"exactly 366 days is allowed", "01/09/2027", "31/08/2028", []string{"lundi"}, Period{day("2027-09-01"), day("2028-08-31"), WeekdaysOf(time.Monday)}, nil},
		{"malformed start", "31/02/2026", "06/03/2026", []string{"lundi"}, Period{}, map[string]string{"from": MsgFromInvalid}},
		{"malformed end", "02/03/2026", "demain", []string{"lundi"}, Period{}, map[string]string{"to": MsgToInvalid}},
		{"end before start", "06/03/2026", "02/03/2026", []string{"lundi"}, Period{}, map[string]string{"to": MsgToBeforeFrom}},
		{"longer than a school year", "01/09/2026", "02/09/2027", []string{"lundi"}, Period{}, map[string]string{"to": MsgPeriodTooLong}},
		{"no weekday chosen", "02/03/2026", "06/03/2026", nil, Period{}, map[string]string{"weekdays": MsgNoWeekday}},
		{"blank weekday values count as none", "02/03/2026", "06/03/2026", []string{"", " "}, Period{}, map[string]string{"weekdays": MsgNoWeekday}},
		{"forged weekday", "02/03/2026", "06/03/2026", []string{"lundi", "funday"}, Period{}, map[string]string{"weekdays": MsgBadWeekday}},
		{"every field wrong at once", "x", "y", nil, Period{}, map[string]string{"from": MsgFromInvalid, "to": MsgToInvalid, "weekdays": MsgNoWeekday}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePeriodForm(tt.from, tt.to, tt.weekdays)
			if tt.wantErrs == nil {
				if err != nil || got != tt.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			var fe FieldErrors
			if !errors.As(err, &fe) || len(fe) != len(tt.wantErrs) {
				t.Fatalf("err = %v, want %v", err, tt.wantErrs)
			}
			for field, msg := range tt.wantErrs {
				if fe.For(field) != msg {
					t.Errorf("%s: %q, want %q", field, fe.For(field), msg)
				}
			}
		})
	}
}

func TestExpandPeriod(t *testing.T) {
	tests := []struct {
		name     string
		from, to string
		weekdays WeekdaySet
		max      int
		wantLen  int
		first    string
		last     string
		wantErr  bool
	}{
		{"memento weeks without wednesdays", "2017-11-27", "2017-12-22", SchoolWeekNoWed, 0, 16, "2017-11-27", "2017-12-22", false},
		{"only fridays", "2026-11-01", "2026-11-30", WeekdaysOf(time.Friday), 0, 4, "2026-11-06", "2026-11-27", false},
		{"weekend-only period with weekdays chosen", "2026-11-28", "2026-11-29", SchoolWeek, 0, 0, "", "", false},
		{"end before start gives nothing", "2026-11-30", "2026-11-01", SchoolWeek, 0, 0, "", "", false},
		{"max reached is an error", "2026-11-02", "2026-11-06", SchoolWeek, 4, 0, "", "", true},
		{"max exactly reached is fine", "2026-11-02", "2026-11-06", SchoolWeek, 5, 5, "2026-11-02", "2026-11-06", false},
		{"max 0 means a school year: 366 days fit", "2027-09-01", "2028-08-31", WeekdaysOf(time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday), 0, 366, "2027-09-01", "2028-08-31", false},
		{"max 0: the 367th day is too many", "2027-09-01", "2028-09-01", WeekdaysOf(time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday), 0, 0, "", "", true},
		{"a negative max means a school year too", "2027-09-01", "2028-08-31", WeekdaysOf(time.Monday), -1, 52, "2027-09-06", "2028-08-28", false},
		{"a one-day period on its weekday", "2026-11-30", "2026-11-30", WeekdaysOf(time.Monday), 0, 1, "2026-11-30", "2026-11-30", false},
		{"a one-day period on another weekday", "2026-11-30", "2026-11-30", WeekdaysOf(time.Tuesday), 0, 0, "", "", false},
		{"no weekday chosen gives nothing", "2026-11-02", "2026-11-06", 0, 0, 0, "", "", false},
		{"max 1 takes exactly one day", "2026-11-02", "2026-11-02", SchoolWeek, 1, 1, "2026-11-02", "2026-11-02", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ExpandPeriod(day(tt.from), day(tt.to), tt.weekdays, tt.max)
			if (err != nil) != tt.wantErr || len(got) != tt.wantLen {
				t.Fatalf("got %d days, %v", len(got), err)
			}
			if err != nil && !errors.Is(err, ErrTooManyDays) {
				t.Fatalf("error %v is not ErrTooManyDays", err)
			}
			if len(got) > 0 && (got[0].String() != tt.first || got[len(got)-1].String() != tt.last) {
				t.Fatalf("got %s..%s", got[0], got[len(got)-1])
			}
		})
	}
	if s := SchoolWeekNoWed.String(); s != "L M J V" {
		t.Fatalf("String = %q", s)
	}
}

// openDays expands a period and keeps the days the calendar opens, as the "Vue Période" does.
func openDays(cal *Calendar, p Period) (open []Date, skipped map[Date]Reason, err error) {
	days, err := p.Days()
	if err != nil {
		return nil, nil, err
	}
	skipped = map[Date]Reason{}
	for _, d := range days {
		if ok, why := cal.DayStatus(d); ok {
			open = append(open, d)
		} else {
			skipped[d] = why
		}
	}
	return open, skipped, nil
}

func TestPeriodSchoolYearZoneC(t *testing.T) {
	p, err := ParsePeriodForm("01/09/2026", "02/07/2027", []string{"lundi", "mardi", "jeudi", "vendredi"})
	if err != nil {
		t.Fatal(err)
	}
	open, skipped, err := openDays(NewZoneCalendar("C"), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) < 130 || len(open) > 145 {
		t.Fatalf("%d open days in a school year", len(open))
	}
	if r := skipped[day("2027-05-06")]; r.Kind != ReasonPublicHoliday {
		t.Fatalf("ascension: %+v", r)
	}
	if r := skipped[day("2027-02-08")]; r.Kind != ReasonSchoolHoliday {
		t.Fatalf("winter holidays: %+v", r)
	}
}

func FuzzParsePeriodForm(f *testing.F) {
	f.Add("27/11/2017", "22/12/2017", "lundi", "jeudi")
	f.Add("2026-09-01", "2027-08-31", "1", "5")
	f.Add("31/02/2026", "", "", "x")
	cal := NewZoneCalendar("C")
	f.Fuzz(func(t *testing.T, from, to, w1, w2 string) {
		p, err := ParsePeriodForm(from, to, []string{w1, w2})
		if err != nil {
			var fe FieldErrors
			if !errors.As(err, &fe) || len(fe) == 0 || p != (Period{}) {
				t.Fatalf("bad error %v for %+v", err, p)
			}
			return
		}
		if p.To.Before(p.From) || p.To.Sub(p.From) >= 366 || p.Weekdays.IsEmpty() {
			t.Fatalf("invalid period accepted: %+v", p)
		}
		days, err := p.Days()
		if err != nil {
			t.Fatalf("a valid period must expand: %v", err)
		}
		for i, d := range days {
			if d.Before(p.From) || d.After(p.To) || !p.Weekdays.Has(d.Weekday()) || (i > 0 && !d.After(days[i-1])) {
				t.Fatalf("bad day %s in %+v", d, p)
			}
			cal.DayStatus(d)
		}
	})
}

func BenchmarkExpandSchoolYear(b *testing.B) {
	cal := NewZoneCalendar("C", Closure{day("2026-12-03"), "Grève"})
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParsePeriodForm("01/09/2026", "02/07/2027", []string{"lundi", "mardi", "jeudi", "vendredi"})
		if err != nil {
			b.Fatal(err)
		}
		open, _, err := openDays(cal, p)
		if err != nil || len(open) < 130 {
			b.Fatalf("%d days, %v", len(open), err)
		}
	}
}

func TestWeekdaySet(t *testing.T) {
	all := WeekdaysOf(time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday)
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"the whole week reads Monday first, Sunday last", all.String(), "L M M J V S D"},
		{"saturday is a weekday of the set", WeekdaysOf(time.Saturday).String(), "S"},
		{"sunday alone", WeekdaysOf(time.Sunday).String(), "D"},
		{"weekday 7 is ignored", WeekdaysOf(7).IsEmpty(), true},
		{"weekday -1 is ignored", WeekdaysOf(-1).IsEmpty(), true},
		{"Has(saturday) in the whole week", all.Has(time.Saturday), true},
		{"Has(sunday) in the whole week", all.Has(time.Sunday), true},
		{"Has(7) is never true", WeekdaySet(0xff).Has(7), false},
		{"Has(-1) is never true", WeekdaySet(0xff).Has(-1), false},
		{"Has(wednesday) without wednesdays", SchoolWeekNoWed.Has(time.Wednesday), false},
		{"a stray high bit is not a weekday", WeekdaySet(1 << 7).IsEmpty(), true},
		{"the empty set prints nothing", WeekdaySet(0).String(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestPeriodDays(t *testing.T) {
	p := Period{From: day("2026-11-02"), To: day("2026-11-08"), Weekdays: WeekdaysOf(time.Saturday, time.Sunday)}
	if days, err := p.Days(); err != nil || len(days) != 2 || days[0] != day("2026-11-07") || days[1] != day("2026-11-08") {
		t.Fatalf("Days = %v, %v", days, err)
	}
}

func TestFieldErrorsText(t *testing.T) {
	_, err := ParsePeriodForm("x", "02/03/2026", nil)
	var fe FieldErrors
	if !errors.As(err, &fe) || err.Error() != MsgFromInvalid+" ; "+MsgNoWeekday || fe.For("to") != "" {
		t.Fatalf("err = %v", err)
	}
	// Only the first unknown weekday is reported, and no "choose a weekday" on top.
	_, err = ParsePeriodForm("02/03/2026", "06/03/2026", []string{"x", "y", "lundi"})
	if !errors.As(err, &fe) || len(fe) != 1 || fe.For("weekdays") != MsgBadWeekday {
		t.Fatalf("err = %v", err)
	}
}
