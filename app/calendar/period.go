package calendar

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// WeekdaySet is a set of weekdays (bit 1<<time.Weekday).
type WeekdaySet uint8

// Common weekday sets.
const (
	SchoolWeek      WeekdaySet = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday
	SchoolWeekNoWed WeekdaySet = SchoolWeek &^ (1 << time.Wednesday) // meals: no canteen on Wednesdays by default
)

const (
	allWeekdays      WeekdaySet = 1<<7 - 1
	maxPeriodDays               = 366 // one school year at most
	defaultMaxExpand            = maxPeriodDays
)

// WeekdaysOf returns the set holding the given weekdays.
func WeekdaysOf(days ...time.Weekday) WeekdaySet {
	var s WeekdaySet
	for _, d := range days {
		s = s.With(d)
	}
	return s
}

// With returns s plus the weekday d (ignored when out of range).
func (s WeekdaySet) With(d time.Weekday) WeekdaySet {
	if d < time.Sunday || d > time.Saturday {
		return s
	}
	return s | 1<<d
}

// Has reports whether d is in s.
func (s WeekdaySet) Has(d time.Weekday) bool { return d >= 0 && d <= 6 && s&(1<<d) != 0 }

// IsEmpty reports whether s holds no weekday.
func (s WeekdaySet) IsEmpty() bool { return s&allWeekdays == 0 }

// String returns the French initials Monday first, e.g. "L M J V" (stable, for logs and tests).
func (s WeekdaySet) String() string {
	var b strings.Builder
	for i := 1; i <= 7; i++ {
		if d := time.Weekday(i % 7); s.Has(d) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strings.ToUpper(WeekdayNamesFR[d][:1]))
		}
	}
	return b.String()
}

// ErrTooManyDays is returned by ExpandPeriod when the period holds more days than allowed.
var ErrTooManyDays = errors.New("trop de jours dans la période")

// ExpandPeriod returns the days from from to to (both included) whose weekday is in weekdays, at most max of them (max <= 0 means 366).
func ExpandPeriod(from, to Date, weekdays WeekdaySet, max int) ([]Date, error) {
	if max <= 0 {
		max = defaultMaxExpand
	}
	if to.Before(from) || weekdays.IsEmpty() {
		return nil, nil
	}
	span := to.Sub(from) + 1
	// Days per week of the set bound the result size before allocating.
	perWeek := 0
	for d := range 7 {
		if weekdays.Has(time.Weekday(d)) {
			perWeek++
		}
	}
	estimate := span/7*perWeek + perWeek
	out := make([]Date, 0, min(estimate, max+1))
	for d := from; !d.After(to); d = d.AddDays(1) {
		if weekdays.Has(d.Weekday()) {
			if len(out) == max {
				return nil, fmt.Errorf("%w (plus de %d)", ErrTooManyDays, max)
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// Period is a validated "Vue Période" request: from and to both included, on the chosen weekdays.
type Period struct {
	From, To Date
	Weekdays WeekdaySet
}

// Days returns the period's days on its weekdays (calendar closures are the caller's to check with DayStatus).
func (p Period) Days() ([]Date, error) { return ExpandPeriod(p.From, p.To, p.Weekdays, 0) }

// FieldError is a form error shown beside its field, in French.
type FieldError struct {
	Field   string // "from", "to" or "weekdays"
	Message string
}

// FieldErrors is the list of a form's errors; it is an error.
type FieldErrors []FieldError

// Error joins the French messages.
func (fe FieldErrors) Error() string {
	msgs := make([]string, len(fe))
	for i, e := range fe {
		msgs[i] = e.Message
	}
	return strings.Join(msgs, " ; ")
}

// For returns the message for a field, or "".
func (fe FieldErrors) For(field string) string {
	for _, e := range fe {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// The French messages of ParsePeriodForm.
const (
	MsgFromInvalid   = "Date de début invalide (format JJ/MM/AAAA)"
	MsgToInvalid     = "Date de fin invalide (format JJ/MM/AAAA)"
	MsgToBeforeFrom  = "La date de fin doit être postérieure ou égale à la date de début"
	MsgPeriodTooLong = "La période ne peut pas dépasser une année scolaire (366 jours)"
	MsgNoWeekday     = "Choisissez au moins un jour de la semaine"
	MsgBadWeekday    = "Jour de la semaine inconnu"
)

// ParsePeriodForm validates the "Vue Période" form: dates as JJ/MM/AAAA (or AAAA-MM-JJ from a date picker),
// weekdays as names or ISO numbers; it returns FieldErrors listing every problem.
func ParsePeriodForm(fromFR, toFR string, weekdays []string) (Period, error) {
	var p Period
	var errs FieldErrors
	from, errFrom := ParseDate(fromFR)
	if errFrom != nil {
		errs = append(errs, FieldError{"from", MsgFromInvalid})
	}
	to, errTo := ParseDate(toFR)
	if errTo != nil {
		errs = append(errs, FieldError{"to", MsgToInvalid})
	}
	if errFrom == nil && errTo == nil {
		switch {
		case to.Before(from):
			errs = append(errs, FieldError{"to", MsgToBeforeFrom})
		case to.Sub(from)+1 > maxPeriodDays:
			errs = append(errs, FieldError{"to", MsgPeriodTooLong})
		}
	}
	for _, w := range weekdays {
		if strings.TrimSpace(w) == "" {
			continue
		}
		d, ok := ParseWeekday(w)
		if !ok {
			errs = append(errs, FieldError{"weekdays", MsgBadWeekday})
			break
		}
		p.Weekdays = p.Weekdays.With(d)
	}
	if p.Weekdays.IsEmpty() && errs.For("weekdays") == "" {
		errs = append(errs, FieldError{"weekdays", MsgNoWeekday})
	}
	if len(errs) > 0 {
		return Period{}, errs
	}
	p.From, p.To = from, to
	return p, nil
}
