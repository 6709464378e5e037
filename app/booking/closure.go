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
	if r.ForfaitFrom.IsZero() || !r.Covers(day) {
		return 0, 0
	}
	if ok, _ := DayOpenFor(p, r.SiteID, day, cal); !ok {
		return 0, 0
	}
	for d := r.ForfaitFrom; !d.After(r.ForfaitUntil); d = d.AddDays(1) {
		if ok, _ := DayOpenFor(p, r.SiteID, d, cal); ok {
			days++
		}
	}
	return r.PriceCents / int64(days), days
}
