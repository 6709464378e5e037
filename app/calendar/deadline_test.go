package calendar

import (
	"errors"
	"testing"
	"time"
)

func mustDeadline(s string) Deadline {
	r, err := ParseDeadline(s)
	if err != nil {
		panic(err)
	}
	return r
}

func TestDeadlineCutoff(t *testing.T) {
	utc := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	tests := []struct {
		name string
		rule string
		day  string
		want time.Time
	}{
		{"thursday noon cutoff, booking friday for next monday", "week:thu@12:00", "2026-11-30", paris(2026, 11, 26, 12, 0)},
		{"thursday noon cutoff, friday of the next week has the same cutoff", "week:thu@12:00", "2026-12-04", paris(2026, 11, 26, 12, 0)},
		{"thursday noon cutoff, saturday of the week too", "week:jeudi@12h00", "2026-12-05", paris(2026, 11, 26, 12, 0)},
		{"previous sunday evening for a wednesday", "week:sun@18:00", "2026-12-02", paris(2026, 11, 29, 18, 0)},
		{"previous week over new year", "week:thu@12:00", "2027-01-04", paris(2026, 12, 31, 12, 0)},
		{"2 calendar days before monday lands on saturday", "days:2@10:00", "2026-11-30", paris(2026, 11, 28, 10, 0)},
		{"same day at 09:00", "days:0@09:00", "2026-11-30", paris(2026, 11, 30, 9, 0)},
		{"eve at 18:00 across a month", "days:1@18:00", "2026-12-01", paris(2026, 11, 30, 18, 0)},
		{"2 working days before monday is thursday", "workdays:2@10:00", "2026-11-30", paris(2026, 11, 26, 10, 0)},
		{"1 working day before monday is friday", "workdays:1@10:00", "2026-11-30", paris(2026, 11, 27, 10, 0)},
		{"working days skip ascension thursday", "workdays:2@10:00", "2026-05-18", paris(2026, 5, 13, 10, 0)},
		{"working days skip whit monday and the weekend", "workdays:1@10:00", "2026-05-26", paris(2026, 5, 22, 10, 0)},
		{"working days skip 1 november 2027 (monday)", "workdays:1@10:00", "2027-11-02", paris(2027, 10, 29, 10, 0)},
		{"working days skip armistice wednesday", "workdays:1@10:00", "2026-11-12", paris(2026, 11, 10, 10, 0)},
		{"working days over christmas and new year 2026", "workdays:3@08:00", "2027-01-04", paris(2026, 12, 29, 8, 0)},
		{"zero working days is the day itself, even a saturday", "workdays:0@07:00", "2026-11-28", paris(2026, 11, 28, 7, 0)},
		// Spring forward: Sunday 29 March 2026, 02:00 CET -> 03:00 CEST.
		{"spring change day 00:30 is still winter time", "days:1@00:30", "2026-03-30", utc("2026-03-28T23:30:00Z")},
		{"spring change day 02:30 does not exist: normalised to 03:30 CEST", "days:1@02:30", "2026-03-30", utc("2026-03-29T01:30:00Z")},
		{"spring change day 10:00 is summer time", "days:0@10:00", "2026-03-29", utc("2026-03-29T08:00:00Z")},
		{"working day cutoff before the spring weekend is winter time", "workdays:1@10:00", "2026-03-30", utc("2026-03-27T09:00:00Z")},
		{"working day cutoff after the spring weekend is summer time", "workdays:1@10:00", "2026-03-31", utc("2026-03-30T08:00:00Z")},
		{"thursday noon in winter for the week after the change", "week:thu@12:00", "2026-03-30", utc("2026-03-26T11:00:00Z")},
		{"thursday noon in summer", "week:thu@12:00", "2026-04-06", utc("2026-04-02T10:00:00Z")},
		// Fall back: Sunday 25 October 2026, 03:00 CEST -> 02:00 CET.
		{"autumn change day 00:30 is still summer time", "days:1@00:30", "2026-10-26", utc("2026-10-24T22:30:00Z")},
		{"autumn change day 02:30 happens twice: time.Date picks the CET one", "days:1@02:30", "2026-10-26", utc("2026-10-25T01:30:00Z")},
		{"autumn change day 10:00 is winter time", "days:0@10:00", "2026-10-25", utc("2026-10-25T09:00:00Z")},
		{"two calendar days across the autumn change keep the wall clock", "days:2@10:00", "2026-10-26", utc("2026-10-24T08:00:00Z")},
		// "J-n à 10h00": the booked day minus n days, each count at its boundary.
		{"J-1 of a monday is sunday (calendar days ignore the weekend)", "days:1@10:00", "2026-11-30", paris(2026, 11, 29, 10, 0)},
		{"J-7 is the same weekday a week before", "days:7@10:00", "2026-11-30", paris(2026, 11, 23, 10, 0)},
		{"J-366 is the longest rule, a year and a day before in a common year", "days:366@10:00", "2027-11-30", paris(2026, 11, 29, 10, 0)},
		{"J-1 of 1 march in a leap year is 29 february", "days:1@10:00", "2028-03-01", paris(2028, 2, 29, 10, 0)},
		{"calendar days count back over a public holiday", "days:2@10:00", "2026-11-12", paris(2026, 11, 10, 10, 0)},
		{"1 working day of a tuesday is monday", "workdays:1@10:00", "2026-12-01", paris(2026, 11, 30, 10, 0)},
		{"5 working days of a monday is the monday before", "workdays:5@10:00", "2026-11-30", paris(2026, 11, 23, 10, 0)},
		{"6 working days of a monday skips one weekend and reaches friday", "workdays:6@10:00", "2026-11-30", paris(2026, 11, 20, 10, 0)},
		{"1 working day of a sunday is friday", "workdays:1@10:00", "2026-11-29", paris(2026, 11, 27, 10, 0)},
		{"1 working day of a saturday is friday", "workdays:1@10:00", "2026-11-28", paris(2026, 11, 27, 10, 0)},
		{"1 working day after easter monday is the thursday before good friday (national)", "workdays:1@10:00", "2026-04-07", paris(2026, 4, 3, 10, 0)},
		{"2 working days over easter monday", "workdays:2@10:00", "2026-04-07", paris(2026, 4, 2, 10, 0)},
		{"minutes are kept", "days:1@09:45", "2026-11-30", paris(2026, 11, 29, 9, 45)},
		{"midnight cutoff of the day itself", "days:0@00:00", "2026-11-30", paris(2026, 11, 30, 0, 0)},
		{"last minute of the day itself", "days:0@23:59", "2026-11-30", paris(2026, 11, 30, 23, 59)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustDeadline(tt.rule).Cutoff(day(tt.day), nil)
			if !got.Equal(tt.want) {
				t.Fatalf("Cutoff(%s, %s) = %s, want %s", tt.rule, tt.day, got.In(Paris()), tt.want.In(Paris()))
			}
			if got.Location() != Paris() {
				t.Fatalf("cutoff not in Europe/Paris: %s", got.Location())
			}
		})
	}
}

func TestDeadlineOpen(t *testing.T) {
	thursdayNoon := mustDeadline("week:thu@12:00")
	tests := []struct {
		name string
		rule Deadline
		day  string
		now  time.Time
		want bool
	}{
		{"thursday noon cutoff, booking friday for next monday is too late", thursdayNoon, "2026-11-30", paris(2026, 11, 27, 10, 0), false},
		{"thursday noon cutoff, booking thursday morning for next monday", thursdayNoon, "2026-11-30", paris(2026, 11, 26, 11, 59), true},
		{"thursday noon cutoff, exactly noon is too late", thursdayNoon, "2026-11-30", paris(2026, 11, 26, 12, 0), false},
		{"thursday noon cutoff, friday can book the week after next", thursdayNoon, "2026-12-07", paris(2026, 11, 27, 10, 0), true},
		{"2 working days, wednesday evening for friday is too late", mustDeadline("workdays:2@10:00"), "2026-11-27", paris(2026, 11, 25, 18, 0), false},
		{"2 working days, wednesday 09:59 for friday", mustDeadline("workdays:2@10:00"), "2026-11-27", paris(2026, 11, 25, 9, 59), true},
		{"now in UTC is compared as an instant", mustDeadline("days:1@10:00"), "2026-11-27", time.Date(2026, 11, 26, 8, 59, 0, 0, time.UTC), true},
		{"now in UTC one minute late", mustDeadline("days:1@10:00"), "2026-11-27", time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Open(day(tt.day), tt.now); got != tt.want {
				t.Fatalf("Open = %v, want %v (cutoff %s)", got, tt.want, tt.rule.Cutoff(day(tt.day), nil))
			}
		})
	}
}

func TestDeadlineWithCommuneCalendar(t *testing.T) {
	// Good Friday is a public holiday in Alsace-Moselle only.
	alsace := NewCalendar(Config{AlsaceMoselle: true})
	r := mustDeadline("workdays:1@10:00")
	if got := r.Cutoff(day("2026-04-07"), alsace); !got.Equal(paris(2026, 4, 2, 10, 0)) {
		t.Fatalf("alsace: %s", got)
	}
	if got := r.Cutoff(day("2026-04-07"), nil); !got.Equal(paris(2026, 4, 3, 10, 0)) {
		t.Fatalf("national: %s", got)
	}
	if r.OpenIn(day("2026-04-07"), paris(2026, 4, 2, 11, 0), alsace) {
		t.Fatal("alsace deadline passed")
	}
}

func TestParseDeadline(t *testing.T) {
	tests := []struct {
		name, in string
		want     Deadline
		wantErr  bool
	}{
		{"calendar days", "days:2@10:00", Deadline{DeadlineCalendarDays, 2, 0, 10, 0}, false},
		{"working days with French hour", "workdays:2@10h00", Deadline{DeadlineWorkingDays, 2, 0, 10, 0}, false},
		{"previous week in French", "week:jeudi@12h00", Deadline{DeadlinePreviousWeek, 0, time.Thursday, 12, 0}, false},
		{"previous week, case and spaces", "  WEEK:Thu@12:30 ", Deadline{DeadlinePreviousWeek, 0, time.Thursday, 12, 30}, false},
		{"hour without minutes", "days:1@9h", Deadline{DeadlineCalendarDays, 1, 0, 9, 0}, false},
		{"negative days refused", "days:-1@10:00", Deadline{}, true},
		{"too many days refused", "days:999@10:00", Deadline{}, true},
		{"hour 24 refused", "days:1@24:00", Deadline{}, true},
		{"minute 60 refused", "days:1@10:60", Deadline{}, true},
		{"missing hour", "days:2", Deadline{}, true},
		{"unknown kind", "hours:2@10:00", Deadline{}, true},
		{"unknown weekday", "week:jour@12:00", Deadline{}, true},
		{"empty", "", Deadline{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDeadline(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseDeadline(%q) = %+v, %v", tt.in, got, err)
			}
			if err != nil && !errors.Is(err, ErrInvalidDeadline) {
				t.Fatalf("error does not wrap ErrInvalidDeadline: %v", err)
			}
		})
	}
}

func TestDeadlineDescribe(t *testing.T) {
	tests := []struct{ name, rule, want string }{
		{"working days", "workdays:2@10:00", "Réservation jusqu'à 2 jours ouvrés avant, 10h00"},
		{"one working day", "workdays:1@10:00", "Réservation jusqu'à 1 jour ouvré avant, 10h00"},
		{"previous week thursday", "week:thu@12:00", "Réservation jusqu'au jeudi 12h00 de la semaine précédente"},
		{"eve", "days:1@18:30", "Réservation jusqu'à la veille, 18h30"},
		{"calendar days", "days:3@09:00", "Réservation jusqu'à 3 jours avant, 09h00"},
		{"same day", "days:0@08:00", "Réservation jusqu'au jour même, 08h00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustDeadline(tt.rule).Describe(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := mustDeadline("days:1@18:00").DescribeCancellation(); got != "Annulation jusqu'à la veille, 18h00" {
		t.Fatalf("got %q", got)
	}
}

// A forfait's deadline counts back from the period's first day, and its
// rule says so: "7 jours avant le 1er du mois", not "7 jours avant".
func TestDeadlinePhraseBeforeThePeriodStart(t *testing.T) {
	tests := []struct{ name, rule, anchor, want string }{
		{"monthly forfait, calendar days", "days:7@12:00", ForfaitMonth.Start(), "jusqu'à 7 jours avant le 1er du mois, 12h00"},
		{"monthly forfait, the eve", "days:1@18:00", ForfaitMonth.Start(), "jusqu'à la veille du 1er du mois, 18h00"},
		{"monthly forfait, the day itself", "days:0@08:00", ForfaitMonth.Start(), "jusqu'au 1er du mois, 08h00"},
		{"school period, working days", "workdays:3@10:00", ForfaitSchoolPeriod.Start(), "jusqu'à 3 jours ouvrés avant le premier jour de la période scolaire, 10h00"},
		{"school year, one working day", "workdays:1@10:00", ForfaitSchoolYear.Start(), "jusqu'à 1 jour ouvré avant le jour de la rentrée, 10h00"},
		{"monthly forfait, previous week", "week:thu@12:00", ForfaitMonth.Start(), "jusqu'au jeudi 12h00 de la semaine qui précède celle du 1er du mois"},
		{"no anchor is the booked day", "days:7@12:00", "", "jusqu'à 7 jours avant, 12h00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustDeadline(tt.rule).PhraseBefore(tt.anchor); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	if got := ForfaitKind("other").Start(); got != "début du forfait" {
		t.Fatalf("unknown kind: %q", got)
	}
}

func TestDeadlineSQL(t *testing.T) {
	r := mustDeadline("week:thu@12:00")
	v, err := r.Value()
	if err != nil || v != "week:thu@12:00" {
		t.Fatalf("Value = %v, %v", v, err)
	}
	var back Deadline
	if err := back.Scan([]byte("week:thu@12:00")); err != nil || back != r {
		t.Fatalf("Scan = %+v, %v", back, err)
	}
	if err := back.Scan(42); err == nil {
		t.Fatal("Scan(int) must fail")
	}
}

func FuzzParseDeadline(f *testing.F) {
	for _, s := range []string{"days:2@10:00", "workdays:2@10h00", "week:jeudi@12h00", "week:7@0:0", "days:@", ":@:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseDeadline(s)
		if err != nil {
			return
		}
		back, err := ParseDeadline(r.String())
		if err != nil || back != r {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, r, r.String(), back, err)
		}
		d := day("2026-03-30")
		if c := r.Cutoff(d, nil); c.After(d.AddDays(1).At(0, 0)) {
			t.Fatalf("cutoff %s after the booked day %s", c, d)
		}
		if r.Describe() == "" {
			t.Fatal("empty description")
		}
	})
}

func TestDeadlineCutoffPreviousWeekEachWeekday(t *testing.T) {
	// Every day of the week of Monday 30 November 2026 has its cutoff in
	// the week of Monday 23 November, on the configured weekday.
	tests := []struct {
		name string
		rule string
		want time.Time
	}{
		{"previous monday 09:00 is the first day of the previous week", "week:mon@09:00", paris(2026, 11, 23, 9, 0)},
		{"previous tuesday", "week:tue@09:00", paris(2026, 11, 24, 9, 0)},
		{"previous wednesday", "week:wed@09:00", paris(2026, 11, 25, 9, 0)},
		{"previous friday", "week:fri@09:00", paris(2026, 11, 27, 9, 0)},
		{"previous saturday", "week:sat@09:00", paris(2026, 11, 28, 9, 0)},
		{"previous sunday is the last day of the previous week", "week:sun@09:00", paris(2026, 11, 29, 9, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustDeadline(tt.rule)
			for i := range 7 {
				d := day("2026-11-30").AddDays(i)
				if got := r.Cutoff(d, nil); !got.Equal(tt.want) {
					t.Fatalf("Cutoff(%s, %s) = %s, want %s", tt.rule, d, got, tt.want)
				}
			}
			// The next Monday belongs to the next week: a week later.
			if got := r.Cutoff(day("2026-12-07"), nil); !got.Equal(tt.want.AddDate(0, 0, 7)) {
				t.Fatalf("next week: Cutoff = %s", got)
			}
		})
	}
}

func TestDeadlineOpenAtTheMinute(t *testing.T) {
	// The cutoff instant itself is closed; one second before is open; one
	// minute after is closed; the same rule is read with the commune's calendar.
	r := mustDeadline("workdays:2@10:00")
	booked := day("2026-12-03") // Thursday: cutoff Tuesday 1 December at 10:00
	cutoff := paris(2026, 12, 1, 10, 0)
	alsace := NewCalendar(Config{AlsaceMoselle: true})
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"a day before", cutoff.AddDate(0, 0, -1), true},
		{"one second before 10:00", cutoff.Add(-time.Second), true},
		{"one nanosecond before 10:00", cutoff.Add(-time.Nanosecond), true},
		{"at 10:00 sharp", cutoff, false},
		{"one minute after", cutoff.Add(time.Minute), false},
		{"on the booked day itself", paris(2026, 12, 3, 7, 0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Open(booked, tt.now); got != tt.want {
				t.Fatalf("Open at %s = %v, want %v", tt.now, got, tt.want)
			}
			if got := r.OpenIn(booked, tt.now, alsace); got != tt.want {
				t.Fatalf("OpenIn(alsace) at %s = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
}

func TestParseDeadlineBoundaries(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Deadline
		wantErr bool
	}{
		{"zero days is the day itself", "days:0@10:00", Deadline{DeadlineCalendarDays, 0, 0, 10, 0}, false},
		{"366 days is the longest rule", "days:366@10:00", Deadline{DeadlineCalendarDays, 366, 0, 10, 0}, false},
		{"367 days refused", "days:367@10:00", Deadline{}, true},
		{"a leading zero keeps three digits", "days:007@10:00", Deadline{DeadlineCalendarDays, 7, 0, 10, 0}, false},
		{"four digits refused even when small", "days:0007@10:00", Deadline{}, true},
		{"366 working days", "workdays:366@10:00", Deadline{DeadlineWorkingDays, 366, 0, 10, 0}, false},
		{"367 working days refused", "workdays:367@10:00", Deadline{}, true},
		{"no number of days", "days:@10:00", Deadline{}, true},
		{"letters for days", "days:deux@10:00", Deadline{}, true},
		{"English alias calendar", "calendar:1@10:00", Deadline{DeadlineCalendarDays, 1, 0, 10, 0}, false},
		{"English alias working", "working:1@10:00", Deadline{DeadlineWorkingDays, 1, 0, 10, 0}, false},
		{"alias prevweek", "prevweek:fri@18:00", Deadline{DeadlinePreviousWeek, 0, time.Friday, 18, 0}, false},
		{"spaces around the parts", " days : 2 @ 10:00 ", Deadline{DeadlineCalendarDays, 2, 0, 10, 0}, false},
		{"23:59 is the last minute", "days:1@23:59", Deadline{DeadlineCalendarDays, 1, 0, 23, 59}, false},
		{"00:00 is the first minute", "days:1@00:00", Deadline{DeadlineCalendarDays, 1, 0, 0, 0}, false},
		{"one-digit hour and minute", "days:1@9:5", Deadline{DeadlineCalendarDays, 1, 0, 9, 5}, false},
		{"French 10h30", "days:1@10h30", Deadline{DeadlineCalendarDays, 1, 0, 10, 30}, false},
		{"three-digit hour refused", "days:1@010:00", Deadline{}, true},
		{"three-digit minute refused", "days:1@10:000", Deadline{}, true},
		{"hour without separator refused", "days:1@1000", Deadline{}, true},
		{"empty hour refused", "days:1@:30", Deadline{}, true},
		{"negative minute refused", "days:1@10:-1", Deadline{}, true},
		{"ISO weekday 7 is sunday", "week:7@12:00", Deadline{DeadlinePreviousWeek, 0, time.Sunday, 12, 0}, false},
		{"weekday 0 refused (ISO counts from 1)", "week:0@12:00", Deadline{}, true},
		{"weekday 8 refused", "week:8@12:00", Deadline{}, true},
		{"previous week with a bad hour", "week:thu@25:00", Deadline{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDeadline(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseDeadline(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidDeadline) {
				t.Fatalf("error does not wrap ErrInvalidDeadline: %v", err)
			}
		})
	}
}

func TestParseWeekday(t *testing.T) {
	tests := []struct {
		in     string
		want   time.Weekday
		wantOK bool
	}{
		{"1", time.Monday, true},
		{"6", time.Saturday, true},
		{"7", time.Sunday, true},
		{"0", 0, false},
		{"8", 0, false},
		{"lundi", time.Monday, true},
		{"lun", time.Monday, true},
		{"mer", time.Wednesday, true},
		{"DIM", time.Sunday, true},
		{" Samedi ", time.Saturday, true},
		{"saturday", time.Saturday, true},
		{"sat", time.Saturday, true},
		{"sunday", time.Sunday, true},
		{"l", 0, false},
		{"lu", 0, false},
		{"lund", 0, false},
		{"", 0, false},
		{"12", 0, false},
	}
	for _, tt := range tests {
		t.Run("weekday "+tt.in, func(t *testing.T) {
			got, ok := ParseWeekday(tt.in)
			if ok != tt.wantOK || got != tt.want {
				t.Fatalf("ParseWeekday(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestDeadlineValidate(t *testing.T) {
	tests := []struct {
		name    string
		rule    Deadline
		wantErr bool
	}{
		{"calendar days at the lower bound", Deadline{Kind: DeadlineCalendarDays, Days: 0, Hour: 0, Minute: 0}, false},
		{"calendar days at the upper bound", Deadline{Kind: DeadlineCalendarDays, Days: MaxDeadlineDays, Hour: 23, Minute: 59}, false},
		{"negative days", Deadline{Kind: DeadlineCalendarDays, Days: -1, Hour: 10}, true},
		{"one day too many", Deadline{Kind: DeadlineWorkingDays, Days: MaxDeadlineDays + 1, Hour: 10}, true},
		{"unknown kind", Deadline{Kind: DeadlinePreviousWeek + 1, Hour: 10}, true},
		{"previous week ignores the days", Deadline{Kind: DeadlinePreviousWeek, Days: -5, Weekday: time.Thursday, Hour: 10}, false},
		{"previous week on saturday", Deadline{Kind: DeadlinePreviousWeek, Weekday: time.Saturday, Hour: 10}, false},
		{"previous week on sunday", Deadline{Kind: DeadlinePreviousWeek, Weekday: time.Sunday, Hour: 10}, false},
		{"previous week on weekday 7", Deadline{Kind: DeadlinePreviousWeek, Weekday: 7, Hour: 10}, true},
		{"previous week on weekday -1", Deadline{Kind: DeadlinePreviousWeek, Weekday: -1, Hour: 10}, true},
		{"working days ignore the weekday", Deadline{Kind: DeadlineWorkingDays, Days: 2, Weekday: 9, Hour: 10}, false},
		{"hour -1", Deadline{Kind: DeadlineCalendarDays, Days: 1, Hour: -1}, true},
		{"hour 24", Deadline{Kind: DeadlineCalendarDays, Days: 1, Hour: 24}, true},
		{"minute -1", Deadline{Kind: DeadlineCalendarDays, Days: 1, Hour: 10, Minute: -1}, true},
		{"minute 60", Deadline{Kind: DeadlineCalendarDays, Days: 1, Hour: 10, Minute: 60}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate(%+v) = %v, want error %v", tt.rule, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidDeadline) {
				t.Fatalf("error does not wrap ErrInvalidDeadline: %v", err)
			}
			// A rule refused by Validate is never stored.
			if _, verr := tt.rule.Value(); (verr != nil) != tt.wantErr {
				t.Fatalf("Value error = %v, want error %v", verr, tt.wantErr)
			}
			if _, merr := tt.rule.MarshalText(); (merr != nil) != tt.wantErr {
				t.Fatalf("MarshalText error = %v, want error %v", merr, tt.wantErr)
			}
		})
	}
}

func TestDeadlineTextForms(t *testing.T) {
	tests := []struct {
		name         string
		rule         Deadline
		stored, text string
	}{
		{"working days", Deadline{Kind: DeadlineWorkingDays, Days: 2, Hour: 10}, "workdays:2@10:00", "Réservation jusqu'à 2 jours ouvrés avant, 10h00"},
		{"zero working days is the same day", Deadline{Kind: DeadlineWorkingDays, Days: 0, Hour: 8, Minute: 5}, "workdays:0@08:05", "Réservation jusqu'au jour même, 08h05"},
		{"saturday of the previous week", Deadline{Kind: DeadlinePreviousWeek, Weekday: time.Saturday, Hour: 9}, "week:sat@09:00", "Réservation jusqu'au samedi 09h00 de la semaine précédente"},
		{"sunday of the previous week", Deadline{Kind: DeadlinePreviousWeek, Weekday: time.Sunday, Hour: 9}, "week:sun@09:00", "Réservation jusqu'au dimanche 09h00 de la semaine précédente"},
		{"a broken weekday is never indexed", Deadline{Kind: DeadlinePreviousWeek, Weekday: 7, Hour: 9}, "week:?@09:00", "Réservation "},
		{"a negative weekday is never indexed", Deadline{Kind: DeadlinePreviousWeek, Weekday: -1, Hour: 9}, "week:?@09:00", "Réservation "},
		{"two calendar days", Deadline{Kind: DeadlineCalendarDays, Days: 2, Hour: 23, Minute: 59}, "days:2@23:59", "Réservation jusqu'à 2 jours avant, 23h59"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.String(); got != tt.stored {
				t.Fatalf("String = %q, want %q", got, tt.stored)
			}
			if got := tt.rule.Describe(); got != tt.text {
				t.Fatalf("Describe = %q, want %q", got, tt.text)
			}
		})
	}
}

func TestDeadlineTextRoundTrip(t *testing.T) {
	var r Deadline
	if err := r.UnmarshalText([]byte("workdays:2@10h00")); err != nil || r != (Deadline{Kind: DeadlineWorkingDays, Days: 2, Hour: 10}) {
		t.Fatalf("UnmarshalText = %+v, %v", r, err)
	}
	b, err := r.MarshalText()
	if err != nil || string(b) != "workdays:2@10:00" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	// A refused text leaves the rule as it was.
	if err := r.UnmarshalText([]byte("workdays:2")); !errors.Is(err, ErrInvalidDeadline) || r.Days != 2 || r.Kind != DeadlineWorkingDays {
		t.Fatalf("bad UnmarshalText = %+v, %v", r, err)
	}
	var s Deadline
	if err := s.Scan("days:1@18:00"); err != nil || s != (Deadline{Kind: DeadlineCalendarDays, Days: 1, Hour: 18}) {
		t.Fatalf("Scan(string) = %+v, %v", s, err)
	}
	if err := s.Scan("days:1"); !errors.Is(err, ErrInvalidDeadline) {
		t.Fatalf("Scan(bad string) = %v", err)
	}
}
