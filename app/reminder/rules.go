// Package reminder sends the booking cut-off reminder: "Rien n'est
// réservé pour Léa la semaine du 11/01 ; réservations ouvertes jusqu'au
// jeudi 07/01 à 10h00", once per child and week, at the moment the
// commune chose before the cut-off, to the families whose child can book
// that week and has nothing booked in it.
//
// The rules are pure functions ([Cutoff], [Decide], [Sentence]) over the
// booking package's own deadline rules (booking.Key, booking.CanBookFor,
// calendar.Deadline.Cutoff), so that the reminder never announces a
// cut-off other than the one booking applies. The job ([Job]) opens only
// the communes whose turn the platform registry says has come
// (tenants.WorkReminders), and records there when each one's next
// reminder is due.
package reminder

import (
	"fmt"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/notify"
)

// Deadline is the cut-off that matters for a child's week: the earliest
// booking deadline among the days of that week the child can still book,
// and the prestation it belongs to.
type Deadline struct {
	At         time.Time
	Prestation booking.Prestation
	Key        calendar.Date // the day (or forfait period start) it is the deadline of
}

// Cutoff returns the earliest booking deadline, after now, of the days of
// the week starting on monday that child can book (audience, closures,
// holidays and deadlines as booking decides them); ok is false when the
// child can book nothing that week.
func Cutoff(prestations []booking.Prestation, child families.Child, monday calendar.Date, cal *calendar.Calendar, now time.Time) (d Deadline, ok bool) {
	for _, p := range prestations {
		if allowed, _ := p.Audience.Allows(child); !allowed {
			continue
		}
		for i := range 7 {
			key, _, err := booking.Key(p, monday.AddDays(i), cal)
			if err != nil {
				continue
			}
			if can, _ := booking.CanBookFor(p, child.SchoolID, key, cal, now); !can {
				continue
			}
			at := p.Booking.Cutoff(key, cal)
			if !ok || at.Before(d.At) {
				d, ok = Deadline{At: at, Prestation: p, Key: key}, true
			}
		}
	}
	return d, ok
}

// Situation is what decides one child's reminder about one week.
type Situation struct {
	Settings   notify.Settings
	Deadline   Deadline
	Bookable   bool // Cutoff found a deadline
	Booked     bool // something is booked or held that week
	Sent       bool // the reminder of this child and week went already
	HasAccount bool // a parent's account is linked to the family
}

// Decision is what to do about one child's week at a given moment.
type Decision struct {
	Send bool
	// Later is when to look again (zero: never, for this child and week):
	// the moment the reminder falls due, while it has not.
	Later time.Time
}

// Decide applies the rules at now: the reminder goes once, when the
// commune has it on, to a family with an account whose child can book the
// week and has nothing in it, between its sending moment and the cut-off.
//
// Whether the family has an account and the child something booked is
// asked only when the moment has come: both may change until then.
func Decide(s Situation, now time.Time) Decision {
	if !s.Settings.CutoffReminder || !s.Bookable || s.Sent {
		return Decision{}
	}
	if !now.Before(s.Deadline.At) {
		return Decision{}
	}
	at := s.Settings.SendAt(s.Deadline.At)
	if !at.Before(s.Deadline.At) {
		return Decision{} // the chosen moment falls after the cut-off
	}
	if now.Before(at) {
		return Decision{Later: at}
	}
	if s.Booked || !s.HasAccount {
		return Decision{}
	}
	return Decision{Send: true}
}

// shortDay is "11/01".
func shortDay(d calendar.Date) string { return fmt.Sprintf("%02d/%02d", d.Day(), int(d.Month())) }

// Instant is "jeudi 07/01 à 10h00" (Europe/Paris).
func Instant(t time.Time) string {
	t = t.In(calendar.Paris())
	return calendar.WeekdayNamesFR[t.Weekday()] + " " + shortDay(calendar.Today(t)) + fmt.Sprintf(" à %02dh%02d", t.Hour(), t.Minute())
}

// Subject is "Rien n'est réservé pour Léa la semaine du 11/01".
func Subject(firstName string, monday calendar.Date) string {
	return "Rien n'est réservé pour " + firstName + " la semaine du " + shortDay(monday)
}

// Sentence is the reminder's message: "Rien n'est réservé pour Léa la
// semaine du 11/01 ; réservations ouvertes jusqu'au jeudi 07/01 à 10h00".
func Sentence(firstName string, monday calendar.Date, cutoff time.Time) string {
	return Subject(firstName, monday) + " ; réservations ouvertes jusqu'au " + Instant(cutoff)
}
