package booking_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// The waiting list of a full day, step by step: only a day the child
// could book but for the capacity can be joined, once per child, first
// come first served; a freed place (capacity raised, an offered entry
// leaving) goes to the first in line and takes its place in the day's
// count at once, so nobody else can book it; a family can take only its
// own entries off the list.
func TestWaitingListJoinsAFullDayOnlyAndOffersFreedPlacesInLine(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	other, kids := f.addFamily("FAMILLE Z", 1)
	day := calendar.DateOf(2026, time.December, 10)
	f.fullDay(f.classique, "2026-12-10")
	join := func(fam, child int64, d calendar.Date) (int, error) {
		return booking.JoinWaitlist(ctx, f.db, booking.Click{FamilyID: fam, RegieID: f.cantine, ChildID: child, PrestationID: f.classique, Day: d}, f.Clock.Now())
	}
	mustJoin := func(fam, child int64, want int) {
		t.Helper()
		if rank, err := join(fam, child, day); err != nil || rank != want {
			t.Fatalf("child %d joins the list of the 10th: rank %d, %v; want %d", child, rank, err, want)
		}
	}
	mustJoin(f.fam, f.fille, 1)
	mustJoin(f.fam, f.fille, 1) // asking twice keeps the place in line
	mustJoin(f.fam, f.garcon, 2)
	mustJoin(other, kids[0], 3)

	for _, tc := range []struct {
		name string
		day  calendar.Date
		want string
	}{
		{"a day with places left is booked, not waited for", calendar.DateOf(2026, time.December, 11),
			"Il reste des places le 11/12/2026 : cliquez sur la case pour réserver."},
		{"a day past its deadline cannot be waited for", calendar.DateOf(2026, time.November, 24),
			"Liste d'attente impossible le 24/11/2026 : "},
		{"a wednesday has no meal to wait for", calendar.DateOf(2026, time.December, 9),
			"Liste d'attente impossible le 09/12/2026 : "},
	} {
		if _, err := join(f.fam, f.fille, tc.day); !errors.Is(err, booking.ErrRefused) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q…", tc.name, err, tc.want)
		}
	}

	entries := func(fam int64) map[int64]booking.WaitEntry {
		t.Helper()
		list, err := booking.FamilyWaits(ctx, f.db.Reader(), fam, calendar.DateOf(2026, time.November, 23))
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]booking.WaitEntry{}
		for _, e := range list {
			out[e.ChildID] = e
		}
		return out
	}
	mine := entries(f.fam)
	if len(mine) != 2 || mine[f.fille].StateText() != "1er sur la liste" || mine[f.garcon].StateText() != "2e sur la liste" {
		t.Fatalf("FAMILLE X's entries: %+v", mine)
	}
	if err := booking.LeaveWaitlist(ctx, f.db, other, mine[f.garcon].ID, f.Clock.Now()); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("another family takes the brother off the list: %v", err)
	}
	if err := booking.LeaveWaitlist(ctx, f.db, f.fam, mine[f.garcon].ID, f.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if e := entries(other)[kids[0]]; e.Rank != 2 || e.StateText() != "2e sur la liste" {
		t.Fatalf("once the brother left, FAMILLE Z's child is %+v, want second in line", e)
	}
	if err := booking.LeaveWaitlist(ctx, f.db, f.fam, mine[f.garcon].ID, f.Clock.Now()); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("leaving twice: %v", err)
	}

	// One more place: the first in line is offered it, and it is counted.
	raise := func(capacity int) {
		t.Helper()
		f.exec(`UPDATE prestations SET capacity = ? WHERE id = ?`, capacity, f.classique)
		if err := f.db.Tx(ctx, func(tx *sql.Tx) error { return booking.OfferFreedPlaces(ctx, tx, f.classique) }); err != nil {
			t.Fatal(err)
		}
	}
	booked := func() int {
		return f.count(`SELECT booked FROM slot_counts WHERE prestation_id = ? AND day = '2026-12-10'`, f.classique)
	}
	raise(6)
	if e, z := entries(f.fam)[f.fille], entries(other)[kids[0]]; e.State != booking.WaitOffered || z.State != booking.WaitWaiting || booked() != 6 {
		t.Fatalf("one place more: the sister %s, FAMILLE Z %s, %d places taken; want offered, waiting, 6", e.State, z.State, booked())
	}
	if got := entries(f.fam)[f.fille].StateText(); got != "une place s'est libérée : le courriel part dans quelques minutes" {
		t.Fatalf("an offer not mailed yet reads %q", got)
	}
	// The sister gives her offered place up: it goes to the next in line.
	if err := booking.LeaveWaitlist(ctx, f.db, f.fam, entries(f.fam)[f.fille].ID, f.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if z := entries(other)[kids[0]]; z.State != booking.WaitOffered || booked() != 6 || len(entries(f.fam)) != 0 {
		t.Fatalf("the offered place left: FAMILLE Z %s, %d places taken, FAMILLE X %+v", z.State, booked(), entries(f.fam))
	}
	// With no one left waiting, more places stay free.
	raise(8)
	if booked() != 6 {
		t.Fatalf("places taken with nobody waiting: %d, want 6", booked())
	}
}

// The commune's waiting-list settings: an offered place is kept between
// 1 and 72 hours (4 by default), and the list can be closed.
func TestWaitingListSettingsKeepAnOfferOneToSeventyTwoHours(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	load := func() booking.WaitlistSettings {
		t.Helper()
		s, err := booking.LoadWaitlistSettings(ctx, f.db.Reader())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	save := func(s booking.WaitlistSettings) error {
		return f.db.Tx(ctx, func(tx *sql.Tx) error { return booking.SaveWaitlistSettings(ctx, tx, s) })
	}
	if s := load(); !s.Enabled || s.OfferHours != 4 {
		t.Fatalf("defaults: %+v", s)
	}
	for _, h := range []int{0, 73} {
		if err := save(booking.WaitlistSettings{Enabled: true, OfferHours: h}); !errors.Is(err, booking.ErrRefused) ||
			err.Error() != "Le délai pour réserver une place libérée va de 1 à 72 heures." {
			t.Fatalf("%d hours: %v", h, err)
		}
	}
	for _, s := range []booking.WaitlistSettings{{Enabled: true, OfferHours: 1}, {Enabled: false, OfferHours: 72}} {
		if err := save(s); err != nil || load() != s {
			t.Fatalf("save %+v: %v, read back %+v", s, err, load())
		}
	}
	if _, err := booking.JoinWaitlist(ctx, f.db, booking.Click{FamilyID: f.fam, RegieID: f.cantine, ChildID: f.fille, PrestationID: f.classique,
		Day: calendar.DateOf(2026, time.December, 10)}, f.Clock.Now()); !errors.Is(err, booking.ErrRefused) || err.Error() != "La mairie n'a pas ouvert de liste d'attente." {
		t.Fatalf("joining a closed list: %v", err)
	}
	// A value written by hand outside the range reads as the default.
	f.exec(`UPDATE settings SET value = '0' WHERE key = ?`, booking.SettingOfferHours)
	if s := load(); s.OfferHours != 4 {
		t.Fatalf("0 hours stored: read %+v, want the default 4", s)
	}
	f.exec(`UPDATE settings SET value = '73' WHERE key = ?`, booking.SettingOfferHours)
	if s := load(); s.OfferHours != 4 {
		t.Fatalf("73 hours stored: read %+v, want the default 4", s)
	}
}
