package reminder_test

import (
	"testing"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/notify"
	"espacefamille/app/reminder"
)

func deadline(s string) calendar.Deadline {
	d, err := calendar.ParseDeadline(s)
	if err != nil {
		panic(err)
	}
	return d
}

// paris is a Paris wall-clock instant.
func paris(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Paris())
}

var (
	lea    = families.Child{ID: 7, FamilyID: 3, FirstName: "Léa", SchoolID: 1}
	week11 = calendar.DateOf(2027, time.January, 11) // a school week, zone B
	meal   = booking.Prestation{ID: 1, RegieID: 1, Name: "RESTAURATION SCOLAIRE", Kind: booking.KindDaily, Category: booking.CategoryMeal,
		Weekdays: calendar.WeekdaysOf(time.Monday, time.Tuesday, time.Thursday, time.Friday), Booking: deadline("workdays:2@10:00")}
	mercredi = booking.Prestation{ID: 2, RegieID: 2, Name: "CENTRE DE LOISIRS", Kind: booking.KindDaily, Category: booking.CategorySession,
		Weekdays: calendar.WeekdaysOf(time.Wednesday), Booking: deadline("days:7@12:00")}
)

// The cut-off a reminder announces is the earliest booking deadline, as
// booking computes it, among the days of the week the child can still
// book.
func TestCutoffIsBookingsOwnDeadline(t *testing.T) {
	cal := calendar.NewZoneCalendar("B")
	closedMonday := calendar.NewZoneCalendar("B", calendar.Closure{Date: week11, Reason: "Journée pédagogique"})
	otherSchool := meal
	otherSchool.Audience = booking.Audience{Schools: []int64{2}}
	tests := []struct {
		name        string
		prestations []booking.Prestation
		cal         *calendar.Calendar
		monday      calendar.Date
		now         time.Time
		want        string // Instant of the cut-off, "" for none
		wantName    string
	}{
		{"meals two workdays before at 10h: Monday 11/01 closes on Thursday 07/01 at 10h00",
			[]booking.Prestation{meal}, cal, week11, paris(2027, 1, 4, 9, 0), "jeudi 07/01 à 10h00", "RESTAURATION SCOLAIRE"},
		{"Monday closed (journée pédagogique): Tuesday's cut-off, Friday 08/01",
			[]booking.Prestation{meal}, closedMonday, week11, paris(2027, 1, 4, 9, 0), "vendredi 08/01 à 10h00", "RESTAURATION SCOLAIRE"},
		{"Monday's cut-off passed an hour ago: Tuesday's is the one left",
			[]booking.Prestation{meal}, cal, week11, paris(2027, 1, 7, 11, 0), "vendredi 08/01 à 10h00", "RESTAURATION SCOLAIRE"},
		{"a Wednesday leisure day booked seven days before closes first",
			[]booking.Prestation{meal, mercredi}, cal, week11, paris(2027, 1, 4, 9, 0), "mercredi 06/01 à 12h00", "CENTRE DE LOISIRS"},
		{"the prestation is for another school: nothing to book",
			[]booking.Prestation{otherSchool}, cal, week11, paris(2027, 1, 4, 9, 0), "", ""},
		{"a week of Christmas holidays: nothing to book",
			[]booking.Prestation{meal}, cal, calendar.DateOf(2026, time.December, 21), paris(2026, 12, 14, 9, 0), "", ""},
		{"every day of the week past its cut-off: nothing to remind",
			[]booking.Prestation{meal}, cal, week11, paris(2027, 1, 13, 11, 0), "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, ok := reminder.Cutoff(tc.prestations, lea, tc.monday, tc.cal, tc.now)
			if tc.want == "" {
				if ok {
					t.Fatalf("cut-off %s (%s), want none", reminder.Instant(d.At), d.Prestation.Name)
				}
				return
			}
			if !ok {
				t.Fatal("no cut-off")
			}
			if got := reminder.Instant(d.At); got != tc.want || d.Prestation.Name != tc.wantName {
				t.Errorf("cut-off %q of %s, want %q of %s", got, d.Prestation.Name, tc.want, tc.wantName)
			}
			if !d.At.Equal(d.Prestation.Booking.Cutoff(d.Key, tc.cal)) {
				t.Errorf("the cut-off is not booking's deadline of %s", d.Key)
			}
		})
	}
}

// The wording, with the deadline booking applies.
func TestSentenceWording(t *testing.T) {
	d, ok := reminder.Cutoff([]booking.Prestation{meal}, lea, week11, calendar.NewZoneCalendar("B"), paris(2027, 1, 4, 9, 0))
	if !ok {
		t.Fatal("no cut-off")
	}
	want := "Rien n'est réservé pour Léa la semaine du 11/01 ; réservations ouvertes jusqu'au jeudi 07/01 à 10h00"
	if got := reminder.Sentence("Léa", week11, d.At); got != want {
		t.Errorf("sentence\n got %q\nwant %q", got, want)
	}
	if got := reminder.Subject("Léa", week11); got != "Rien n'est réservé pour Léa la semaine du 11/01" {
		t.Errorf("subject %q", got)
	}
}

// Who gets the reminder, once, and when.
func TestDecideWhoIsRemindedAndWhen(t *testing.T) {
	cutoff := paris(2027, 1, 7, 10, 0) // Thursday 07/01 at 10h00
	eve := notify.Defaults             // the day before the cut-off's day at 18h00: Wednesday 06/01 18h00
	sameDay := notify.Settings{CutoffReminder: true, Hour: 18, DaysBefore: 0}
	off := notify.Defaults
	off.CutoffReminder = false
	base := reminder.Situation{Settings: eve, Deadline: reminder.Deadline{At: cutoff}, Bookable: true, HasAccount: true}
	with := func(f func(*reminder.Situation)) reminder.Situation { s := base; f(&s); return s }
	tests := []struct {
		name      string
		s         reminder.Situation
		now       time.Time
		wantSend  bool
		wantLater time.Time
	}{
		{"nothing booked, the evening before the cut-off: sent", base, paris(2027, 1, 6, 18, 0), true, time.Time{}},
		{"the job ran late, an hour before the cut-off: still sent", base, paris(2027, 1, 7, 9, 0), true, time.Time{}},
		{"a week before: wait for Wednesday 18h00", base, paris(2026, 12, 31, 9, 0), false, paris(2027, 1, 6, 18, 0)},
		{"before the moment, the account and bookings are not asked yet", with(func(s *reminder.Situation) { s.Booked, s.HasAccount = true, false }),
			paris(2027, 1, 5, 9, 0), false, paris(2027, 1, 6, 18, 0)},
		{"something booked that week: no reminder", with(func(s *reminder.Situation) { s.Booked = true }), paris(2027, 1, 6, 18, 5), false, time.Time{}},
		{"already reminded about this week: never twice", with(func(s *reminder.Situation) { s.Sent = true }), paris(2027, 1, 6, 18, 5), false, time.Time{}},
		{"the cut-off has passed: too late", base, paris(2027, 1, 7, 10, 0), false, time.Time{}},
		{"the commune turned reminders off", with(func(s *reminder.Situation) { s.Settings = off }), paris(2027, 1, 6, 18, 5), false, time.Time{}},
		{"no parent account linked to the family: nobody can book online", with(func(s *reminder.Situation) { s.HasAccount = false }),
			paris(2027, 1, 6, 18, 5), false, time.Time{}},
		{"the child can book nothing that week", with(func(s *reminder.Situation) { s.Bookable = false }), paris(2027, 1, 6, 18, 5), false, time.Time{}},
		{"18h00 on the cut-off's day is after a 10h00 cut-off: never sent", with(func(s *reminder.Situation) { s.Settings = sameDay }),
			paris(2027, 1, 7, 9, 0), false, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := reminder.Decide(tc.s, tc.now)
			if got.Send != tc.wantSend || !got.Later.Equal(tc.wantLater) {
				t.Errorf("Decide = send %v, later %v; want send %v, later %v", got.Send, got.Later, tc.wantSend, tc.wantLater)
			}
		})
	}
}
