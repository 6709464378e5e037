package booking_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// The family's calendar feed lists its validated bookings still to come:
// one all-day event per booked day, a forfait as one event over its
// period (even when it began before), with the booking's own UID; a
// cancelled booking and the days already past are not listed. The
// booking cut-off reminder sees the same children as booked on those
// days, a forfait on every day of its period.
func TestFeedAndBookedChildrenFollowTheValidatedBookings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.validate(f.fille, f.classique, "2026-12-10", "2026-12-11", "2026-12-14")
	f.validate(f.garcon, f.garderieP, "2027-01-11")
	f.exec(`UPDATE reservations SET state = 'cancelled' WHERE child_id = ? AND day = '2026-12-14'`, f.fille)
	d := func(y int, m time.Month, day int) calendar.Date { return calendar.DateOf(y, m, day) }

	events, err := booking.FeedEvents(ctx, f.db.Reader(), f.fam, slug, d(2026, time.December, 11))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		got = append(got, fmt.Sprintf("%s %s–%s %s | %s", strings.SplitN(e.UID, "@", 2)[1], e.Start.Format(time.DateOnly), e.End.Format(time.DateOnly), e.Summary, e.Description))
	}
	want := []string{
		slug + ".espacefamille 2026-12-11–2026-12-11 REPAS CLASSIQUE ENFANT – Fille | Réservation de Fille FAMILLE X : REPAS CLASSIQUE ENFANT",
		slug + ".espacefamille 2027-01-01–2027-01-31 GARDERIE MATIN ET SOIR – Garçon | Réservation de Garçon FAMILLE X : GARDERIE MATIN ET SOIR (forfait du 01/01/2027 au 31/01/2027)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("feed from 11/12/2026:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if id := f.id(`SELECT id FROM reservations WHERE child_id = ? AND day = '2026-12-11'`, f.fille); events[0].UID != fmt.Sprintf("reservation-%d@%s.espacefamille", id, slug) {
		t.Fatalf("UID %q, want the booking's", events[0].UID)
	}
	// From February, the January forfait is over.
	if events, err := booking.FeedEvents(ctx, f.db.Reader(), f.fam, slug, d(2027, time.February, 1)); err != nil || len(events) != 0 {
		t.Fatalf("feed from February: %+v %v", events, err)
	}

	for _, tc := range []struct {
		name     string
		from, to calendar.Date
		want     []int64
	}{
		{"the sister's booked thursday", d(2026, time.December, 10), d(2026, time.December, 10), []int64{f.fille}},
		{"her cancelled monday", d(2026, time.December, 14), d(2026, time.December, 18), nil},
		{"a day inside the brother's forfait", d(2027, time.January, 20), d(2027, time.January, 20), []int64{f.garcon}},
		{"a week across both", d(2026, time.December, 7), d(2027, time.January, 1), []int64{f.fille, f.garcon}},
	} {
		got, err := booking.ChildrenBookedBetween(ctx, f.db.Reader(), tc.from, tc.to)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		for _, id := range tc.want {
			if !got[id] {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}
