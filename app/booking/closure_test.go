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

// Days closed one after the other on a forfait are credited in turn, each
// over the days still held: what crediting each closure on the booked
// forfait would have given.
func TestForfaitClosureSharesTakeTheClosuresInTurn(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return mustDate(t, s) }
	jan := Reservation{ID: 9, PrestationID: 3, Day: d("2027-01-01"), ForfaitFrom: d("2027-01-01"), ForfaitUntil: d("2027-01-31"),
		State: StateValidated, PriceCents: 2500}
	cal := calendar.NewZoneCalendar("B")
	for _, tc := range []struct {
		name string
		days []string
		want []ClosureShare
	}{
		{"strikes on the 14th then the 8th: 25,00 € / 16, then / 15", []string{"2027-01-14", "2027-01-08"},
			[]ClosureShare{{d("2027-01-14"), 156, 16}, {d("2027-01-08"), 166, 15}}},
		{"the same day twice is credited once", []string{"2027-01-14", "2027-01-14"}, []ClosureShare{{d("2027-01-14"), 156, 16}}},
		{"a wednesday between two strikes does not count", []string{"2027-01-12", "2027-01-13", "2027-01-15"},
			[]ClosureShare{{d("2027-01-12"), 156, 16}, {d("2027-01-15"), 166, 15}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var days []calendar.Date
			for _, s := range tc.days {
				days = append(days, d(s))
			}
			got := ForfaitClosureShares(testGarderie, jan, days, cal)
			if len(got) != len(tc.want) {
				t.Fatalf("shares = %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("share %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}
