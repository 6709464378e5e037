package booking_test

import (
	"context"
	"strings"
	"testing"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// A holiday stored without its resume day (a summer whose rentrée is not
// published yet) ends, once read back, exactly where the importer ends the
// same row: the calendar's open-end rule is the only one, the store keeps
// none of its own. The second row's school year runs past its first day's
// year, where the store's old rule (1 September after the first day) and
// the calendar's (1 September ending the school year) part.
func TestStoredHolidayWithoutResumeDayEndsByTheCalendarsRule(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	csv := "school_year,zone,description,first_day_off,resume_day\n"
	for _, h := range []struct{ year, desc, from string }{
		{"2026-2027", "Été sans rentrée connue", "2027-07-03"},
		{"2027-2028", "Pont sans reprise connue", "2027-05-13"},
	} {
		f.exec(`INSERT INTO school_holidays (zone, school_year, description, first_day_off) VALUES ('Z', ?, ?, ?)`, h.year, h.desc, h.from)
		csv += h.year + ",Z," + h.desc + "," + h.from + ",\n"
	}
	want, err := calendar.ParseHolidaysCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := booking.LoadCalendar(context.Background(), f.db.Reader())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]calendar.Holiday{}
	for _, h := range cal.Holidays() {
		if h.Zone == "Z" {
			got[h.Description] = h
		}
	}
	for _, w := range want {
		g, ok := got[w.Description]
		if !ok {
			t.Fatalf("%s: not in the calendar read back (%v)", w.Description, cal.Holidays())
		}
		if g.Until != w.Until || !g.Estimated {
			t.Errorf("%s: read back ending %s (estimated %v), the importer ends it %s", w.Description, g.Until, g.Estimated, w.Until)
		}
	}
}
