package booking

import (
	"testing"

	"espacefamille/app/calendar"
)

func TestForfaitClosureShare(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	// January 2027 (zone B): Christmas holidays end Sunday 3 January; the
	// garderie runs Monday, Tuesday, Thursday and Friday: 16 days (1 January
	// is a public holiday).
	jan := Reservation{ID: 9, PrestationID: 3, Day: d("2027-01-01"), ForfaitFrom: d("2027-01-01"), ForfaitUntil: d("2027-01-31"),
		State: StateValidated, PriceCents: 2500}
	cal := calendar.NewZoneCalendar("B")
	for _, tc := range []struct {
		name  string
		r     Reservation
		day   string
		cents int64
		days  int
	}{
		{"strike on thursday 14 january: 25,00 € / 16 days, rounded down", jan, "2027-01-14", 156, 16},
		{"wednesday: the garderie is not held, nothing to credit", jan, "2027-01-13", 0, 0},
		{"a day outside the forfait's period", jan, "2027-02-04", 0, 0},
		{"a daily booking is not a forfait", Reservation{Day: d("2027-01-14"), PriceCents: 255}, "2027-01-14", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cents, days := ForfaitClosureShare(testGarderie, tc.r, d(tc.day), cal)
			if cents != tc.cents || days != tc.days {
				t.Fatalf("share = %d over %d days, want %d over %d", cents, days, tc.cents, tc.days)
			}
		})
	}
	// The calendar already holding a closure counts one day less.
	closed := calendar.NewZoneCalendar("B", calendar.Closure{Date: d("2027-01-08"), Reason: "Pont"})
	if cents, days := ForfaitClosureShare(testGarderie, jan, d("2027-01-14"), closed); days != 15 || cents != 166 {
		t.Fatalf("after an earlier closure: %d over %d", cents, days)
	}
}
