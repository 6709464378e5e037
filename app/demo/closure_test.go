package demo

import (
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// The demo's sample closure is on a school day the agenda shows, whatever
// the day the demo is created: it used to be Monday + 25 days, which
// today (3 December 2026) is Christmas, a holiday already.
func TestSampleClosureIsOnASchoolDayTheAgendaShows(t *testing.T) {
	t.Parallel()
	cal := calendar.NewZoneCalendar(Zone)
	meals := calendar.WeekdaysOf(time.Monday, time.Tuesday, time.Thursday, time.Friday)
	if got, want := SampleClosureDay(calendar.DateOf(2026, time.December, 3)), calendar.DateOf(2026, time.December, 18); got != want {
		t.Errorf("on 3 December 2026 the closure is on %s, want %s (the last school day before Christmas)", got.FR(), want.FR())
	}
	start := calendar.DateOf(2025, time.September, 1)
	for today := start; today.Before(start.AddDays(2 * 365)); today = today.AddDays(1) {
		d := SampleClosureDay(today)
		if !cal.IsOpen(d) || !meals.Has(d.Weekday()) {
			t.Fatalf("created on %s: the closure %s is not a school day with meals", today.FR(), d.FR())
		}
		if d.Before(today.AddDays(3)) {
			t.Fatalf("created on %s: the closure %s is too close", today.FR(), d.FR())
		}
		end := today.Monday().AddDays(7*booking.AgendaWeeks - 1)
		if d.After(end) {
			// Only when the agenda's weeks hold no school day at all.
			for x := today.AddDays(3); !x.After(end); x = x.AddDays(1) {
				if cal.IsOpen(x) && meals.Has(x.Weekday()) {
					t.Fatalf("created on %s: the closure %s is past the agenda though %s is a school day in it", today.FR(), d.FR(), x.FR())
				}
			}
		}
	}
}
