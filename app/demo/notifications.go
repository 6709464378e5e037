package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/booking"
	"espacefamille/app/calendar"
	"espacefamille/app/families"
	"espacefamille/app/notify"
	"espacefamille/app/reminder"
	"espacefamille/tenants"
)

// seedNotifications writes the demo's notification settings (every
// notification on, the reminder the day before the cut-off's day at
// 18h00) and queues the booking cut-off reminder of "Fille FAMILLE X"
// about the next week she can book, to the family's address: the demo
// mailbox then shows a reminder as parents get it, with its "Réserver
// maintenant" and unsubscribe links (commune-relative: the demo is served
// under its path). The reminder job sends the next ones once a parent's
// account is linked to the family.
func seedNotifications(ctx context.Context, tx *sql.Tx, now time.Time) error {
	if err := notify.SaveSettings(ctx, tx, notify.Defaults); err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	cal, err := booking.LoadCalendar(ctx, tx)
	if err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	prestations, err := booking.AllPrestations(ctx, tx)
	if err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	children, err := families.AllChildren(ctx, tx)
	if err != nil {
		return fmt.Errorf("demo seed: %w", err)
	}
	com := tenants.Commune{Slug: Slug, Name: Name}
	path := func(c tenants.Commune, p string) string { return "/" + c.Slug + p }
	this := reminder.Monday(calendar.Today(now))
	for _, ch := range children {
		if ch.FirstName != "Fille" {
			continue
		}
		for w := 1; w <= reminder.Weeks; w++ {
			monday := this.AddDays(7 * w)
			if d, ok := reminder.Cutoff(prestations, ch, monday, cal, now); ok {
				_, err := reminder.Remind(ctx, tx, nil, com, path, ch, monday, d, now)
				return err
			}
		}
	}
	return nil
}
