package custody

import (
	"fmt"

	"espacefamille/app/calendar"
)

// Period gives the days from First to Last (both included) to a household.
type Period struct {
	ID       int64
	FamilyID int64
	First    calendar.Date
	Last     calendar.Date
}

// Contains reports whether day is in the period.
func (p Period) Contains(day calendar.Date) bool {
	return !day.Before(p.First) && !day.After(p.Last)
}

// Alternation gives even ISO weeks to one household and odd ones to the
// other (Monday to Sunday).
type Alternation struct {
	Even int64
	Odd  int64
}

// Set reports whether an alternation is defined.
func (a Alternation) Set() bool { return a.Even != 0 && a.Odd != 0 }

// Calendar is the custody calendar of one child: its households and the
// rules that give each day to one of them.
type Calendar struct {
	ChildID     int64
	Home        int64   // the child's family (foyer principal)
	Others      []int64 // the other households linked to the child
	Alternation Alternation
	Periods     []Period // later periods win where they overlap
}

// Shared reports whether another household is linked to the child.
func (c Calendar) Shared() bool { return len(c.Others) > 0 }

// Household reports whether familyID is one of the child's households.
func (c Calendar) Household(familyID int64) bool {
	if familyID == c.Home {
		return true
	}
	for _, id := range c.Others {
		if id == familyID {
			return true
		}
	}
	return false
}

// Keeper is the household that books and pays day: the last explicit
// period that contains it, else the household of the day's ISO week
// parity, else the foyer principal.
func (c Calendar) Keeper(day calendar.Date) int64 {
	for i := len(c.Periods) - 1; i >= 0; i-- {
		if c.Periods[i].Contains(day) {
			return c.Periods[i].FamilyID
		}
	}
	if c.Alternation.Set() {
		if Even(day) {
			return c.Alternation.Even
		}
		return c.Alternation.Odd
	}
	return c.Home
}

// Books reports whether familyID books day for the child: always for an
// unshared child's family, else when the calendar gives it the day.
func (c Calendar) Books(familyID int64, day calendar.Date) bool {
	if !c.Shared() {
		return familyID == c.Home
	}
	return c.Keeper(day) == familyID
}

// Even reports whether day's ISO week number is even.
func Even(day calendar.Date) bool {
	_, w := day.ISOWeek()
	return w%2 == 0
}

// Fingerprint is a short text of everything Keeper reads, for caches.
func (c Calendar) Fingerprint() string {
	s := fmt.Sprintf("%d %v %d/%d", c.Home, c.Others, c.Alternation.Even, c.Alternation.Odd)
	for _, p := range c.Periods {
		s += fmt.Sprintf(" %d:%s:%s", p.FamilyID, p.First, p.Last)
	}
	return s
}

// WeekKeeper is who keeps the child during one week, for the calendar
// pages: the household of each school day (Monday to Friday).
type WeekKeeper struct {
	Monday calendar.Date
	Number int      // ISO week number
	Days   [5]int64 // keeper of Monday … Friday
}

// Split reports whether the week's school days are not all the same
// household's.
func (w WeekKeeper) Split() bool {
	for _, k := range w.Days[1:] {
		if k != w.Days[0] {
			return true
		}
	}
	return false
}

// Weeks lists the keepers of n weeks from the week of start.
func (c Calendar) Weeks(start calendar.Date, n int) []WeekKeeper {
	out := make([]WeekKeeper, 0, n)
	monday := start.Monday()
	for i := range n {
		m := monday.AddDays(7 * i)
		_, num := m.ISOWeek()
		wk := WeekKeeper{Monday: m, Number: num}
		for d := range 5 {
			wk.Days[d] = c.Keeper(m.AddDays(d))
		}
		out = append(out, wk)
	}
	return out
}
