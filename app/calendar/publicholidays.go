package calendar

import (
	"slices"
	"time"
)

// PublicHoliday is a French public holiday (jour férié) with its French name.
type PublicHoliday struct {
	Date Date
	Name string
}

// Easter returns Easter Sunday of year y (Gregorian calendar, anonymous "Meeus/Jones/Butcher" algorithm).
func Easter(y int) Date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return DateOf(y, time.Month(month), day)
}

// fixedHoliday is a public holiday on the same day every year.
type fixedHoliday struct {
	month time.Month
	day   int
	name  string
}

var fixedHolidays = [...]fixedHoliday{
	{time.January, 1, "Jour de l'an"},
	{time.May, 1, "Fête du Travail"},
	{time.May, 8, "Victoire 1945"},
	{time.July, 14, "Fête nationale"},
	{time.August, 15, "Assomption"},
	{time.November, 1, "Toussaint"},
	{time.November, 11, "Armistice 1918"},
	{time.December, 25, "Noël"},
}

// Alsace-Moselle keeps two more public holidays (local law of the Concordat era).
var alsaceMoselleFixed = [...]fixedHoliday{{time.December, 26, "Saint-Étienne"}}

// easterHoliday is a public holiday at a fixed offset from Easter Sunday.
type easterHoliday struct {
	offset int
	name   string
}

var easterHolidays = [...]easterHoliday{
	{1, "Lundi de Pâques"},
	{39, "Ascension"},
	{50, "Lundi de Pentecôte"},
}

var alsaceMoselleEaster = [...]easterHoliday{{-2, "Vendredi saint"}}

// PublicHolidays returns the national French public holidays of year y, in date order.
func PublicHolidays(y int) []PublicHoliday { return publicHolidays(y, false) }

// PublicHolidaysAlsaceMoselle returns the public holidays of year y in Alsace-Moselle (national ones plus Vendredi saint and Saint-Étienne).
func PublicHolidaysAlsaceMoselle(y int) []PublicHoliday { return publicHolidays(y, true) }

func publicHolidays(y int, alsace bool) []PublicHoliday {
	out := make([]PublicHoliday, 0, 13)
	for _, f := range fixedHolidays {
		out = append(out, PublicHoliday{DateOf(y, f.month, f.day), f.name})
	}
	easter := Easter(y)
	for _, e := range easterHolidays {
		out = append(out, PublicHoliday{easter.AddDays(e.offset), e.name})
	}
	if alsace {
		for _, f := range alsaceMoselleFixed {
			out = append(out, PublicHoliday{DateOf(y, f.month, f.day), f.name})
		}
		for _, e := range alsaceMoselleEaster {
			out = append(out, PublicHoliday{easter.AddDays(e.offset), e.name})
		}
	}
	slices.SortStableFunc(out, func(a, b PublicHoliday) int { return a.Date.Compare(b.Date) })
	return out
}

// PublicHolidayName returns the French name of the national public holiday on d, if d is one.
func PublicHolidayName(d Date) (string, bool) { return publicHolidayName(d, false) }

// publicHolidayName computes the answer without allocating (it runs for every agenda cell).
func publicHolidayName(d Date, alsace bool) (string, bool) {
	y, m, dd := d.Civil()
	for _, f := range fixedHolidays {
		if f.month == m && f.day == dd {
			return f.name, true
		}
	}
	if alsace {
		for _, f := range alsaceMoselleFixed {
			if f.month == m && f.day == dd {
				return f.name, true
			}
		}
	}
	// Easter-based holidays fall between 20 March and 14 June.
	if m < time.March || m > time.June {
		return "", false
	}
	off := d.Sub(Easter(y))
	for _, e := range easterHolidays {
		if e.offset == off {
			return e.name, true
		}
	}
	if alsace {
		for _, e := range alsaceMoselleEaster {
			if e.offset == off {
				return e.name, true
			}
		}
	}
	return "", false
}

// IsWorkingDay reports whether d is a jour ouvré: Monday to Friday and not a national public holiday.
func IsWorkingDay(d Date) bool {
	if d.IsWeekend() {
		return false
	}
	_, holiday := PublicHolidayName(d)
	return !holiday
}
