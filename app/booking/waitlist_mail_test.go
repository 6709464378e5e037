package booking_test

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
)

// An offered place is mailed to the family and kept the commune's number
// of hours, never past the day's booking deadline; at the end of that
// time (not a minute before) the offer ends and the place goes to the
// next in line, who is mailed in the same pass; with nobody waiting the
// place is free again.
func TestOfferedPlaceIsKeptTheCommunesHoursButNotPastTheDeadline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.ParentAccount(slug, f.fam, "parent.x@ef.test", "motdepasse-tres-long")
	other, kids := f.addFamily("FAMILLE Z", 1)
	f.fullDay(f.classique, "2026-11-26") // deadline: Tuesday 24 at 10:00
	f.fullDay(f.classique, "2026-12-10") // deadline: Tuesday 8 at 10:00
	join := func(fam, child int64, day calendar.Date) {
		t.Helper()
		if _, err := booking.JoinWaitlist(ctx, f.db, booking.Click{FamilyID: fam, RegieID: f.cantine, ChildID: child, PrestationID: f.classique, Day: day}, f.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	join(f.fam, f.garcon, calendar.DateOf(2026, time.November, 26))
	join(f.fam, f.fille, calendar.DateOf(2026, time.December, 10))
	join(other, kids[0], calendar.DateOf(2026, time.December, 10))
	if err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := booking.SaveWaitlistSettings(ctx, tx, booking.WaitlistSettings{Enabled: true, OfferHours: 72}); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE prestations SET capacity = 6 WHERE id = ?`, f.classique); err != nil {
			return err
		}
		return booking.OfferFreedPlaces(ctx, tx, f.classique)
	}); err != nil {
		t.Fatal(err)
	}
	com, err := f.Registry.Commune(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	send := func(now time.Time) int64 {
		t.Helper()
		n, err := booking.SendOffers(ctx, f.db, f.Registry.Platform().Reader(), com, func(p string) string { return "https://ef.test/" + slug + p }, now)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// state lists "child day: state text" of every entry still on a list.
	state := func() string {
		t.Helper()
		var out []string
		for _, fam := range []int64{f.fam, other} {
			list, err := booking.FamilyWaits(ctx, f.db.Reader(), fam, calendar.DateOf(2026, time.November, 23))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range list {
				out = append(out, strings.Fields(e.ChildName)[0]+" "+e.Day.FR()+": "+e.StateText())
			}
		}
		sort.Strings(out)
		return strings.Join(out, "\n")
	}
	want := func(step, s string) {
		t.Helper()
		if got := state(); got != s {
			t.Fatalf("%s:\n%s\nwant:\n%s", step, got, s)
		}
	}
	booked := func(day string) int {
		return f.count(`SELECT COALESCE(SUM(booked), 0) FROM slot_counts WHERE prestation_id = ? AND day = ?`, f.classique, day)
	}

	monday := time.Date(2026, time.November, 23, 8, 0, 0, 0, calendar.Paris())
	if n := send(monday); n != 2 {
		t.Fatalf("offers mailed: %d, want 2", n)
	}
	want("mailed on Monday 8:00", strings.Join([]string{
		"Enfant0 10/12/2026: 1er sur la liste",
		"Fille 10/12/2026: une place vous est réservée jusqu'au jeudi 26/11/2026 à 08h00",
		"Garçon 26/11/2026: une place vous est réservée jusqu'au mardi 24/11/2026 à 10h00",
	}, "\n"))
	msgs := f.SendMail(t, slug)
	var subjects []string
	for _, m := range msgs {
		if len(m.EnvelopeTo) == 1 && m.EnvelopeTo[0] == "parent.x@ef.test" {
			subjects = append(subjects, m.Subject)
		}
	}
	sort.Strings(subjects)
	if strings.Join(subjects, "\n") != "Une place s'est libérée le 10/12/2026 pour Fille\nUne place s'est libérée le 26/11/2026 pour Garçon" {
		t.Fatalf("mails to parent.x@ef.test: %q", subjects)
	}
	if n := send(time.Date(2026, time.November, 24, 9, 59, 0, 0, calendar.Paris())); n != 0 || booked("2026-11-26") != 6 {
		t.Fatalf("a minute before the deadline: %d changed, %d places taken", n, booked("2026-11-26"))
	}
	if n := send(time.Date(2026, time.November, 24, 10, 0, 0, 0, calendar.Paris())); n != 1 || booked("2026-11-26") != 5 {
		t.Fatalf("at the deadline: %d changed, %d places taken; want the brother's offer ended, 5", n, booked("2026-11-26"))
	}
	want("the brother's offer ended", strings.Join([]string{
		"Enfant0 10/12/2026: 1er sur la liste",
		"Fille 10/12/2026: une place vous est réservée jusqu'au jeudi 26/11/2026 à 08h00",
	}, "\n"))
	if n := send(time.Date(2026, time.November, 26, 8, 0, 0, 0, calendar.Paris())); n != 2 || booked("2026-12-10") != 6 {
		t.Fatalf("after 72 hours: %d changed, %d places taken; want the sister's offer ended and FAMILLE Z's mailed, 6", n, booked("2026-12-10"))
	}
	want("FAMILLE Z's turn", "Enfant0 10/12/2026: une place vous est réservée jusqu'au dimanche 29/11/2026 à 08h00")
}
