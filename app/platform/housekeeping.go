package platform

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"espacefamille/tenants"
)

// linkKeep is how long a used or expired set-password link is kept (to
// answer "this link was used" rather than "unknown").
const linkKeep = 30 * 24 * time.Hour

// PurgeExpired deletes the console's ended sessions and its old links,
// for the housekeeping job; it returns how many rows went.
func PurgeExpired(ctx context.Context, db *tenants.DB, now time.Time) (int64, error) {
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		old := tenants.FormatTime(now.Add(-linkKeep))
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM provider_sessions WHERE expires_at < ? OR last_seen_at < ?`, []any{tenants.FormatTime(now), tenants.FormatTime(now.Add(-idleTimeout))}},
			{`DELETE FROM provider_tokens WHERE expires_at <= ? OR (used_at IS NOT NULL AND used_at <= ?)`, []any{old, old}},
		} {
			res, err := tx.ExecContext(ctx, q.sql, q.args...)
			if err != nil {
				return err
			}
			m, _ := res.RowsAffected()
			n += m
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("platform: purge sessions and links: %w", err)
	}
	return n, nil
}
