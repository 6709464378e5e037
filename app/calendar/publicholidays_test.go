package calendar

import (
	"testing"
)

func TestEaster(t *testing.T) {
	tests := []struct {
		name string
		year int
		want string
	}{
		{"easter 2024 in March", 2024, "2024-03-31"},
		{"easter 2025", 2025, "2025-04-20"},
		{"easter 2026", 2026, "2026-04-05"},
		{"easter 2027", 2027, "2027-03-28"},
		{"easter 2028", 2028, "2028-04-16"},
		{"easter 2038, latest possible date", 2038, "2038-04-25"},
		{"easter 2285, earliest possible date", 2285, "2285-03-22"},
		{"easter 1818, earliest possible date", 1818, "1818-03-22"},
		{"easter 1943, latest possible date", 1943, "1943-04-25"},
		{"easter 2000", 2000, "2000-04-23"},
		{"easter 2100", 2100, "2100-03-28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Easter(tt.year); got.String() != tt.want {
				t.Fatalf("Easter(%d) = %s, want %s", tt.year, got, tt.want)
			}
			if w := Easter(tt.year).Weekday(); w != 0 {
				t.Fatalf("Easter(%d) is a %s", tt.year, w)
			}
		})
	}
}

func TestEasterAlwaysSundayInRange(t *testing.T) {
	for y := 1583; y <= 4099; y++ {
		e := Easter(y)
		lo, hi := DateOf(y, 3, 22), DateOf(y, 4, 25)
		if e.Weekday() != 0 || e.Before(lo) || e.After(hi) {
			t.Fatalf("Easter(%d) = %s (%s)", y, e, e.Weekday())
		}
	}
}

func TestPublicHolidays2026(t *testing.T) {
	want := []struct{ date, name string }{
		{"2026-01-01", "Jour de l'an"},
		{"2026-04-06", "Lundi de Pâques"},
		{"2026-05-01", "Fête du Travail"},
		{"2026-05-08", "Victoire 1945"},
		{"2026-05-14", "Ascension"},
		{"2026-05-25", "Lundi de Pentecôte"},
		{"2026-07-14", "Fête nationale"},
		{"2026-08-15", "Assomption"},
		{"2026-11-01", "Toussaint"},
		{"2026-11-11", "Armistice 1918"},
		{"2026-12-25", "Noël"},
	}
	got := PublicHolidays(2026)
	if len(got) != len(want) {
		t.Fatalf("got %d holidays: %v", len(got), got)
	}
	for i, w := range want {
		if got[i].Date.String() != w.date || got[i].Name != w.name {
			t.Errorf("holiday %d = %s %s, want %s %s", i, got[i].Date, got[i].Name, w.date, w.name)
		}
		if name, ok := PublicHolidayName(day(w.date)); !ok || name != w.name {
			t.Errorf("PublicHolidayName(%s) = %q, %v", w.date, name, ok)
		}
	}
}

func TestPublicHolidayName(t *testing.T) {
	tests := []struct {
		name, date, want string
	}{
		{"ascension 2025 is Easter + 39", "2025-05-29", "Ascension"},
		{"whit monday 2025 is Easter + 50", "2025-06-09", "Lundi de Pentecôte"},
		{"easter monday 2024 on 1 April", "2024-04-01", "Lundi de Pâques"},
		{"ascension 2027 on 6 May", "2027-05-06", "Ascension"},
		{"whit monday 2038, latest in June", "2038-06-14", "Lundi de Pentecôte"},
		{"easter sunday itself is not a public holiday", "2026-04-05", ""},
		{"pentecost sunday is not a public holiday", "2026-05-24", ""},
		{"26 December is not national", "2026-12-26", ""},
		{"good friday is not national", "2026-04-03", ""},
		{"ordinary day", "2026-11-27", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PublicHolidayName(day(tt.date))
			if got != tt.want || ok != (tt.want != "") {
				t.Fatalf("PublicHolidayName(%s) = %q, %v; want %q", tt.date, got, ok, tt.want)
			}
		})
	}
}

func TestPublicHolidayNameMatchesList(t *testing.T) {
	for y := 1990; y <= 2100; y++ {
		n := 0
		list := PublicHolidays(y)
		for _, h := range list {
			name, ok := PublicHolidayName(h.Date)
			if !ok {
				t.Fatalf("%d: %s %s not found", y, h.Date, h.Name)
			}
			// Ascension can fall on 1 or 8 May (2008, 1997): the fixed holiday's name wins.
			if name != h.Name && h.Name != "Ascension" {
				t.Fatalf("%d: %s named %q, want %q", y, h.Date, name, h.Name)
			}
		}
		for d := DateOf(y, 1, 1); d.Year() == y; d = d.AddDays(1) {
			if _, ok := PublicHolidayName(d); ok {
				n++
			}
		}
		if n < 10 || n > len(list) {
			t.Fatalf("%d: %d public holiday dates", y, n)
		}
	}
}

func TestAlsaceMoselle(t *testing.T) {
	cal := NewCalendar(Config{AlsaceMoselle: true})
	for _, tt := range []struct{ date, want string }{
		{"2026-04-03", "Vendredi saint"},
		{"2026-12-26", "Saint-Étienne"},
		{"2026-12-25", "Noël"},
	} {
		if got, ok := cal.PublicHolidayName(day(tt.date)); !ok || got != tt.want {
			t.Errorf("%s: %q, want %q", tt.date, got, tt.want)
		}
	}
	if len(PublicHolidaysAlsaceMoselle(2026)) != 13 {
		t.Errorf("want 13 holidays in Alsace-Moselle")
	}
}

func TestIsWorkingDay(t *testing.T) {
	tests := []struct {
		name, date string
		want       bool
	}{
		{"ordinary friday", "2026-11-27", true},
		{"saturday", "2026-11-28", false},
		{"armistice on a wednesday", "2026-11-11", false},
		{"ascension thursday", "2026-05-14", false},
		{"friday after ascension (school pont, but a working day)", "2026-05-15", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsWorkingDay(day(tt.date)); got != tt.want {
				t.Fatalf("IsWorkingDay(%s) = %v", tt.date, got)
			}
		})
	}
}
