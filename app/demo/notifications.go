package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/notify"
	"espacefamille/app/reminder"
	"espacefamille/tenants"
)

// seedNotifications writes the demo's notification settings: every
// notification on, the reminder the day before the cut-off's day at
// 18h00 (the reminder job sends them once a parent's account is linked
// to the family).
func seedNotifications(ctx context.Context, tx *sql.Tx) error {
	if err := notify.SaveSettings(ctx, tx, notify.Defaults); err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	return nil
}

// queueSampleReminder queues, beside the invitation, the booking cut-off
// reminder of "Fille FAMILLE X" about the next week she can book, to the
// family's address, so that the demo mailbox shows a reminder as parents
// get it, with its "Réserver maintenant" and unsubscribe links (absolute:
// portalURL is the commune's home page). It is recorded as sent, as the
// job would.
func queueSampleReminder(ctx context.Context, tx *sql.Tx, com tenants.Commune, portalURL string, now time.Time) error {
	cal, err := booking.LoadCalendar(ctx, tx)
	if err != nil {
		return fmt.Errorf("demo reminder: %w", err)
	}
	prestations, err := booking.AllPrestations(ctx, tx)
	if err != nil {
		return fmt.Errorf("demo reminder: %w", err)
	}
	children, err := families.AllChildren(ctx, tx)
	if err != nil {
		return fmt.Errorf("demo reminder: %w", err)
	}
	abs := func(_ tenants.Commune, p string) string { return strings.TrimSuffix(portalURL, "/") + p }
	this := calendar.Today(now).Monday()
	for _, ch := range children {
		if ch.FirstName != "Fille" {
			continue
		}
		for w := 1; w <= reminder.Weeks; w++ {
			monday := this.AddDays(7 * w)
			if d, ok := reminder.Cutoff(prestations, ch, monday, cal, now); ok {
				_, err := reminder.Remind(ctx, tx, nil, com, abs, ch, monday, d, now)
				return err
			}
		}
	}
	return nil
}
