package booking

import (
	"errors"
	"strings"

	"espacefamille/app/calendar"
)

// PeriodRequest is a validated "Vue Période" form: the days from From to
// To (both included) on each prestation's chosen weekdays, for one or
// several children.
type PeriodRequest struct {
	RegieID  int64
	ChildIDs []int64
	From, To calendar.Date
	Weekdays map[int64]calendar.WeekdaySet // prestation id → days L M M J V
}

// Plan decides the demandes a period adds for the booker's child: every
// matching open day goes into the cart, and every other day is returned
// as a skip with its reason (closed, not offered, past the deadline, full,
// already booked or demanded, another choice of the same group). A
// forfait is added once for each period it meets.
func (b *Booker) Plan(req PeriodRequest) (Change, []Skip, error) {
	var ch Change
	var skips []Skip
	for _, p := range b.Prestations {
		wd := req.Weekdays[p.ID]
		if wd.IsEmpty() {
			continue
		}
		days, err := calendar.ExpandPeriod(req.From, req.To, wd, 0)
		if err != nil {
			return Change{}, nil, err
		}
		seen := map[calendar.Date]bool{}
		skip := func(day calendar.Date, r Reason) {
			skips = append(skips, Skip{Child: b.Child.Name(), Prestation: p.Name, Day: day, Reason: r})
		}
		for _, day := range days {
			if !b.books(day) {
				skip(day, Reason{Code: ReasonOtherParent})
				continue
			}
			if ok, r := DayOpenFor(p, b.Child.SchoolID, day, b.Calendar); !ok {
				skip(day, r)
				continue
			}
			key, last, err := Key(p, day, b.Calendar)
			if err != nil {
				skip(day, forfaitReason(err))
				continue
			}
			if seen[key] {
				continue // one forfait per period
			}
			seen[key] = true
			if _, ok := b.Ledger.Validated(p.ID, key); ok {
				skip(day, Reason{Code: ReasonBooked})
				continue
			}
			if _, ok := b.Ledger.AddLine(p.ID, key); ok {
				skip(day, Reason{Code: ReasonInCart})
				continue
			}
			one, err := b.add(p, key, last, false)
			var s *Skip
			if errors.As(err, &s) {
				skip(day, s.Reason)
				continue
			}
			if err != nil {
				skip(day, Reason{Code: ReasonExclusive})
				continue
			}
			b.Ledger.apply(one)
			ch.Insert = append(ch.Insert, one.Insert...)
		}
	}
	return ch, skips, nil
}

// SkipGroup is skipped days of one child and prestation for one reason,
// as the period summary lists them.
type SkipGroup struct {
	Child      string
	Prestation string
	Reason     string
	Days       []calendar.Date
}

// DaysFR lists the days as "22/12/2025, 23/12/2025".
func (g SkipGroup) DaysFR() string {
	s := make([]string, len(g.Days))
	for i, d := range g.Days {
		s[i] = d.FR()
	}
	return strings.Join(s, ", ")
}

// GroupSkips groups skipped days by child, prestation and reason, in the
// order they were met.
func GroupSkips(skips []Skip) []SkipGroup {
	var out []SkipGroup
	index := map[[3]string]int{}
	for _, s := range skips {
		k := [3]string{s.Child, s.Prestation, s.Reason.String()}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, SkipGroup{Child: s.Child, Prestation: s.Prestation, Reason: k[2]})
		}
		out[i].Days = append(out[i].Days, s.Day)
	}
	return out
}

// PeriodForm is the raw "Vue Période" form.
type PeriodForm struct {
	From, To string
	Weekdays map[int64][]string // prestation id → chosen weekday codes
	ChildIDs []int64
}

// ParsePeriod validates the raw form against the régie's prestations:
// dates (JJ/MM/AAAA or a date picker's AAAA-MM-JJ), end not before start,
// at most one school year, at least one weekday, known prestations only.
func ParsePeriod(f PeriodForm, prestations []Prestation) (PeriodRequest, calendar.FieldErrors) {
	var all []string
	known := map[int64]bool{}
	for _, p := range prestations {
		known[p.ID] = true
	}
	req := PeriodRequest{ChildIDs: f.ChildIDs, Weekdays: map[int64]calendar.WeekdaySet{}}
	var errs calendar.FieldErrors
	for pid, days := range f.Weekdays {
		if !known[pid] && len(days) > 0 {
			errs = append(errs, calendar.FieldError{Field: "weekdays", Message: "Prestation inconnue pour ce service"})
			continue
		}
		for _, d := range days {
			w, ok := calendar.ParseWeekday(d)
			if !ok {
				errs = append(errs, calendar.FieldError{Field: "weekdays", Message: calendar.MsgBadWeekday})
				continue
			}
			req.Weekdays[pid] = req.Weekdays[pid].With(w)
			all = append(all, d)
		}
	}
	// ParsePeriodForm checks the dates and that some weekday was chosen.
	period, err := calendar.ParsePeriodForm(f.From, f.To, all)
	var fe calendar.FieldErrors
	if errors.As(err, &fe) {
		for _, e := range fe {
			if e.Field != "weekdays" || errs.For("weekdays") == "" {
				errs = append(errs, e)
			}
		}
	}
	if len(f.ChildIDs) == 0 {
		errs = append(errs, calendar.FieldError{Field: "children", Message: "Choisissez au moins un enfant"})
	}
	if len(errs) > 0 {
		return PeriodRequest{}, errs
	}
	req.From, req.To = period.From, period.To
	return req, nil
}
