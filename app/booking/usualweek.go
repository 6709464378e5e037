package booking

import (
	"errors"

	"espacefamille/app/calendar"
	"espacefamille/app/custody"
)

// "Ma semaine habituelle" (issue 14): a household saves, per child, the
// days it usually books for each prestation sold by the day, the same
// every week or different for even and odd ISO weeks (alternating
// custody); one tap then books it for the next open week or a chosen
// period, through the same rules and cart as the Vue Période.

// Parity says which weeks a usual week's days apply to.
type Parity string

// The parities of a usual week.
const (
	EveryWeek Parity = "all"
	EvenWeeks Parity = "even"
	OddWeeks  Parity = "odd"
)

// UsualWeek is a household's usual week for one child: for each parity
// (EveryWeek alone, or EvenWeeks and OddWeeks), the weekdays of each
// prestation.
type UsualWeek struct {
	ChildID     int64
	Alternating bool // EvenWeeks and OddWeeks; else EveryWeek
	Days        map[Parity]map[int64]calendar.WeekdaySet
}

// Empty reports whether the usual week books nothing.
func (u UsualWeek) Empty() bool {
	for _, byPrestation := range u.Days {
		for _, wd := range byPrestation {
			if !wd.IsEmpty() {
				return false
			}
		}
	}
	return true
}

// ParityOf is the parity whose days apply to the week of day.
func (u UsualWeek) ParityOf(day calendar.Date) Parity {
	switch {
	case !u.Alternating:
		return EveryWeek
	case custody.Even(day):
		return EvenWeeks
	}
	return OddWeeks
}

// For returns the weekdays per prestation of the week of day.
func (u UsualWeek) For(day calendar.Date) map[int64]calendar.WeekdaySet {
	return u.Days[u.ParityOf(day)]
}

// Has reports whether the usual week books p on weekday d of parity.
func (u UsualWeek) Has(parity Parity, prestationID int64, d int) bool {
	return u.Days[parity][prestationID].Has(timeWeekday(d))
}

// UsualSkip is a day of the usual week that was not booked, with the
// sentence of Explain that says why.
type UsualSkip struct {
	Skip
	Why string
}

// PlanUsual decides the demandes that applying u from from to to (both
// included) adds for the booker's child: week by week, the days of the
// week's parity, through Plan (the same rules as the Vue Période: custody,
// calendar, deadlines, capacity, exclusive groups, what is already booked
// or demanded). Skipped days come back with Explain's sentence.
func (b *Booker) PlanUsual(u UsualWeek, from, to calendar.Date) (Change, []UsualSkip, error) {
	var ch Change
	var skips []UsualSkip
	if to.Before(from) {
		return ch, nil, errors.New("booking: usual week: period ends before it starts")
	}
	for monday := from.Monday(); !monday.After(to); monday = monday.AddDays(7) {
		req := PeriodRequest{From: maxDate(from, monday), To: minDate(to, monday.AddDays(6)), Weekdays: u.For(monday)}
		one, sk, err := b.Plan(req)
		if err != nil {
			return Change{}, nil, err
		}
		ch.Insert = append(ch.Insert, one.Insert...)
		for _, s := range sk {
			skips = append(skips, UsualSkip{Skip: s, Why: b.explainSkip(s)})
		}
	}
	return ch, skips, nil
}

// explainSkip is Explain's sentence for a skipped day.
func (b *Booker) explainSkip(s Skip) string {
	for _, p := range b.Prestations {
		if p.Name != s.Prestation {
			continue
		}
		cell := Cell{Day: s.Day, Key: s.Day, State: CellClosed, Reason: s.Reason}
		if why := Explain(p, cell, b.Calendar); why != "" {
			return why
		}
	}
	return (&s).Error()
}

// NextOpenWeek is the Monday of the first week, from now's week on and
// within horizon weeks, in which at least one day of u can still be
// booked by the booker's household (custody, calendar, deadline); false
// when there is none.
func (b *Booker) NextOpenWeek(u UsualWeek, horizon int) (calendar.Date, bool) {
	monday := calendar.Today(b.Now).Monday()
	for range horizon {
		for pid, wd := range u.For(monday) {
			p, ok := findPrestation(b.Prestations, pid)
			if !ok || p.IsForfait() {
				continue
			}
			for i := range 7 {
				day := monday.AddDays(i)
				if !wd.Has(day.Weekday()) || !b.books(day) {
					continue
				}
				if ok, _ := CanBookFor(p, b.Child.SchoolID, day, b.Calendar, b.Now); ok {
					return monday, true
				}
			}
		}
		monday = monday.AddDays(7)
	}
	return calendar.Date{}, false
}

func maxDate(a, b calendar.Date) calendar.Date {
	if a.After(b) {
		return a
	}
	return b
}

func minDate(a, b calendar.Date) calendar.Date {
	if a.Before(b) {
		return a
	}
	return b
}
