package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/app/accounts"
	"espacefamille/tenants"
)

// QueueInvitation queues the memento's invitation email to FAMILLE X with
// the seeded code KUD31S77V7, so that the demo's mailbox shows it. portalURL
// is the commune's public home page. Call it once, after Ensure created the
// commune. A sample cut-off reminder goes with it (queueSampleReminder).
func QueueInvitation(ctx context.Context, reg *tenants.Registry, portalURL string, now time.Time) error {
	c, err := reg.Commune(ctx, Slug)
	if err != nil {
		return fmt.Errorf("demo invitation: %w", err)
	}
	return reg.WithCommune(ctx, Slug, func(db *tenants.DB) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			var family int64
			if err := tx.QueryRowContext(ctx, `SELECT id FROM families WHERE name = 'FAMILLE X' ORDER BY id LIMIT 1`).Scan(&family); err != nil {
				return fmt.Errorf("demo invitation: %w", err)
			}
			if _, err := accounts.QueueInvitation(ctx, tx, c, family, AdhesionCode, portalURL, now); err != nil {
				return err
			}
			if err := queueSecondGuardian(ctx, tx, c, portalURL, now); err != nil { // issue 14: shared custody
				return err
			}
			return queueSampleReminder(ctx, tx, c, portalURL, now)
		})
	})
}
