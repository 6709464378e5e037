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
