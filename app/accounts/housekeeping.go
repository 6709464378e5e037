package accounts

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/tenants"
)

// tokenKeep is how long a used or expired emailed link is kept after it
// stopped working: for that long its page says "lien déjà utilisé" rather
// than "lien invalide", and recentToken can still count it.
const tokenKeep = 24 * time.Hour

// PurgeCommune deletes the commune's sessions that can no longer be used
// (past their absolute expiry or idle too long). Sessions are also purged
// at each log-in; this catches communes where nobody logs in any more.
// It returns the number of rows deleted.
func PurgeCommune(ctx context.Context, db *tenants.DB, now time.Time) (int64, error) {
	// "Last seen" times still in memory are written first: an active
	// session must not look idle to the purge.
	if err := db.FlushLater(ctx); err != nil {
		return 0, fmt.Errorf("accounts: purge sessions: %w", err)
	}
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?`,
			tenants.FormatTime(now), tenants.FormatTime(now.Add(-idleTimeout)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("accounts: purge sessions: %w", err)
	}
	return n, nil
}

// PurgePlatform deletes, from the platform database, the emailed links
// used or expired more than tokenKeep ago and the throttle rows that no
// longer hold anything. It returns the number of rows deleted.
func PurgePlatform(ctx context.Context, db *tenants.DB, now time.Time) (int64, error) {
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		old := tenants.FormatTime(now.Add(-tokenKeep))
		res, err := tx.ExecContext(ctx, `DELETE FROM account_tokens WHERE expires_at <= ? OR (used_at IS NOT NULL AND used_at <= ?)`, old, old)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		if err != nil {
			return err
		}
		m, err := purgeThrottles(ctx, tx, now)
		n += m
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("accounts: purge tokens and throttles: %w", err)
	}
	return n, nil
}
