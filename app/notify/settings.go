package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"espacefamille/app/calendar"
	"espacefamille/tenants"
)

// Settings are a commune's choices in the back office: each notification
// on or off, and when the booking cut-off reminder goes out.
type Settings struct {
	CutoffReminder bool
	NewInvoice     bool
	PaymentFailed  bool
	// The reminder goes out DaysBefore days before the day of the
	// cut-off, at Hour:Minute (Europe/Paris), or at once when that moment
	// has passed and the cut-off has not.
	Hour, Minute int
	DaysBefore   int
}

// MaxDaysBefore is the longest a reminder may precede its cut-off.
const MaxDaysBefore = 14

// Defaults are the settings of a new commune: every notification on, the
// reminder the day before the cut-off's day at 18h00.
var Defaults = Settings{CutoffReminder: true, NewInvoice: true, PaymentFailed: true, Hour: 18, DaysBefore: 1}

// On reports whether the commune sends kind.
func (s Settings) On(k Kind) bool {
	switch k {
	case CutoffReminder:
		return s.CutoffReminder
	case NewInvoice:
		return s.NewInvoice
	case PaymentFailed:
		return s.PaymentFailed
	}
	return false
}

// Time is the reminder's time of day, "18:00".
func (s Settings) Time() string { return fmt.Sprintf("%02d:%02d", s.Hour, s.Minute) }

// SendAt is when the reminder of a cut-off goes out: DaysBefore days
// before the cut-off's day (Paris), at the settings' time. It may fall
// after the cut-off itself (a cut-off at 10h00 and a reminder at 18h00
// the same day): such a reminder is never sent (see Due).
func (s Settings) SendAt(cutoff time.Time) time.Time {
	c := cutoff.In(calendar.Paris())
	return time.Date(c.Year(), c.Month(), c.Day()-s.DaysBefore, s.Hour, s.Minute, 0, 0, calendar.Paris())
}

// Due reports whether a reminder about cutoff goes out at now: its
// sending moment has come and the cut-off has not passed.
func (s Settings) Due(cutoff, now time.Time) bool {
	return !now.Before(s.SendAt(cutoff)) && now.Before(cutoff)
}

// LoadSettings reads the commune's notification settings.
func LoadSettings(ctx context.Context, q tenants.Querier) (Settings, error) {
	var (
		s       Settings
		clock   string
		r, i, p int
	)
	err := q.QueryRowContext(ctx, `SELECT cutoff_reminder, new_invoice, payment_failed, reminder_time, reminder_days_before
		FROM notification_settings WHERE id = 1`).Scan(&r, &i, &p, &clock, &s.DaysBefore)
	if errors.Is(err, sql.ErrNoRows) {
		return Settings{}, ErrNotFound
	}
	if err != nil {
		return Settings{}, fmt.Errorf("notify: settings: %w", err)
	}
	s.CutoffReminder, s.NewInvoice, s.PaymentFailed = r == 1, i == 1, p == 1
	if s.Hour, s.Minute, err = parseClock(clock); err != nil {
		return Settings{}, fmt.Errorf("notify: settings: reminder time %q: %w", clock, err)
	}
	return s, nil
}

// SaveSettings writes s, in the caller's transaction.
func SaveSettings(ctx context.Context, tx *sql.Tx, s Settings) error {
	if fe := s.validate(); len(fe) > 0 {
		return fe
	}
	b := func(v bool) int {
		if v {
			return 1
		}
		return 0
	}
	if _, err := tx.ExecContext(ctx, `UPDATE notification_settings SET cutoff_reminder = ?, new_invoice = ?, payment_failed = ?,
		reminder_time = ?, reminder_days_before = ? WHERE id = 1`,
		b(s.CutoffReminder), b(s.NewInvoice), b(s.PaymentFailed), s.Time(), s.DaysBefore); err != nil {
		return fmt.Errorf("notify: save settings: %w", err)
	}
	return nil
}

func (s Settings) validate() calendar.FieldErrors {
	var fe calendar.FieldErrors
	if s.Hour < 0 || s.Hour > 23 || s.Minute < 0 || s.Minute > 59 {
		fe = append(fe, calendar.FieldError{Field: "heure_rappel", Message: "Indiquez l'heure d'envoi du rappel au format HH:MM, par exemple 18:00."})
	}
	if s.DaysBefore < 0 || s.DaysBefore > MaxDaysBefore {
		fe = append(fe, calendar.FieldError{Field: "jours_avant", Message: fmt.Sprintf("Indiquez un nombre de jours entre 0 et %d.", MaxDaysBefore)})
	}
	return fe
}

// ParseSettings reads the back office's form (checkboxes "rappel",
// "facture", "paiement_echoue"; "heure_rappel" HH:MM; "jours_avant").
func ParseSettings(get func(string) string) (Settings, calendar.FieldErrors) {
	s := Settings{CutoffReminder: get("rappel") != "", NewInvoice: get("facture") != "", PaymentFailed: get("paiement_echoue") != ""}
	var fe calendar.FieldErrors
	h, m, err := parseClock(get("heure_rappel"))
	if err != nil {
		h, m = -1, 0
	}
	s.Hour, s.Minute = h, m
	d, err := strconv.Atoi(strings.TrimSpace(get("jours_avant")))
	if err != nil {
		d = -1
	}
	s.DaysBefore = d
	fe = append(fe, s.validate()...)
	return s, fe
}

// parseClock reads "18:00" or "18h00" or "9h".
func parseClock(v string) (int, int, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	hs, ms, ok := strings.Cut(strings.Replace(v, "h", ":", 1), ":")
	if !ok {
		return 0, 0, errors.New("not HH:MM")
	}
	if ms == "" {
		ms = "0"
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(ms) > 2 {
		return 0, 0, errors.New("not HH:MM")
	}
	return h, m, nil
}
