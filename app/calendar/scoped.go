package calendar

import "slices"

// ScopedClosure is a closure that does not close the whole commune: some
// prestations (a canteen strike leaves the garderie open), some schools
// (a school's closure concerns its children only), or some prestations
// at some schools. It never changes the calendar's open days (deadlines
// counted in open days, forfait periods): the commune is open.
type ScopedClosure struct {
	ID          int64
	Date        Date
	Reason      string
	Prestations []int64 // empty: every prestation
	Schools     []int64 // empty: every school
}

// Whole reports whether the closure names neither prestation nor school:
// a closure of the whole commune, which is the calendar's Closure instead.
func (s ScopedClosure) Whole() bool { return len(s.Prestations) == 0 && len(s.Schools) == 0 }

// Applies reports whether the closure closes prestation for a child of
// school (0: the school is not known, so a closure by school does not
// apply). A closure that names nothing applies to nothing here.
func (s ScopedClosure) Applies(prestation, school int64) bool {
	if s.Whole() {
		return false
	}
	if len(s.Prestations) > 0 && !slices.Contains(s.Prestations, prestation) {
		return false
	}
	return len(s.Schools) == 0 || (school != 0 && slices.Contains(s.Schools, school))
}

// ScopedClosureOn returns the reason of a scoped closure that closes
// prestation on d for a child of school, if there is one.
func (c *Calendar) ScopedClosureOn(d Date, prestation, school int64) (string, bool) {
	if c == nil {
		return "", false
	}
	for _, s := range c.scoped[d] {
		if s.Applies(prestation, school) {
			return s.Reason, true
		}
	}
	return "", false
}
