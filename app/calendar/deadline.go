package calendar

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DeadlineKind says how a booking or cancellation deadline counts back from the booked day.
type DeadlineKind uint8

// The deadline kinds a commune can configure.
const (
	DeadlineCalendarDays DeadlineKind = iota // N calendar days before the day, at HH:MM
	DeadlineWorkingDays                      // N working days (Mon–Fri, not public holidays) before the day, at HH:MM
	DeadlinePreviousWeek                     // the previous week's weekday at HH:MM, for every day of the week
)

// MaxDeadlineDays bounds the number of days of a deadline (one year).
const MaxDeadlineDays = 366

// Deadline is a booking or cancellation rule; its text form (String, ParseDeadline) is what the database stores.
type Deadline struct {
	Kind    DeadlineKind
	Days    int          // DeadlineCalendarDays and DeadlineWorkingDays: how many days before
	Weekday time.Weekday // DeadlinePreviousWeek: the weekday of the previous week
	Hour    int          // 0–23, Europe/Paris wall clock
	Minute  int          // 0–59
}

// ErrInvalidDeadline is wrapped by every ParseDeadline and Validate error.
var ErrInvalidDeadline = errors.New("règle de délai invalide")

var weekdayCodes = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// WeekdayNamesFR holds the French weekday names, indexed by time.Weekday.
var WeekdayNamesFR = [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// String returns the stored form: "days:2@10:00", "workdays:2@10:00" or "week:thu@12:00".
func (r Deadline) String() string {
	at := fmt.Sprintf("@%02d:%02d", r.Hour, r.Minute)
	switch r.Kind {
	case DeadlineWorkingDays:
		return fmt.Sprintf("workdays:%d%s", r.Days, at)
	case DeadlinePreviousWeek:
		if r.Weekday < 0 || r.Weekday > 6 {
			return "week:?" + at
		}
		return "week:" + weekdayCodes[r.Weekday] + at
	}
	return fmt.Sprintf("days:%d%s", r.Days, at)
}

// Validate checks the ranges of a Deadline built in code or by a form.
func (r Deadline) Validate() error {
	switch {
	case r.Kind > DeadlinePreviousWeek:
		return fmt.Errorf("%w : type inconnu", ErrInvalidDeadline)
	case r.Kind != DeadlinePreviousWeek && (r.Days < 0 || r.Days > MaxDeadlineDays):
		return fmt.Errorf("%w : le nombre de jours doit être entre 0 et %d", ErrInvalidDeadline, MaxDeadlineDays)
	case r.Kind == DeadlinePreviousWeek && (r.Weekday < time.Sunday || r.Weekday > time.Saturday):
		return fmt.Errorf("%w : jour de la semaine inconnu", ErrInvalidDeadline)
	case r.Hour < 0 || r.Hour > 23 || r.Minute < 0 || r.Minute > 59:
		return fmt.Errorf("%w : heure invalide (HH:MM)", ErrInvalidDeadline)
	}
	return nil
}

// ParseDeadline reads the stored form written by String; it also accepts "10h00", French or English weekday names and spaces.
func ParseDeadline(s string) (Deadline, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return Deadline{}, fmt.Errorf("%w : « %s » (attendu days:N@HH:MM, workdays:N@HH:MM ou week:jour@HH:MM)", ErrInvalidDeadline, s)
	}
	arg, at, ok := strings.Cut(rest, "@")
	if !ok {
		return Deadline{}, fmt.Errorf("%w : heure manquante (@HH:MM)", ErrInvalidDeadline)
	}
	var r Deadline
	var err error
	if r.Hour, r.Minute, err = parseClock(at); err != nil {
		return Deadline{}, err
	}
	arg = strings.TrimSpace(arg)
	switch strings.TrimSpace(kind) {
	case "days", "calendar":
		r.Kind = DeadlineCalendarDays
	case "workdays", "working":
		r.Kind = DeadlineWorkingDays
	case "week", "prevweek":
		r.Kind = DeadlinePreviousWeek
		w, ok := ParseWeekday(arg)
		if !ok {
			return Deadline{}, fmt.Errorf("%w : jour de la semaine inconnu « %s »", ErrInvalidDeadline, arg)
		}
		r.Weekday = w
		return r, r.Validate()
	default:
		return Deadline{}, fmt.Errorf("%w : type « %s » inconnu", ErrInvalidDeadline, kind)
	}
	n, ok := atoiDigits(arg)
	if !ok || len(arg) > 3 {
		return Deadline{}, fmt.Errorf("%w : nombre de jours invalide « %s »", ErrInvalidDeadline, arg)
	}
	r.Days = n
	if err := r.Validate(); err != nil {
		return Deadline{}, err
	}
	return r, nil
}

// parseClock reads "10:00", "10h00", "9h" or "9:05".
func parseClock(s string) (int, int, error) {
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(strings.Replace(s, "h", ":", 1), ":")
	if !ok {
		return 0, 0, fmt.Errorf("%w : heure invalide « %s » (HH:MM)", ErrInvalidDeadline, s)
	}
	if m == "" {
		m = "0"
	}
	hh, ok1 := atoiDigits(h)
	mm, ok2 := atoiDigits(m)
	if !ok1 || !ok2 || len(h) > 2 || len(m) > 2 || hh > 23 || mm > 59 {
		return 0, 0, fmt.Errorf("%w : heure invalide « %s » (HH:MM)", ErrInvalidDeadline, s)
	}
	return hh, mm, nil
}

// ParseWeekday reads a weekday as "jeudi", "jeu", "thursday", "thu" or the ISO number "4" (single letters are refused: M is ambiguous).
func ParseWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) == 1 && s[0] >= '1' && s[0] <= '7' {
		return time.Weekday((s[0] - '0') % 7), true // ISO 8601: 1 = Monday, 7 = Sunday
	}
	for i := range 7 {
		en := strings.ToLower(time.Weekday(i).String())
		if s == WeekdayNamesFR[i] || s == en || s == weekdayCodes[i] || (len(s) == 3 && s == WeekdayNamesFR[i][:3]) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// Cutoff returns the last instant (Europe/Paris) at which day can still be booked under r.
// cal supplies the public holidays for working days; nil means the national ones.
// A wall-clock time that does not exist (02:30 on the last Sunday of March) is
// normalised by time.Date to 03:30 CEST; one that occurs twice (02:30 on the last
// Sunday of October) resolves as time.Date does, to the second occurrence (CET).
func (r Deadline) Cutoff(day Date, cal *Calendar) time.Time {
	var d Date
	switch r.Kind {
	case DeadlineWorkingDays:
		d = day
		for range r.Days {
			d = d.AddDays(-1)
			for !cal.IsWorkingDay(d) {
				d = d.AddDays(-1)
			}
		}
	case DeadlinePreviousWeek:
		d = day.Monday().AddDays(-7 + (int(r.Weekday)+6)%7)
	default:
		d = day.AddDays(-r.Days)
	}
	return d.At(r.Hour, r.Minute)
}

// Open reports whether day can still be booked at now, counting working days with the national public holidays.
func (r Deadline) Open(day Date, now time.Time) bool { return r.OpenIn(day, now, nil) }

// OpenIn reports whether day can still be booked at now under the commune's calendar (before the cutoff, strictly).
func (r Deadline) OpenIn(day Date, now time.Time, cal *Calendar) bool {
	return now.Before(r.Cutoff(day, cal))
}

// Phrase returns the French rule after the verb, e.g. "jusqu'à 2 jours ouvrés avant, 10h00".
func (r Deadline) Phrase() string { return r.PhraseBefore("") }

// PhraseBefore is Phrase for a deadline counted back from another day
// than the booked one: anchor names that day as a masculine noun without
// its article ("1er du mois" for a monthly forfait), and the rule reads
// "jusqu'à 7 jours avant le 1er du mois, 12h00". An empty anchor is the
// booked day itself (Phrase).
func (r Deadline) PhraseBefore(anchor string) string {
	at := fmt.Sprintf("%02dh%02d", r.Hour, r.Minute)
	// before is " avant" or " avant le …"; of is "" or " du …".
	before, of, same := " avant", "", "jour même"
	if anchor != "" {
		before, of, same = " avant le "+anchor, " du "+anchor, anchor
	}
	switch {
	case r.Kind == DeadlinePreviousWeek:
		if r.Weekday < 0 || r.Weekday > 6 {
			return ""
		}
		week := "de la semaine précédente"
		if anchor != "" {
			week = "de la semaine qui précède celle du " + anchor
		}
		return "jusqu'au " + WeekdayNamesFR[r.Weekday] + " " + at + " " + week
	case r.Days == 0:
		return "jusqu'au " + same + ", " + at
	case r.Kind == DeadlineCalendarDays && r.Days == 1:
		return "jusqu'à la veille" + of + ", " + at
	case r.Kind == DeadlineWorkingDays && r.Days == 1:
		return "jusqu'à 1 jour ouvré" + before + ", " + at
	case r.Kind == DeadlineWorkingDays:
		return fmt.Sprintf("jusqu'à %d jours ouvrés%s, %s", r.Days, before, at)
	}
	return fmt.Sprintf("jusqu'à %d jours%s, %s", r.Days, before, at)
}

// Describe returns the booking rule for parents, e.g. "Réservation jusqu'à 2 jours ouvrés avant, 10h00".
func (r Deadline) Describe() string { return "Réservation " + r.Phrase() }

// DescribeCancellation returns the cancellation rule for parents, e.g. "Annulation jusqu'à la veille, 10h00".
func (r Deadline) DescribeCancellation() string { return "Annulation " + r.Phrase() }

// MarshalText implements encoding.TextMarshaler with the stored form.
func (r Deadline) MarshalText() ([]byte, error) { return []byte(r.String()), r.Validate() }

// UnmarshalText implements encoding.TextUnmarshaler with ParseDeadline.
func (r *Deadline) UnmarshalText(b []byte) error {
	v, err := ParseDeadline(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Value implements driver.Valuer: the stored form as TEXT.
func (r Deadline) Value() (driver.Value, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r.String(), nil
}

// Scan implements sql.Scanner for a TEXT column holding the stored form.
func (r *Deadline) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return r.UnmarshalText([]byte(v))
	case []byte:
		return r.UnmarshalText(v)
	}
	return fmt.Errorf("calendar: cannot scan %T into Deadline", src)
}
