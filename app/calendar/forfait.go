package calendar

import (
	"errors"
	"fmt"
	"time"
)

// ForfaitKind is the period a forfait prestation covers; its value is what the database stores.
type ForfaitKind string

// The forfait periods a commune can configure.
const (
	ForfaitMonth        ForfaitKind = "month"         // the calendar month of the day
	ForfaitSchoolPeriod ForfaitKind = "school_period" // the school days between two holidays of the zone
	ForfaitSchoolYear   ForfaitKind = "school_year"   // rentrée to the summer holidays
)

// Breaks shorter than this (the Ascension bridge) do not end a school period.
const minPeriodBreakDays = 7

// Breaks at least this long are summer holidays and bound a school year.
const minSummerDays = 28

// Errors of ForfaitPeriod, in French for parents and staff.
var (
	ErrForfaitKind         = errors.New("type de forfait inconnu")
	ErrForfaitHolidays     = errors.New("pas de forfait pendant les vacances scolaires")
	ErrForfaitUnknownDates = errors.New("les dates des vacances scolaires de cette période ne sont pas connues")
)

// ParseForfaitKind checks a stored forfait kind.
func ParseForfaitKind(s string) (ForfaitKind, error) {
	switch k := ForfaitKind(s); k {
	case ForfaitMonth, ForfaitSchoolPeriod, ForfaitSchoolYear:
		return k, nil
	}
	return "", fmt.Errorf("%w : « %s »", ErrForfaitKind, s)
}

// Label returns the French name of the forfait period.
func (k ForfaitKind) Label() string {
	switch k {
	case ForfaitMonth:
		return "mois"
	case ForfaitSchoolPeriod:
		return "période scolaire"
	case ForfaitSchoolYear:
		return "année scolaire"
	}
	return string(k)
}

// Start names the first day of the period as a masculine noun without its
// article, for rules counted from it ("jusqu'à 7 jours avant le 1er du
// mois"): the first day ForfaitPeriod returns.
func (k ForfaitKind) Start() string {
	switch k {
	case ForfaitMonth:
		return "1er du mois"
	case ForfaitSchoolPeriod:
		return "premier jour de la période scolaire"
	case ForfaitSchoolYear:
		return "jour de la rentrée"
	}
	return "début du forfait"
}

// ForfaitPeriod returns the first and last days (both included) of the forfait period that contains day.
//
//   - month: the calendar month of day.
//   - school_period: from the resume day of the previous holiday to the day before the
//     next holiday's first day off; breaks shorter than a week (the Ascension bridge)
//     do not split a period. A day inside a holiday gets ErrForfaitHolidays, and a day
//     the zone's bundled dates do not frame gets ErrForfaitUnknownDates.
//   - school_year: from the rentrée (end of the previous summer holidays) to the day
//     before the next summer holidays; a side the calendar does not know falls back to
//     1 September or 31 August. A day inside the summer holidays gets ErrForfaitHolidays.
func ForfaitPeriod(kind ForfaitKind, day Date, cal *Calendar) (first, last Date, err error) {
	switch kind {
	case ForfaitMonth:
		y, m, _ := day.Civil()
		return DateOf(y, m, 1), DateOf(y, m+1, 0), nil
	case ForfaitSchoolPeriod:
		return boundedPeriod(day, cal, minPeriodBreakDays, false)
	case ForfaitSchoolYear:
		return boundedPeriod(day, cal, minSummerDays, true)
	}
	return Date{}, Date{}, fmt.Errorf("%w : « %s »", ErrForfaitKind, kind)
}

// boundedPeriod finds the school days around day between the holidays of at least minDays.
func boundedPeriod(day Date, cal *Calendar, minDays int, fallback bool) (Date, Date, error) {
	isBreak := func(h Holiday) bool { return h.Days() >= minDays }
	if h, ok := cal.HolidayAt(day); ok && isBreak(h) {
		return Date{}, Date{}, fmt.Errorf("%w (%s, du %s au %s)", ErrForfaitHolidays, h.Description, h.From.FR(), h.Until.AddDays(-1).FR())
	}
	prev, okPrev := cal.prevHolidayBefore(day, isBreak)
	next, okNext := cal.nextHolidayAfter(day, isBreak)
	var first, last Date
	switch {
	case okPrev:
		first = prev.Until
	case fallback:
		first = DateOf(schoolYearStart(day), time.September, 1)
	default:
		return Date{}, Date{}, ErrForfaitUnknownDates
	}
	switch {
	case okNext:
		last = next.From.AddDays(-1)
	case fallback:
		last = DateOf(schoolYearStart(day)+1, time.August, 31)
	default:
		return Date{}, Date{}, ErrForfaitUnknownDates
	}
	// A fallback side may cross a known one when the calendar is partial.
	if last.Before(day) || first.After(day) {
		return Date{}, Date{}, ErrForfaitUnknownDates
	}
	return first, last, nil
}

// schoolYearStart returns the calendar year in which day's school year began (it turns on 1 September).
func schoolYearStart(day Date) int {
	if day.Month() < time.September {
		return day.Year() - 1
	}
	return day.Year()
}
