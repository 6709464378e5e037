package booking

import "espacefamille/app/calendar"

// ForfaitClosureShare is the rule for a forfait that covers a day the
// commune closes: the forfait is kept, and the family is credited the
// closed day's share of its price, i.e. the price divided by the number
// of days the forfait's prestation is held in its period (open days of
// the calendar before the closure, on the prestation's weekdays), rounded
// down to the cent so that the shares of every day never exceed the price.
// It returns 0 (and days 0) when the forfait is not held on day.
func ForfaitClosureShare(p Prestation, r Reservation, day calendar.Date, cal *calendar.Calendar) (cents int64, days int) {
	s := ForfaitClosureShares(p, r, []calendar.Date{day}, cal)
	if len(s) == 0 {
		return 0, 0
	}
	return s[0].Cents, s[0].Days
}

// ClosureShare is one closed day's share of a forfait: Cents credited,
// "1 jour sur Days".
type ClosureShare struct {
	Day   calendar.Date
	Cents int64
	Days  int
}

// ForfaitClosureShares applies ForfaitClosureShare to days closed one
// after the other, in that order, from the calendar cal that stood before
// the first of them: each day's share is counted over the days still held
// once the earlier ones closed, exactly as if each closure had been
// decided in turn on a booked forfait. Days the forfait is not held on
// (outside its period, not its weekdays, closed already in cal) have no
// share.
func ForfaitClosureShares(p Prestation, r Reservation, days []calendar.Date, cal *calendar.Calendar) []ClosureShare {
	if r.ForfaitFrom.IsZero() {
		return nil
	}
	held := func(d calendar.Date) bool {
		ok, _ := DayOpenFor(p, r.SiteID, d, cal)
		return ok
	}
	open := 0
	for d := r.ForfaitFrom; !d.After(r.ForfaitUntil); d = d.AddDays(1) {
		if held(d) {
			open++
		}
	}
	var out []ClosureShare
	closed := map[calendar.Date]bool{}
	for _, day := range days {
		if closed[day] || !r.Covers(day) || !held(day) {
			continue
		}
		out = append(out, ClosureShare{Day: day, Cents: r.PriceCents / int64(open), Days: open})
		closed[day] = true
		open--
	}
	return out
}
